package org.splitnve.tnve;

import org.splitnve.wire.vdp.VsiTlv;

/** What rides in an ECPDU: one VSI TLV of a link's pending request. */
record Sent(Link link, VsiTlv item, Pending pending) {
}
