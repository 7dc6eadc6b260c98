package org.splitnve.nnve;

import org.splitnve.wire.vdp.ReasonDetailTlv;

/** The detail codes of {@link ReasonDetailTlv} (SM-REASON), each with the number it has on the wire. */
enum ReasonDetail {
    /** The authority's policy refuses it. */
    POLICY(1),
    /** A local tag: none free, not the VN's, or not valid. */
    TAG(2),
    /** A limit of the nNVE (SEC-5). */
    LIMIT(3),
    /** The TSI is not in a state the request needs. */
    STATE(4),
    /** The request is malformed. */
    FORMAT(5),
    /** An operator's decision. */
    ADMIN(6),
    /** OPS-6: a MAC another TSI of the VN holds on this nNVE. */
    DUPLICATE_MAC(7),
    /** REL-4: the TSI belongs to another end device, and no migration it announced moves it here. */
    OWNER(8);

    private final int wire;

    ReasonDetail(int wire) {
        this.wire = wire;
    }

    /** The code on the wire. */
    int wire() {
        return wire;
    }
}
