package org.splitnve.protocol.ecp;

import java.util.List;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.vdp.VdpPdu;

/** What an {@link EcpEndpoint} reports to the VDP layer above it. */
public interface EcpListener {
    /** A new request arrived (duplicates are filtered out, authentication already checked). */
    void onReceive(EthernetHeader ethernet, VdpPdu pdu);

    /**
     * The peer acknowledged the ECPDU that carried these items. An empty list: an ECPDU of header TLVs
     * only (a hello or a session keep-alive) was acknowledged: the peer is there.
     */
    void onDelivered(List<Object> tokens);

    /**
     * R retransmissions went unacknowledged; these items did not arrive (or their ack was lost). An
     * empty list: an ECPDU of header TLVs only (a hello or a session keep-alive) was lost.
     */
    void onTransmitError(List<Object> tokens);
}
