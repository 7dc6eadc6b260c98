package org.splitnve.wire.vdp;

import org.splitnve.wire.Bytes;
import org.splitnve.wire.DecodeError;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.WireReader;
import org.splitnve.wire.WireWriter;

/**
 * Frame authentication (RFC 8394 REQ-11, GAP-11): the last TLV of an ECPDU, requests and
 * acknowledgements alike. The tag covers the whole frame before the tag field: Ethernet
 * destination and source (and 802.1Q tag), EtherType, ECP header, every TLV before this one, and this
 * TLV's header, OUI, subtype, algorithm, key ID and counter. The counter never repeats for a key
 * within a session (replay protection); the session TLV's nonces make the key per session.
 *
 * <p>Body: algorithm (1: 1 = HMAC-SHA-256), key ID (4), counter (8), tag (32 for HMAC-SHA-256).
 */
public record AuthTlv(int algorithm, int keyId, long counter, Bytes tag) implements ExtensionTlv {
    public static final int HMAC_SHA256 = 1;
    public static final int HMAC_SHA256_TAG = 32;

    public AuthTlv {
        if (algorithm != HMAC_SHA256) {
            throw new IllegalArgumentException("unknown authentication algorithm " + algorithm);
        }
        if (tag.length() != HMAC_SHA256_TAG) {
            throw new IllegalArgumentException("an HMAC-SHA-256 tag has 32 octets");
        }
    }

    /** An AuthTlv with a zero tag, to encode before the tag is computed and patched in. */
    public static AuthTlv unsigned(int keyId, long counter) {
        return new AuthTlv(HMAC_SHA256, keyId, counter, Bytes.wrap(new byte[HMAC_SHA256_TAG]));
    }

    public AuthTlv withTag(Bytes newTag) {
        return new AuthTlv(algorithm, keyId, counter, newTag);
    }

    @Override
    public ExtensionType type() {
        return ExtensionType.AUTH;
    }

    @Override
    public int bodyLength() {
        return 13 + tag.length();
    }

    @Override
    public void encodeBody(WireWriter w) {
        w.u8(algorithm).u32(keyId).u64(counter).bytes(tag);
    }

    static AuthTlv decodeBody(WireReader r) throws DecodeException {
        int alg = r.u8("authentication algorithm");
        if (alg != HMAC_SHA256) {
            throw r.error(DecodeError.UNKNOWN_VALUE, "unknown authentication algorithm " + alg);
        }
        return new AuthTlv(alg, r.u32("key ID"), r.u64("counter"), Bytes.wrap(r.bytes(HMAC_SHA256_TAG, "tag")));
    }
}
