package org.splitnve.tnve;

import org.splitnve.wire.vdp.VnConnectTlv;

/** An explicit VN connect or disconnect in flight. */
record VnSent(Uplink up, long vn, VnConnectTlv item) {
}
