package org.splitnve.wire.vdp;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.splitnve.wire.DecodeError;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.WireReader;

/** Strict UTF-8 for text fields: malformed input is a decode error, never replaced. */
final class Text {
    private Text() {
    }

    static String read(WireReader r, int n, String what) throws DecodeException {
        int at = r.position();
        r.require(n, what);
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(r.array(), at, n)).toString();
            r.skip(n, what);
            return s;
        } catch (CharacterCodingException e) {
            throw r.errorAt(at, DecodeError.INVALID_TEXT, what + " is not valid UTF-8");
        }
    }

    /** Whether the octets are well-formed UTF-8: what {@link #read} accepts. */
    static boolean isUtf8(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Whether the string has a UTF-8 form (no unpaired surrogate, which {@link #bytes} would turn into '?'). */
    static boolean isEncodable(String s) {
        return StandardCharsets.UTF_8.newEncoder().canEncode(s);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
