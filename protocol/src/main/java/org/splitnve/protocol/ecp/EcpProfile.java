package org.splitnve.protocol.ecp;

/**
 * How an ECP endpoint sends to one peer.
 *
 * @param maxItemsPerPdu items (VSI or VN connect TLVs) per ECPDU: 1 toward a standard peer
 * @param minGapNanos    least time between the acknowledgement of one ECPDU and the next ECPDU:
 *                       lldpad keeps only the last of two ECPDUs that arrive within 2 ms
 */
public record EcpProfile(int maxItemsPerPdu, long minGapNanos) {
    /** Toward a peer that does not advertise splitnve's batching: one item, 2.5 ms apart. */
    public static final EcpProfile STANDARD = new EcpProfile(1, 2_500_000L);
    /** Toward a splitnve peer: as many items as fit, the next ECPDU as soon as the ack arrives. */
    public static final EcpProfile BATCHING = new EcpProfile(Integer.MAX_VALUE, 0);

    public EcpProfile {
        if (maxItemsPerPdu < 1 || minGapNanos < 0) {
            throw new IllegalArgumentException("at least one item per PDU, a non-negative gap");
        }
    }
}
