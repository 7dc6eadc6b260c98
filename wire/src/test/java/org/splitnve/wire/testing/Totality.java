package org.splitnve.wire.testing;

import java.util.HexFormat;
import org.splitnve.wire.DecodeException;

/**
 * The totality check of decoders (SEC-4): any input is decoded or refused with a
 * {@link DecodeException} carrying a reason and an offset inside the input. Anything else thrown
 * fails the test with the input in hex, so the failure can be replayed.
 */
public final class Totality {
    private Totality() {
    }

    @FunctionalInterface
    public interface Decoder<T> {
        T decode(byte[] input) throws DecodeException;
    }

    /** The decoded value, or null if the decoder refused the input with a well-formed {@link DecodeException}. */
    public static <T> T decodeOrRefuse(String what, byte[] input, Decoder<T> decoder) {
        T value;
        try {
            value = decoder.decode(input);
        } catch (DecodeException e) {
            if (e.error() == null || e.offset() < 0 || e.offset() > input.length) {
                throw new AssertionError(what + " refused with a malformed DecodeException (" + e.error() + " at "
                        + e.offset() + ") input of " + input.length + " octets: " + hex(input), e);
            }
            return null;
        } catch (Throwable t) {
            throw new AssertionError(what + " threw " + t + " instead of a DecodeException on input of "
                    + input.length + " octets: " + hex(input), t);
        }
        if (value == null) {
            throw new AssertionError(what + " returned null on input " + hex(input));
        }
        return value;
    }

    public static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
