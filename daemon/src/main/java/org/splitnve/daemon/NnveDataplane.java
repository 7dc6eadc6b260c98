package org.splitnve.daemon;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import org.splitnve.daemon.config.DataplaneSettings;
import org.splitnve.daemon.log.DaemonEvent;
import org.splitnve.daemon.log.EventLog;
import org.splitnve.dataplane.DataplaneState;
import org.splitnve.dataplane.Flow;
import org.splitnve.dataplane.FlowTable;
import org.splitnve.dataplane.SwitchAgent;
import org.splitnve.dataplane.openflow.OfMessage;
import org.splitnve.nnve.NnveEngine;
import org.splitnve.nnve.Tsi;
import org.splitnve.nnve.TsiState;
import org.splitnve.nnve.VnKey;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.Nva;
import org.splitnve.nva.NveId;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.service.Resource;
import org.splitnve.nva.service.client.ReplicaNva;
import org.splitnve.protocol.PortAgent;
import org.splitnve.transport.AgentRunner;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.TsiAddress;

/**
 * [dataplane] (issue 11, docs/dataplane.md): the nNVE daemon's side of its Open vSwitch bridge. Every effect of the
 * engine and every change the NVA client brings into the replica marks the model stale; one task on the engine thread
 * (queued behind the frame or change being processed, so that it reads the state they leave) then rebuilds the
 * {@link DataplaneState} from the engine's TSIs and the NVA's view of the other NVEs, turns it into flows
 * ({@link org.splitnve.dataplane.Pipeline}: only the VNs whose part of the model changed are recomputed, {@link
 * FlowTable}) and hands them with their difference from the previous table to the {@link SwitchAgent}, which sends only
 * that difference on its own thread.
 * The engine thread never waits for the switch: {@link SwitchAgent#desire} only replaces a reference and queues a
 * signal.
 */
final class NnveDataplane implements AutoCloseable {
    private final DataplaneSettings settings;
    private final NveId self;
    private final Nva nva;
    private final EventLog log;
    private final SwitchAgent agent;
    private AgentRunner<PortAgent> runner;
    private NnveEngine[] engine;
    /** Engine thread: a refresh is queued and has not run yet. */
    private boolean pending;
    /** Engine thread: the model last handed to the agent. */
    private DataplaneState last;
    /** Engine thread: the number the agent gave the last desired table ({@link SwitchAgent#desire}). */
    private long lastNumber = -1;
    /** Engine thread: the desired flows, recomputed per VN whose part of the model changed. */
    private final FlowTable table = new FlowTable();
    /** Engine thread: the flows of {@link #last} ({@code show flows} explains them). */
    private List<Flow> lastFlows = List.of();
    /** Engine thread: migration destinations ("TSI@OpenFlow port") their first frame unblocked (DP-5). */
    private final Set<String> unblocked = new java.util.HashSet<>();
    /** Packet-ins handed to the engine thread and not handled yet: bounded, whatever a blocked VM sends. */
    private final java.util.concurrent.atomic.AtomicInteger packetIns = new java.util.concurrent.atomic.AtomicInteger();
    private static final int MAX_PACKET_INS = 64;
    /**
     * The bridge's ports by interface name as the switch last described them (the agent's thread writes it); null before
     * the first description. Only read when a port is configured by name ({@link DataplaneSettings#named}).
     */
    private volatile Map<String, Integer> portsByName;

    NnveDataplane(DataplaneSettings settings, String self, Nva nva, EventLog log) {
        this.settings = settings;
        this.self = NveId.of(self);
        this.nva = nva;
        this.log = log;
        this.agent = new SwitchAgent(settings.socket(), 10_000, Duration.ofSeconds(5), Duration.ofMillis(50),
                settings.audit(), line -> log.accept(new DaemonEvent.Dataplane("switch", line)));
        if (settings.named()) {
            agent.onPorts(this::ports);
        }
    }

    /** Engine thread: the switch agent was started (once it had the first desired table). */
    private boolean agentStarted;

    /**
     * Queues the first model; the switch agent starts (it connects on its own thread, retrying until the bridge
     * answers) once it holds that model. REL-2: a switch agent connected before it would bring the bridge to the empty
     * table; an nNVE restarted with its TSIs (its [state] journal) would remove their flows, and the VMs would stop
     * forwarding until they were installed again.
     */
    void start(AgentRunner<PortAgent> r, NnveEngine[] e) {
        this.runner = r;
        this.engine = e;
        agent.onPacketIn(this::packetIn);
        if (settings.named()) {
            // the first model needs the ports' numbers: the agent reads them when it connects, and programs nothing
            // before the first table made from them (onPorts)
            agentStarted = true;
            agent.start();
        }
        changed();
    }

    /**
     * The agent's thread: the switch described its ports (on connecting, on a port status message, at each audit). When
     * a configured interface's number changed (it appeared, went, or was added again with another number), the model
     * is made again on the engine thread.
     */
    private void ports(List<OfMessage.Port> ports) {
        Map<String, Integer> now = new java.util.HashMap<>();
        for (OfMessage.Port p : ports) {
            now.put(p.name(), p.number());
        }
        Map<String, Integer> was = portsByName;
        if (was != null && resolved(was).equals(resolved(now))) {
            portsByName = now;
            return;
        }
        portsByName = now;
        List<String> missing = new ArrayList<>();
        StringBuilder found = new StringBuilder();
        List<DataplaneSettings.BridgePort> all = new ArrayList<>(settings.ports());
        all.add(settings.tunnel());
        for (DataplaneSettings.BridgePort b : all) {
            if (b.name() != null) {
                Integer n = now.get(b.name());
                if (n == null) {
                    missing.add(b.name());
                } else {
                    found.append(found.isEmpty() ? "" : ", ").append(b.name()).append(" = ").append(n);
                }
            }
        }
        String tunnel = settings.tunnel().name() != null && !now.containsKey(settings.tunnel().name())
                ? "; the tunnel's interface is not on the bridge: nothing is programmed until it is" : "";
        log.accept(new DaemonEvent.Dataplane("ports", "the bridge's ports by name: " + (found.isEmpty() ? "none found"
                : found) + (missing.isEmpty() ? "" : "; not on the bridge (nothing programmed for them): "
                + String.join(", ", missing)) + tunnel));
        try {
            log.logFailure("data plane ports", runner.submit(this::changed));
        } catch (RejectedExecutionException e) {
            // the daemon stops
        }
    }

    /** The configured ports' numbers under {@code byName}: tunnel first, then each [[port]] (-1: not on the bridge). */
    private List<Integer> resolved(Map<String, Integer> byName) {
        List<Integer> out = new ArrayList<>();
        out.add(ofport(settings.tunnel(), byName));
        for (DataplaneSettings.BridgePort b : settings.ports()) {
            out.add(ofport(b, byName));
        }
        return out;
    }

    private static int ofport(DataplaneSettings.BridgePort b, Map<String, Integer> byName) {
        if (b.name() == null) {
            return b.ofport();
        }
        Integer n = byName == null ? null : byName.get(b.name());
        return n == null ? -1 : n;
    }

    /** The OpenFlow port number of [[port]] {@code index} now; -1 when not known (a name not on the bridge). */
    private int ofport(int index) {
        return index < 0 || index >= settings.ports().size() ? -1 : ofport(settings.ports().get(index), portsByName);
    }

    /** The [[port]] whose bridge port has OpenFlow number {@code ofport}; -1 when none. */
    private int portOf(int ofport) {
        for (int i = 0; i < settings.ports().size(); i++) {
            if (ofport(i) == ofport) {
                return i;
            }
        }
        return -1;
    }

    /** The switch connection's reader thread: a frame the flows sent to the nNVE, handed to the engine thread. */
    private void packetIn(OfMessage.PacketIn p) {
        if (packetIns.incrementAndGet() > MAX_PACKET_INS) {
            packetIns.decrementAndGet();
            return; // enough of them wait for the engine: this frame is lost, as on a busy switch
        }
        try {
            log.logFailure("data plane packet-in", runner.submit(() -> {
                packetIns.decrementAndGet();
                firstFrame(p);
            }));
        } catch (RejectedExecutionException e) {
            packetIns.decrementAndGet(); // the daemon stops
        }
    }

    /**
     * Engine thread, DP-5: a frame the switch sent to the nNVE. From a live migration's destination still blocked
     * (ARRIVING: the VM runs there now, and this is its first frame, e.g. QEMU's RARP announcement) it unblocks that
     * instance at once, ahead of the migration's commit (the activation at the destination); the frame itself goes back
     * through the tables once the switch holds the new flows, so it is not lost. Anything else is logged and dropped.
     */
    private void firstFrame(OfMessage.PacketIn p) {
        byte[] f = p.data().toArray();
        int inPort = p.inPort();
        if (f.length < 18 || inPort < 0 || (((f[12] & 0xff) << 8) | (f[13] & 0xff)) != 0x8100) {
            log.accept(new DaemonEvent.Dataplane("packet_in_ignored", "OpenFlow port " + inPort + ", " + f.length
                    + " octets: not a tagged frame from a trunk"));
            return;
        }
        long src = 0;
        for (int i = 6; i < 12; i++) {
            src = (src << 8) | (f[i] & 0xff);
        }
        int vid = (((f[14] & 0xff) << 8) | (f[15] & 0xff)) & 0xfff;
        String mac = new org.splitnve.wire.MacAddress(src).toString();
        DataplaneState.Tsi from = null;
        for (DataplaneState.Tsi t : last == null ? List.<DataplaneState.Tsi>of() : last.tsis()) {
            long m = src;
            boolean migrating = t.state() == DataplaneState.TsiState.ARRIVING
                    || t.state() == DataplaneState.TsiState.ARRIVED;
            if (migrating && t.port() == inPort && t.tag() == vid && t.addresses().stream().anyMatch(a -> a.mac() == m)) {
                from = t;
                break;
            }
        }
        if (from == null) {
            log.accept(new DaemonEvent.Dataplane("packet_in_ignored", "OpenFlow port " + inPort + ", tag " + vid
                    + ", from " + mac + ": no migration destination waits there"));
            return;
        }
        if (from.state() == DataplaneState.TsiState.ARRIVING) {
            unblocked.add(key(from.id(), inPort));
            // the NVA learns at once where the VM runs now (the other NVEs follow before the commit)
            int port = portOf(inPort);
            for (Tsi t : engine[0].tsis()) {
                if (t.port() == port && t.arriving() && t.id().toString().equals(from.id())) {
                    engine[0].firstFrame(t.id(), port);
                    break;
                }
            }
            log.accept(new DaemonEvent.Dataplane("arrival", "TSI " + from.id() + " on OpenFlow port " + inPort
                    + ", tag " + vid + ": first frame from " + mac + " (ethertype 0x" + Integer.toHexString(
                    ((f[16] & 0xff) << 8) | (f[17] & 0xff)) + ") at the migration's destination; unblocked before its"
                    + " activation"));
            refresh();
        }
        if (!agent.packetOut(lastNumber, inPort, p.data())) {
            log.accept(new DaemonEvent.Dataplane("packet_in_ignored", "OpenFlow port " + inPort + ", from " + mac
                    + ": too many frames wait for the switch's new flows; this one is dropped"));
        }
    }

    private static String key(String tsi, int ofport) {
        return tsi + "@" + ofport;
    }

    /** Engine thread: the model, its flows and their table's number last handed to the agent; null before the first. */
    org.splitnve.daemon.http.DataplaneApi.Desired desired() {
        return last == null ? null : new org.splitnve.daemon.http.DataplaneApi.Desired(last, lastFlows, lastNumber);
    }

    /** The switch agent (its counters: connects, applied, synced). */
    SwitchAgent agent() {
        return agent;
    }

    /** The model last handed to the switch agent (read it on the engine thread), or null before the first. */
    DataplaneState state() {
        return last;
    }

    /**
     * Engine thread: true when the switch holds the flows of the engine's and the NVA's state as of now (no refresh
     * queued, the last model applied): what tests wait for before they probe the data plane.
     */
    boolean installed() {
        return !pending && lastNumber >= 0 && agent.installed() >= lastNumber;
    }

    /** Engine thread (or any, before start): something the model is made of changed; a refresh is queued once. */
    void changed() {
        if (runner == null || pending) {
            return;
        }
        pending = true;
        if (!runner.isEngineThread()) {
            queueRefresh();
            return;
        }
        // The engine emits its effects in the middle of a transition (a migration's destination Activated before it
        // took the NVA entries from the source): on the engine thread AgentRunner.submit would run the refresh at once,
        // on that half-made state, and the switch could get it (traffic toward the VM sent to the source for a moment).
        // Queued from another thread, it runs after the engine's task.
        Thread.ofVirtual().name("dataplane-refresh").start(this::queueRefresh);
    }

    private void queueRefresh() {
        try {
            log.logFailure("data plane refresh", runner.submit(this::refresh));
        } catch (RejectedExecutionException e) {
            // the daemon stops: the model is not needed any more
        }
    }

    /** Engine thread: the model from the engine and the NVA; to the agent when it changed. */
    private void refresh() {
        pending = false;
        if (settings.named() && (portsByName == null || ofport(settings.tunnel(), portsByName) < 0)) {
            return; // the ports are not described yet (or the tunnel is not on the bridge: logged); nothing to program
        }
        DataplaneState s = model();
        if (s.equals(last)) {
            return;
        }
        last = s;
        FlowTable.Delta d = table.update(s); // only the VNs whose part of the model changed are recomputed
        List<Flow> flows = d.all();
        lastFlows = flows;
        lastNumber = agent.desire(flows, d.upserts(), d.removals());
        if (!agentStarted) {
            agentStarted = true;
            agent.start();
        }
        long activated = s.tsis().stream().filter(t -> t.state() == DataplaneState.TsiState.ACTIVATED).count();
        log.accept(new DaemonEvent.Dataplane("desired", s.tsis().size() + " TSIs (" + activated + " Activated), "
                + s.vns().size() + " VNs, " + s.remotes().size() + " remote NVEs, " + flows.size() + " flows; "
                + d.vnsRecomputed() + " VNs recomputed, " + d.upserts().size() + " flows to add or replace, "
                + d.removals().size() + " to delete"));
    }

    /** The data plane's model now (engine thread). */
    DataplaneState model() {
        Map<Integer, Integer> vns = new LinkedHashMap<>();
        List<DataplaneState.Tsi> tsis = new ArrayList<>();
        // DP-5: a TSI Activated on two ports of this nNVE is a migration between them (make-before-break)
        Map<org.splitnve.wire.vdp.VsiId, Integer> activated = new java.util.HashMap<>();
        for (Tsi t : engine[0].tsis()) {
            if (t.state() == TsiState.ACTIVATED) {
                activated.merge(t.id(), 1, Integer::sum);
            }
        }
        Set<String> moving = new java.util.HashSet<>();
        Map<String, List<TsiAddress>> withdrawn = withdrawn();
        for (Tsi t : engine[0].tsis()) {
            Optional<VnRecord> vn = vnOf(t.vap().vn().key());
            int tag = t.vap().tag();
            // REL-2: a TSI restored before the NVA's replica has its VN (the first model after a restart) goes by the
            // VN as the engine resolved it
            Integer id = vn.map(VnRecord::id).orElse(t.vap().vn().key() instanceof VnKey.Id k && t.vap().vn().vni() >= 0
                    ? (int) k.id() : null);
            int ofport = ofport(t.port());
            if (t.state() == TsiState.INIT || id == null || tag < 1 || tag > 4094 || ofport < 0) {
                continue;
            }
            String key = key(t.id().toString(), ofport);
            boolean twice = t.state() == TsiState.ACTIVATED && activated.getOrDefault(t.id(), 0) > 1;
            if (t.arriving() || twice) {
                moving.add(key);
            }
            // the destination: blocked until its first frame (ARRIVING); then, and once activated while the source
            // still is, it gets the TSI's traffic (ARRIVED), the source until then
            DataplaneState.TsiState state;
            if (t.state() == TsiState.ASSOCIATED) {
                state = !t.arriving() ? DataplaneState.TsiState.ASSOCIATED
                        : unblocked.contains(key) ? DataplaneState.TsiState.ARRIVED : DataplaneState.TsiState.ARRIVING;
            } else {
                state = twice && (t.ownsNvaEntries() || unblocked.contains(key)) ? DataplaneState.TsiState.ARRIVED
                        : DataplaneState.TsiState.ACTIVATED;
            }
            vns.putIfAbsent(id, vn.map(VnRecord::context).orElse(t.vap().vn().vni()));
            tsis.add(new DataplaneState.Tsi(t.id().toString(), ofport, tag, name(id), state,
                    addresses(t, withdrawn.getOrDefault(t.id() + "/" + t.port(), List.of()))));
        }
        unblocked.retainAll(moving); // a migration over (or aborted) forgets its destination's first frame
        return new DataplaneState(ofport(settings.tunnel(), portsByName),
                vns.entrySet().stream().map(v -> new DataplaneState.Vn(name(v.getKey()), v.getValue())).toList(), tsis,
                remotes(vns.keySet()));
    }

    /**
     * The other NVEs serving the VNs this nNVE has TSIs in, from the replica of the NVA (the NVE registry: VTEPs and
     * VNs; the mapping entries: forwarding addresses). The in-memory NVA ([nva] local) knows no other NVE.
     */
    private List<DataplaneState.RemoteNve> remotes(Set<Integer> served) {
        if (!(nva instanceof ReplicaNva replica)) {
            return List.of();
        }
        Map<NveId, Inet4Address> vteps = new LinkedHashMap<>();
        Map<NveId, Set<Integer>> nveVns = new LinkedHashMap<>();
        Map<NveId, List<DataplaneState.RemoteAddress>> addresses = new LinkedHashMap<>();
        for (Resource r : replica.replica().sorted()) {
            switch (r) {
                case Resource.Nve n when !n.nve().equals(self) && n.registration().vtep() instanceof Inet4Address v4 -> {
                    vteps.put(n.nve(), v4);
                    nveVns.put(n.nve(), n.registration().vns());
                }
                case Resource.Mapping m when !m.entry().instance().nve().equals(self)
                        && m.entry().state() == EntryState.FORWARDING && served.contains(m.entry().instance().vnId()) -> {
                    List<TsiAddress> held = m.entry().held();
                    Map<Long, List<InetAddress>> byMac = new LinkedHashMap<>();
                    for (TsiAddress a : m.entry().addresses()) {
                        if (a.mac() != null && !held.contains(a)) {
                            List<InetAddress> ips = byMac.computeIfAbsent(a.mac().value(), k -> new ArrayList<>());
                            if (a.ip() != null && a.prefixLength() == full(a.ip())) {
                                ips.add(a.ip());
                            }
                        }
                    }
                    // an IP the entry names without a MAC belongs to its one MAC (a TSI with several: unknown)
                    for (TsiAddress a : m.entry().addresses()) {
                        if (a.mac() == null && a.ip() != null && byMac.size() == 1 && !held.contains(a)
                                && a.prefixLength() == full(a.ip())) {
                            byMac.values().iterator().next().add(a.ip());
                        }
                    }
                    List<DataplaneState.RemoteAddress> out = addresses.computeIfAbsent(m.entry().instance().nve(),
                            k -> new ArrayList<>());
                    byMac.forEach((mac, ips) -> out.add(new DataplaneState.RemoteAddress(
                            name(m.entry().instance().vnId()), mac, ips)));
                    nveVns.computeIfAbsent(m.entry().instance().nve(), k -> new LinkedHashSet<>());
                }
                default -> {
                }
            }
        }
        List<DataplaneState.RemoteNve> out = new ArrayList<>();
        vteps.forEach((nve, vtep) -> {
            List<String> vnsOf = new ArrayList<>();
            Set<Integer> registered = new LinkedHashSet<>(nveVns.getOrDefault(nve, Set.of()));
            for (DataplaneState.RemoteAddress a : addresses.getOrDefault(nve, List.of())) {
                registered.add(Integer.parseUnsignedInt(a.vn().substring(3)));
            }
            for (int vn : registered) {
                if (served.contains(vn)) {
                    vnsOf.add(name(vn));
                }
            }
            if (!vnsOf.isEmpty()) {
                out.add(new DataplaneState.RemoteNve(nve.toString(), vtep, vnsOf, addresses.getOrDefault(nve, List.of())));
            }
        });
        return out;
    }

    /**
     * NVA-6: the addresses of this nNVE's instances that another NVE claimed with a newer mobility sequence number (a
     * live migration's destination behind it), as the NVA lists them in this nNVE's own mapping entries, by
     * "TSI/port": the data plane stops forwarding them here, so the other NVE's entry takes their traffic.
     */
    private Map<String, List<TsiAddress>> withdrawn() {
        if (!(nva instanceof ReplicaNva replica)) {
            return Map.of();
        }
        Map<String, List<TsiAddress>> out = new java.util.HashMap<>();
        for (Resource r : replica.replica().sorted()) {
            if (r instanceof Resource.Mapping m && m.entry().instance().nve().equals(self)
                    && !m.entry().withdrawn().isEmpty()) {
                out.put(m.entry().instance().vsi() + "/" + m.entry().instance().port(), m.entry().withdrawn());
            }
        }
        return out;
    }

    /**
     * The TSI's MACs (its filter), each with the IPs declared for it; an address held (REQ-8, REQ-9) or withdrawn by
     * the NVA ({@code withdrawn}, NVA-6) passes nothing.
     */
    private static List<DataplaneState.Address> addresses(Tsi t, List<TsiAddress> withdrawn) {
        Set<Long> macs = new LinkedHashSet<>();
        for (FilterEntry f : t.filter().entries()) {
            if (f.mac() != null) {
                macs.add(f.mac().value());
            }
        }
        for (TsiAddress a : t.addresses()) {
            if (a.mac() != null) {
                macs.add(a.mac().value());
            }
        }
        List<DataplaneState.Address> out = new ArrayList<>();
        for (long mac : macs) {
            List<InetAddress> ips = new ArrayList<>();
            boolean held = false;
            for (TsiAddress a : t.addresses()) {
                if (a.ip() != null && (a.mac() == null || a.mac().value() == mac) && a.prefixLength() == full(a.ip())) {
                    ips.add(a.ip());
                }
            }
            List<TsiAddress> off = new ArrayList<>(t.held());
            off.addAll(withdrawn);
            for (TsiAddress h : off) {
                if (h.mac() != null && h.mac().value() == mac && h.ip() == null) {
                    held = true;
                }
                ips.remove(h.ip());
            }
            out.add(new DataplaneState.Address(mac, ips, held));
        }
        return out;
    }

    private static int full(InetAddress ip) {
        return ip instanceof Inet4Address ? 32 : 128;
    }

    private Optional<VnRecord> vnOf(VnKey key) {
        return switch (key) {
            case VnKey.Id id -> nva.vnById((int) id.id());
            case VnKey.Name n -> nva.vnByName(n.name());
            default -> Optional.empty();
        };
    }

    private static String name(int vnId) {
        return "vn-" + Integer.toUnsignedString(vnId);
    }

    @Override
    public void close() {
        agent.close();
    }
}
