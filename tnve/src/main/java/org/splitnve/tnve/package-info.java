/**
 * The tNVE (RFC 8394 section 2: the hypervisor half, the VDP station), as a deterministic single-threaded engine:
 * frames and time in, frames and events out.
 *
 * <p>{@link org.splitnve.tnve.TnveEngine} is the front: it reads the clock once per {@code onFrame}, {@code onTimer}
 * or operation and calls its package-private parts, all on its thread:
 * <ul>
 *   <li>{@code Uplink}: the session with one nNVE (hello, probe, capabilities, the session TLV and its digest,
 *       resynchronisation, repair of forged notices, the nNVE's own initiative, loss);</li>
 *   <li>{@code Placement}: which uplinks carry a VN, and the fail-over of active-standby VNs;</li>
 *   <li>{@code Requests}: the VDP requests in flight (window, answers matched by mode and fragment echo,
 *       deadlines, the confirmed state, keep-alives of standard peers);</li>
 *   <li>{@code Limits}: the limits each nNVE advertised (OPS-3);</li>
 *   <li>{@code Lifecycle} and {@code Migration}: the VM operations mapped to requests.</li>
 * </ul>
 * {@code Link}, one TSI at one nNVE with its desired and confirmed states, is the record the parts share;
 * {@code Station} holds the rest they share (configuration, identity, uplinks, VMs, the time of the call).
 */
package org.splitnve.tnve;
