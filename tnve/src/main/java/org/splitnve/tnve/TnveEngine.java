package org.splitnve.tnve;

import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.splitnve.protocol.Clock;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.SessionIdentity;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.ecp.EcpEndpoint;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.lldp.EvbMode;
import org.splitnve.wire.lldp.EvbTlv;
import org.splitnve.wire.vdp.CapabilityTlv.Feature;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.SessionTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.TsiAddressTlv;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VnConnectTlv;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * The hypervisor agent: the VDP station side of RFC 8394 section 2, as a deterministic engine. It
 * keeps VMs (RFC 7666 states) and their TSIs, and maps every lifecycle operation to VDP requests
 * toward the nNVE(s) serving each TSI's VN:
 *
 * <pre>
 *  create            associate (Pre-Associate-RR) while the VM is shut down; if it fails the VM is not created
 *  start / resume    activate (Associate); start associates first what is not associated
 *  pause             nothing
 *  suspend           deactivate (Pre-Associate-RR + deactivate extension)
 *  shutdown          de-associate; the VM stays defined, shut down
 *  delete            de-associate what is still associated; the VM is forgotten
 *  reconnect         associate and activate again what the nNVE deactivated or de-associated on its own
 *  migration         prepare: associate with ARRIVAL at the destination; start: the source VM stops running,
 *                    its TSIs stay activated; activate at the destination; then deactivate the source with
 *                    DEPARTURE (make-before-break); finish: de-associate the source
 * </pre>
 *
 * Operations return a future completed on the engine thread when every nNVE concerned has answered.
 * Single-threaded.
 *
 * <p>The engine is the front ({@link PortAgent}) of its parts, called in this order on one thread: the
 * {@link Uplink}s (sessions, resynchronisation, fail-over), {@link Placement}, the {@link Requests} in flight,
 * the nNVEs' {@link Limits}, the VM {@link Lifecycle} and {@link Migration}. {@link Link}, one TSI at one nNVE
 * with its desired and confirmed states, is the record they share.
 */
public final class TnveEngine implements PortAgent {
    /** A TSI's state at one nNVE, as the nNVE confirmed it. */
    public enum TsiState { INIT, ASSOCIATED, ACTIVATED }

    /**
     * OPS-3: the addresses of one TSI (its MAC and IPs) where the uplink's nNVE advertised no limit: what splitnve
     * nNVEs enforced before they advertised it (NnveConfig.Limits.DEFAULT), so one request stays a few dozen
     * ECPDUs and can never keep an uplink busy until its retransmissions run out.
     */
    public static final int BUILT_IN_ADDRESSES_PER_TSI = 4096;

    private final Station station;
    private final Placement placement;
    private final Requests requests;
    private final Lifecycle lifecycle;
    private final Migration migrations;
    /** (port << 48 | MAC) of sources whose LLDP EVB TLV said BRIDGE: they may be learned as an nNVE. */
    private final java.util.Set<Long> bridgesSeen = new java.util.HashSet<>();
    /** Bounds {@link #bridgesSeen}: a flood of forged LLDPDUs must not grow it without end (SEC-4). */
    private static final int MAX_BRIDGES_SEEN = 64;
    /** SEC-5: frames that do not decode, logged one line per source per interval (the rest counted). */
    private final org.splitnve.protocol.event.Throttle undecodable =
            new org.splitnve.protocol.event.Throttle(DROP_LOG_INTERVAL_NANOS, 256);
    /** SEC-5: frames from sources other than this port's nNVEs, dropped before decoding, counted per port. */
    private final long[] foreign;
    static final long DROP_LOG_INTERVAL_NANOS = 10_000_000_000L;

    public TnveEngine(TnveConfig config, Clock clock, PortIo io, EventSink events, RandomGenerator random) {
        CapabilityTlv own = CapabilityTlv.of(config.features().isEmpty() ? EnumSet.noneOf(Feature.class)
                : EnumSet.copyOf(config.features()));
        SessionIdentity id = SessionIdentity.random(random);
        this.station = new Station(config, clock, io, events, own, id.epoch(), id.nonce());
        this.foreign = new long[io.ports()];
        this.placement = new Placement(station);
        this.requests = new Requests(station);
        placement.requests(requests);
        Limits limits = new Limits(station, placement);
        this.lifecycle = new Lifecycle(station, placement, requests, limits);
        this.migrations = new Migration(station, placement, limits, lifecycle);
        for (TnveConfig.Uplink u : config.uplinks()) {
            Uplink up = new Uplink(station, requests, placement, limits, u);
            station.uplinks.add(up);
            station.uplinkByName.put(u.name(), up);
        }
        for (Uplink up : station.uplinks) {
            up.hello();
        }
    }

    /** Called with every event the orchestrator should hear of (nNVE-initiated changes above all). */
    public void addListener(Consumer<TnveEvent> l) {
        station.addListener(l);
    }

    // ------------------------------------------------------------------ driving

    @Override
    public void onFrame(int port, byte[] buf, int off, int len) {
        long now = station.tick();
        if (!worthDecoding(port, buf, off, len)) {
            foreign[port]++;
            return;
        }
        Frame frame;
        try {
            frame = station.codec.decode(buf, off, len);
        } catch (DecodeException e) {
            // SEC-5: the first from a source is logged, the rest counted into one line per interval.
            long src = len >= 12 ? ((long) port << 48) | macAt(buf, off + 6) : ((long) port << 48);
            if (undecodable.admit(src, now)) {
                station.events.accept(new TnveEvent.RequestFailed("-", "-", "port " + port, "decode", 1, e.getMessage()));
            }
            return;
        }
        switch (frame) {
            case Frame.Vdp v -> {
                MacAddress src = v.ethernet().source();
                MacAddress dst = v.ethernet().destination();
                if (!dst.equals(station.io.mac(port)) && !dst.isReservedGroup() && !uplinkGroup(port, dst.value())) {
                    // Another end device's VDP, flooded by a switch (REQ-2): an nNVE answers at our MAC, a
                    // standard bridge at a reserved group (which switches never forward); a restarted nNVE tells
                    // its end devices at a group (the reserved one, or the multicast group of GAP-1 they use).
                    return;
                }
                // An nNVE is learned only from what a bridge sends: a frame to this station's own MAC, a VDP
                // response, or a source that announced itself as a bridge in its EVB TLV. A switch floods other
                // stations' requests to us (unknown unicast, groups; a Linux bridge with STP off even forwards
                // 01:80:c2:00:00:00), and a station must not take another station for its nNVE (REQ-1, REQ-2).
                boolean fromBridge = dst.equals(station.io.mac(port)) || carriesResponse(v.vdp())
                        || bridgesSeen.contains(((long) port << 48) | src.value());
                for (Uplink up : station.uplinks) {
                    if (up.cfg.port() != port) {
                        continue;
                    }
                    if (up.nnve == null && src.isValidUnicast() && fromBridge) {
                        up.nnve = src;
                    }
                    if (src.equals(up.nnve)) {
                        SessionTlv s = v.vdp().header(SessionTlv.class);
                        boolean restarted = s != null && up.peerEpoch != 0 && s.epoch() != up.peerEpoch;
                        up.ecp.onFrame(buf, off, len, v, restarted);
                        return;
                    }
                }
            }
            case Frame.Lldp l -> {
                EvbTlv evb = l.lldp().evb();
                MacAddress src = l.ethernet().source();
                if (evb != null && evb.mode() == EvbMode.BRIDGE && src.isValidUnicast()) {
                    // Only a bridge's EVB TLV counts: another station's, flooded by a switch, says nothing
                    // about our nNVE's timers.
                    if (bridgesSeen.size() < MAX_BRIDGES_SEEN) {
                        bridgesSeen.add(((long) port << 48) | src.value());
                    }
                    for (Uplink up : station.uplinks) {
                        if (up.cfg.port() == port && (up.nnve == null || up.nnve.equals(src))) {
                            up.ecp.setTimers(station.config.timers().negotiate(Timers.of(evb)));
                            boolean speaksExtensions = l.lldp().extensionCapability() != null;
                            if (!station.config.features().isEmpty() && up.auth == null && !up.ecp.busy()
                                    && (!up.alive || (up.common == null && speaksExtensions))) {
                                // OPS-7: the nNVE is there (its LLDP arrived): the hello goes now.
                                up.ecp.sendHeaderOnly();
                            }
                        }
                    }
                }
            }
            default -> {
            }
        }
    }

    private static long macAt(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    /** Whether {@code mac} is the multicast destination (GAP-1) of an uplink on {@code port}. */
    private boolean uplinkGroup(int port, long mac) {
        for (Uplink up : station.uplinks) {
            MacAddress d = up.cfg.destination();
            if (up.cfg.port() == port && d != null && d.isMulticast() && d.value() == mac) {
                return true;
            }
        }
        return false;
    }

    /**
     * SEC-5: whether a frame could matter, read from its Ethernet header before anything is decoded: ECP
     * or LLDP (else it is not ours), VDP to this station's MAC or a reserved group (else another end device's,
     * flooded by a switch), and from this port's nNVE once every uplink on the port knows it. A flood from
     * other sources costs a counter, not a decode and a log line each.
     */
    private boolean worthDecoding(int port, byte[] buf, int off, int len) {
        if (len < 14) {
            return true; // the codec says what is wrong with it
        }
        int at = off + 12;
        int type = ((buf[at] & 0xFF) << 8) | (buf[at + 1] & 0xFF);
        while ((type == 0x8100 || type == 0x88A8) && at + 6 <= off + len) {
            at += 4;
            type = ((buf[at] & 0xFF) << 8) | (buf[at + 1] & 0xFF);
        }
        boolean ecp = type == org.splitnve.wire.ecp.EcpHeader.ETHERTYPE;
        if (!ecp && type != org.splitnve.wire.lldp.LldpPdu.ETHERTYPE) {
            return false;
        }
        long dst = macAt(buf, off);
        long src = macAt(buf, off + 6);
        if (ecp && dst != station.io.mac(port).value() && (dst & ~0xFL) != (MacAddress.NEAREST_CUSTOMER_BRIDGE.value() & ~0xFL)
                && !uplinkGroup(port, dst)) {
            return false; // neither to us nor to a reserved group (01:80:c2:00:00:0x) nor to our uplinks' group
        }
        boolean any = false;
        for (Uplink up : station.uplinks) {
            if (up.cfg.port() != port) {
                continue;
            }
            if (up.nnve == null) {
                return true; // still to be learned from what arrives
            }
            any = true;
            if (up.nnve.value() == src) {
                return true;
            }
        }
        return !any;
    }

    /** Frames dropped before decoding on a port because they came from no nNVE of it (SEC-5). */
    public long foreignFrames(int port) {
        return foreign[port];
    }

    /** True when the PDU holds a VDP response: only a bridge answers (stations send requests). */
    private static boolean carriesResponse(VdpPdu pdu) {
        if (pdu == null) {
            return false;
        }
        for (VdpItem item : pdu.items()) {
            VsiStatus st = switch (item) {
                case VsiTlv t -> t.status();
                case VnConnectTlv c -> c.status();
            };
            if (st instanceof VsiStatus.Response) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void onTimer() {
        long now = station.tick();
        for (org.splitnve.protocol.event.Throttle.Summary s : undecodable.due(now)) {
            long k = s.key();
            boolean others = k == org.splitnve.protocol.event.Throttle.OVERFLOW_KEY;
            station.events.accept(new TnveEvent.InputDropped(others ? -1 : (int) (k >>> 48), others ? "others"
                    : new MacAddress(k & 0xFFFF_FFFF_FFFFL).toString(), "undecodable frames", s.suppressed(),
                    s.sinceNanos() / 1_000_000_000L));
        }
        for (Uplink up : station.uplinks) {
            up.onTimer(now);
        }
    }

    /** REL-3: the nNVE of an uplink on this port: the transport serves its frames before unknown sources'. */
    @Override
    public boolean established(int port, MacAddress station) {
        for (Uplink up : this.station.uplinks) {
            if (up.cfg.port() == port && station.equals(up.nnve)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public long nextDeadline() {
        long next = undecodable.nextDeadline();
        for (Uplink up : station.uplinks) {
            next = Math.min(next, up.nextDeadline());
        }
        return next;
    }

    // ------------------------------------------------------------------ operations (the VM lifecycle, migration)

    /**
     * LC-CREATE, OPS-2: defines a VM and associates its TSIs while it is shut down. If any association
     * fails (a refusal or no answer), the others are undone and the VM is forgotten: a refused create
     * leaves nothing behind, and the same VM can be created again.
     */
    public CompletableFuture<OpResult> create(String name, List<TsiSpec> tsis) {
        station.tick();
        return lifecycle.create(name, tsis);
    }

    /**
     * After a restart of this agent (REL-1): takes over a VM that exists on this hypervisor in the state it
     * is in, and re-announces its TSIs to the nNVEs (running, paused or leaving: activated; shut down,
     * suspended or arriving: associated). The nNVE kept them across the restart (session epoch,
     * docs/protocol.md 5.2): a TSI re-announced in time keeps its state and its traffic; what is not
     * re-announced is released.
     */
    public CompletableFuture<OpResult> adopt(String name, List<TsiSpec> tsis, VmState state) {
        station.tick();
        return lifecycle.adopt(name, tsis, state);
    }

    /**
     * REL-1: {@link #adopt(String, List, VmState)} with the state its TSIs were announced in ({@link #wanted}
     * when it was recorded): ACTIVATED, ASSOCIATED, or INIT for a VM shut down with its TSIs de-associated,
     * which sends nothing. {@code migration}: the live migration the VM was in, or null.
     */
    public CompletableFuture<OpResult> adopt(String name, List<TsiSpec> tsis, VmState state, TsiState announce,
            UUID migration) {
        station.tick();
        return lifecycle.adopt(name, tsis, state, announce, migration);
    }

    /** True when every TSI of the VM is associated (or better) at every nNVE serving it. */
    public boolean associated(String name) {
        return lifecycle.associated(name);
    }

    /**
     * LC-CREATE, OPS-2: start activates the TSIs; the VM runs only when they are activated. TSIs that are
     * not associated (the VM was shut down, or the nNVE de-associated them) are associated first, as create
     * does, each asking for a new local tag; if that fails the VM stays shut down.
     */
    public CompletableFuture<OpResult> start(String name) {
        station.tick();
        return lifecycle.start(name);
    }

    /** LC-PAUSE: nothing changes at the nNVE. */
    public CompletableFuture<OpResult> pause(String name) {
        station.tick();
        return lifecycle.pause(name);
    }

    public CompletableFuture<OpResult> unpause(String name) {
        station.tick();
        return lifecycle.unpause(name);
    }

    /** LC-SUSPEND: Activated to Associated, resources kept (deactivate extension). */
    public CompletableFuture<OpResult> suspend(String name) {
        station.tick();
        return lifecycle.suspend(name);
    }

    /** LC-SUSPEND: resume activates again. */
    public CompletableFuture<OpResult> resume(String name) {
        station.tick();
        return lifecycle.resume(name);
    }

    /**
     * OPS-2, REQ-9: brings back a VM whose TSIs the nNVE deactivated or de-associated on its own initiative
     * (the end device reports that and never undoes it behind the orchestrator's back). Every TSI not in the
     * state the VM's state asks for (running or paused: activated; suspended: associated) is associated and
     * activated again, a de-associated one asking for a new local tag; addresses the nNVE deactivated are
     * activated again. A VM whose TSIs are all as they should be sends nothing.
     */
    public CompletableFuture<OpResult> reconnect(String name) {
        station.tick();
        return lifecycle.reconnect(name);
    }

    /**
     * LC-TERMINATE, OPS-2: power-off de-associates every TSI that is associated; the VM stays defined here,
     * SHUTDOWN ({@link #start} runs it again, {@link #delete} forgets it). A VM shut down already sends
     * nothing.
     */
    public CompletableFuture<OpResult> shutdown(String name) {
        station.tick();
        return lifecycle.shutdown(name);
    }

    /**
     * OPS-2: forgets a shut-down VM: it is no longer defined on this hypervisor (a TSI still associated,
     * e.g. a VM created and never started, is de-associated first). The VM is gone even when an nNVE does
     * not confirm that De-Associate (the answer says so).
     */
    public CompletableFuture<OpResult> delete(String name) {
        station.tick();
        return lifecycle.delete(name);
    }

    /** LC-MIGRATE, destination: associate with the arrival indication before the VM runs here. */
    public CompletableFuture<OpResult> migratePrepare(String name, List<TsiSpec> tsis, UUID migration) {
        station.tick();
        return migrations.migratePrepare(name, tsis, migration);
    }

    /** LC-MIGRATE, destination: activate (arrival); the VM runs here from now on. */
    public CompletableFuture<OpResult> migrateActivate(String name) {
        station.tick();
        return migrations.migrateActivate(name);
    }

    /**
     * LC-MIGRATE, source: the transfer of execution begins. The VM leaves RUNNING here (RFC 8394
     * section 2.2: it must not run on both hypervisors at once) while its TSIs stay activated until the
     * destination's are (make-before-break); {@link #migrateDepart} deactivates them after that. The nNVEs
     * that understand the migration extension are told the migration ID (REL-4: DEPARTURE, the TSIs still
     * activated); if one refuses or does not answer, the VM is as before and the result says why.
     */
    public CompletableFuture<OpResult> migrateStart(String name, UUID migration) {
        station.tick();
        return migrations.migrateStart(name, migration);
    }

    /** LC-MIGRATE, source: the VM stops here: deactivate with the departure indication. */
    public CompletableFuture<OpResult> migrateDepart(String name, UUID migration) {
        station.tick();
        return migrations.migrateDepart(name, migration);
    }

    /**
     * LC-MIGRATE, source: the migration is over: de-associate (LC-TERMINATE of the source side); the VM
     * left this hypervisor and is forgotten here.
     */
    public CompletableFuture<OpResult> migrateFinish(String name) {
        station.tick();
        return migrations.migrateFinish(name);
    }

    /** LC-MIGRATE abort: the source runs the VM again; the destination de-associates and forgets it. */
    public CompletableFuture<OpResult> migrateAbort(String name) {
        station.tick();
        return migrations.migrateAbort(name);
    }

    /**
     * REQ-8: deactivates some addresses of an activated TSI (they stop forwarding, resources stay), at
     * every nNVE serving it; deactivating every address is a plain deactivate (the TSI is Associated).
     * Needs the deactivate and TSI addresses extensions.
     */
    public CompletableFuture<OpResult> deactivateAddresses(String name, VsiId tsi, List<TsiAddress> addresses) {
        station.tick();
        return lifecycle.deactivateAddresses(name, tsi, addresses);
    }

    /** REQ-8: activates again some addresses of an activated TSI that were deactivated. */
    public CompletableFuture<OpResult> activateAddresses(String name, VsiId tsi, List<TsiAddress> addresses) {
        station.tick();
        return lifecycle.activateAddresses(name, tsi, addresses);
    }

    /** Addresses of a TSI deactivated at one nNVE while the TSI is Activated. */
    public List<TsiAddress> inactiveAddresses(String uplink, VsiId tsi) {
        return lifecycle.inactiveAddresses(uplink, tsi);
    }

    /**
     * REQ-10: adds, removes or replaces IP addresses of a TSI; the TSI's state does not change
     * (SM-TSI-6). Needs the TSI addresses extension on the nNVE.
     */
    public CompletableFuture<OpResult> updateAddresses(String name, VsiId tsi, TsiAddressTlv.Operation op,
            List<TsiAddress> addresses) {
        station.tick();
        return lifecycle.updateAddresses(name, tsi, op, addresses);
    }

    /**
     * REQ-5, REQ-7: connects a VN explicitly, before any TSI of it, on every nNVE that serves it, and
     * asks for local tags (0: "assign one"). Needs the VN connect extension.
     */
    public CompletableFuture<OpResult> connectVn(long vn, List<Integer> tags) {
        station.tick();
        return lifecycle.connectVn(vn, tags);
    }

    /** REQ-5: disconnects a VN explicitly (its TSIs must be gone for the nNVE to release it). */
    public CompletableFuture<OpResult> disconnectVn(long vn) {
        station.tick();
        return lifecycle.disconnectVn(vn);
    }

    // ------------------------------------------------------------------ queries

    /** The local tags an nNVE gave for an explicitly connected VN (REQ-7), or an empty list. */
    public List<Integer> vnTags(String uplink, long vn) {
        return station.uplinkByName.get(uplink).vnTags.getOrDefault(vn, List.of());
    }

    public Collection<Vm> vms() {
        return List.copyOf(station.vms.values());
    }

    public Vm vmNamed(String name) {
        return station.vms.get(name);
    }

    /** A TSI's state as one nNVE (uplink) confirmed it. */
    public TsiState tsiState(String uplink, VsiId tsi) {
        Uplink up = station.uplinkByName.get(uplink);
        Link l = up == null ? null : up.links.get(tsi);
        return l == null ? TsiState.INIT : l.confirmed;
    }

    /**
     * The local tag the nNVE answered for a TSI, or 0: also for a TSI at INIT, whose tag the nNVE released
     * (another VN may use it now).
     */
    public int localTag(String uplink, VsiId tsi) {
        Uplink up = station.uplinkByName.get(uplink);
        Link l = up == null ? null : up.links.get(tsi);
        return l == null || l.confirmed == TsiState.INIT ? 0 : l.tag;
    }

    /**
     * REL-1: the state this end device wants a VM's TSIs in at their nNVEs, the highest over its TSIs and
     * the uplinks serving them (INIT: none is to be associated, e.g. a VM shut down): what an agent that
     * restarts announces again ({@link #adopt(String, List, VmState, TsiState, UUID)}).
     */
    public TsiState wanted(String name) {
        Vm vm = lifecycle.vm(name);
        TsiState max = TsiState.INIT;
        for (TsiSpec spec : vm.tsis) {
            for (Uplink up : placement.uplinksFor(spec.vnId())) {
                Link l = up.links.get(spec.id());
                if (l != null && l.desired.compareTo(max) > 0) {
                    max = l.desired;
                }
            }
        }
        return max;
    }

    public boolean uplinkAlive(String uplink) {
        return station.uplinkByName.get(uplink).alive;
    }

    /** The nNVE's MAC on an uplink: configured, or learned from its first frame; null while unknown. */
    public MacAddress uplinkPeer(String uplink) {
        return station.uplinkByName.get(uplink).nnve;
    }

    public boolean uplinkHasExtensions(String uplink) {
        return station.uplinkByName.get(uplink).common != null;
    }

    /**
     * REL-7: whether the nNVE holds what this end device believes it holds on an uplink: the uplink is
     * ready and alive and no resynchronisation is under way or owed.
     */
    public boolean uplinkInSync(String uplink) {
        Uplink up = station.uplinkByName.get(uplink);
        return up.ready && up.alive && up.resyncLeft == 0 && !up.resyncPending;
    }

    /** OPS-1: the IP addresses of a TSI as one nNVE (uplink) acknowledged them. */
    public List<TsiAddress> acknowledgedIps(String uplink, VsiId tsi) {
        Uplink up = station.uplinkByName.get(uplink);
        Link l = up == null ? null : up.links.get(tsi);
        return l == null || l.confirmed == TsiState.INIT ? List.of() : l.ackedIps;
    }

    public EcpEndpoint ecp(String uplink) {
        return station.uplinkByName.get(uplink).ecp;
    }

    public int epoch() {
        return station.epoch;
    }
}
