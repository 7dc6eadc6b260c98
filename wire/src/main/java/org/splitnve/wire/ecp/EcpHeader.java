package org.splitnve.wire.ecp;

import org.splitnve.wire.DecodeError;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.WireReader;
import org.splitnve.wire.WireWriter;

/**
 * The 4-octet ECP22 header (IEEE 802.1Q clause 43): version (4 bits, 1), operation (2 bits),
 * subtype (10 bits, 1 = VDP), sequence number (16 bits). Each direction keeps its own sequence;
 * an acknowledgement echoes the sequence number it acknowledges.
 */
public record EcpHeader(EcpOperation operation, int subtype, int sequence) {
    public static final int ETHERTYPE = 0x8940;
    public static final int VERSION = 1;
    public static final int SUBTYPE_VDP = 1;
    public static final int LENGTH = 4;

    public EcpHeader {
        if (operation == null) {
            throw new IllegalArgumentException("operation is required");
        }
        if ((subtype & ~0x3FF) != 0) {
            throw new IllegalArgumentException("ECP subtype is 10 bits: " + subtype);
        }
        if ((sequence & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("ECP sequence is 16 bits: " + sequence);
        }
    }

    public static EcpHeader request(int sequence) {
        return new EcpHeader(EcpOperation.REQUEST, SUBTYPE_VDP, sequence);
    }

    /** The acknowledgement of this request. */
    public EcpHeader ack() {
        return new EcpHeader(EcpOperation.ACK, subtype, sequence);
    }

    public static EcpHeader decode(WireReader r) throws DecodeException {
        int at = r.position();
        int word = r.u16("ECP header");
        int version = word >>> 12;
        if (version != VERSION) {
            throw r.errorAt(at, DecodeError.UNSUPPORTED_VERSION, "ECP version " + version + ", expected 1");
        }
        int op = (word >>> 10) & 3;
        EcpOperation operation = switch (op) {
            case 0 -> EcpOperation.REQUEST;
            case 1 -> EcpOperation.ACK;
            default -> throw r.errorAt(at, DecodeError.UNKNOWN_VALUE, "ECP operation " + op + " is reserved");
        };
        return new EcpHeader(operation, word & 0x3FF, r.u16("ECP sequence number"));
    }

    public void encode(WireWriter w) {
        w.u16((VERSION << 12) | (operation.code() << 10) | subtype).u16(sequence);
    }
}
