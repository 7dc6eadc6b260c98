package org.splitnve.protocol.auth;

import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.ethernet.VlanTag;
import org.splitnve.wire.vdp.AuthTlv;
import org.splitnve.wire.vdp.ExtensionType;
import org.splitnve.wire.vdp.SessionTlv;

/**
 * The few facts about an encoded ECP/VDP frame the authenticator needs, read in place (no
 * allocation) from {@code frame[start, tagOffset + 32)}: the ECP operation and sequence number, the
 * authentication TLV's OUI, key ID and counter, where the session TLV's nonce is (if the PDU header
 * carries one), and whether the PDU is a <em>hello</em>: a request whose only TLVs before the
 * authentication TLV are this project's capability and session TLVs, with a non-zero nonce.
 *
 * <p>Mutable and reused: {@link #parse} overwrites every field. Lenient where the codec is strict
 * (the codec has already accepted a received frame; a frame it would refuse simply is not a hello),
 * strict where it matters: anything that does not look like a VDP frame ending in an HMAC-SHA-256
 * authentication TLV at {@code tagOffset} makes {@link #parse} return false.
 */
final class FrameView {
    /** Octets of the authentication TLV before the tag: TLV header, OUI, subtype, algorithm, key ID, counter. */
    static final int AUTH_PREFIX = 2 + 3 + 1 + 1 + 4 + 8;
    private static final int TLV_ORG = 127;
    private static final int SESSION_TLV_LENGTH = 4 + 37;
    private static final int NONCE_IN_BODY = 21;

    boolean ack;
    int sequence;
    int keyId;
    long counter;
    int oui;
    /** Offset of the 16-octet session nonce in the frame, or -1 when the PDU header carries none (or it is zero). */
    int nonceOffset;
    boolean hello;

    boolean parse(byte[] f, int start, int tagOffset) {
        ack = false;
        sequence = -1;
        keyId = 0;
        counter = 0;
        nonceOffset = -1;
        hello = false;
        if (start < 0 || tagOffset > f.length - AuthTlv.HMAC_SHA256_TAG || tagOffset - start < 14 + AUTH_PREFIX) {
            return false;
        }
        int ecp = start + 12;
        int type = u16(f, ecp);
        if (type == VlanTag.CTAG || type == VlanTag.STAG) {
            ecp += 4;
            type = u16(f, ecp);
        }
        if (type != EcpHeader.ETHERTYPE) {
            return false;
        }
        ecp += 2;
        int authStart = tagOffset - AUTH_PREFIX;
        if (authStart < ecp + EcpHeader.LENGTH) {
            return false;
        }
        int word = u16(f, ecp);
        int op = (word >>> 10) & 3;
        if (word >>> 12 != EcpHeader.VERSION || op > 1 || (word & 0x3FF) != EcpHeader.SUBTYPE_VDP) {
            return false;
        }
        ack = op == 1;
        sequence = u16(f, ecp + 2);
        // The authentication TLV: type 127, length 4 + 45, OUI, subtype 9, algorithm 1, key ID, counter.
        int h = u16(f, authStart);
        if (h >>> 9 != TLV_ORG || (h & 0x1FF) != 4 + 13 + AuthTlv.HMAC_SHA256_TAG
                || (f[authStart + 5] & 0xFF) != ExtensionType.AUTH.subtype()
                || (f[authStart + 6] & 0xFF) != AuthTlv.HMAC_SHA256) {
            return false;
        }
        oui = u24(f, authStart + 2);
        keyId = (int) u32(f, authStart + 7);
        counter = (u32(f, authStart + 11) << 32) | u32(f, authStart + 15);
        walk(f, ecp + EcpHeader.LENGTH, authStart);
        return true;
    }

    private void walk(byte[] f, int pos, int end) {
        nonceOffset = -1;
        boolean onlyHeader = true;
        boolean inHeader = true;
        while (pos < end) {
            if (pos + 2 > end) {
                onlyHeader = false;
                break;
            }
            int h = u16(f, pos);
            int type = h >>> 9;
            int len = h & 0x1FF;
            int body = pos + 2;
            if (body + len > end) {
                onlyHeader = false;
                break;
            }
            if (type == TLV_ORG && len >= 4 && u24(f, body) == oui) {
                int subtype = f[body + 3] & 0xFF;
                if (subtype == ExtensionType.SESSION.subtype() && len == SESSION_TLV_LENGTH && inHeader) {
                    if (nonceOffset < 0 && !zero(f, body + 4 + NONCE_IN_BODY, SessionTlv.NONCE_LENGTH)) {
                        nonceOffset = body + 4 + NONCE_IN_BODY;
                    }
                } else if (subtype != ExtensionType.CAPABILITY.subtype() || !inHeader) {
                    onlyHeader = false;
                    inHeader &= subtype != ExtensionType.VN_CONNECT.subtype();
                }
            } else {
                onlyHeader = false;
                // A VSI TLV (types 1-4) opens the items; a header TLV can no longer follow.
                inHeader &= type < 1 || type > 4;
            }
            pos = body + len;
        }
        hello = onlyHeader && !ack && nonceOffset >= 0;
    }

    private static boolean zero(byte[] f, int off, int len) {
        int acc = 0;
        for (int i = 0; i < len; i++) {
            acc |= f[off + i];
        }
        return acc == 0;
    }

    private static int u16(byte[] f, int i) {
        return ((f[i] & 0xFF) << 8) | (f[i + 1] & 0xFF);
    }

    private static int u24(byte[] f, int i) {
        return ((f[i] & 0xFF) << 16) | ((f[i + 1] & 0xFF) << 8) | (f[i + 2] & 0xFF);
    }

    private static long u32(byte[] f, int i) {
        return ((long) (f[i] & 0xFF) << 24) | ((f[i + 1] & 0xFF) << 16) | ((f[i + 2] & 0xFF) << 8) | (f[i + 3] & 0xFF);
    }
}
