package org.splitnve.daemon;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import org.splitnve.daemon.config.DataplaneSettings;
import org.splitnve.daemon.log.DaemonEvent;
import org.splitnve.daemon.log.EventLog;
import org.splitnve.dataplane.DataplaneState;
import org.splitnve.dataplane.FlowTable;
import org.splitnve.dataplane.SwitchAgent;
import org.splitnve.dataplane.openflow.OfMessage;
import org.splitnve.nnve.NnveEngine;
import org.splitnve.nnve.Tsi;
import org.splitnve.nva.Nva;
import org.splitnve.nva.NveId;
import org.splitnve.nva.service.client.ReplicaNva;
import org.splitnve.protocol.PortAgent;
import org.splitnve.transport.AgentRunner;

/**
 * [dataplane] (issue 11, docs/dataplane.md): the nNVE daemon's side of its Open vSwitch bridge. Every effect and event
 * of the engine names the TSIs it changed, and the NVA replica's listener the resources a change put or removed; they
 * mark those parts of the {@link NnveDataplaneModel} stale, and one task on the engine thread (queued behind the frame
 * or change being processed, so that it reads the state they leave) then makes those parts again, recomputes the flows
 * of the VNs they touched ({@link org.splitnve.dataplane.Pipeline}, {@link FlowTable}) and hands their difference from
 * the previous table to the {@link SwitchAgent}, which sends only that difference on its own thread: work proportional
 * to what changed (per VN), not to the number of TSIs. Every {@code audit} a bounded share of the TSIs is made again
 * from scratch and compared with the model (a change no input named is repaired and logged).
 * The engine thread never waits for the switch: {@link SwitchAgent#desire} only replaces a reference and queues a
 * signal.
 */
final class NnveDataplane implements AutoCloseable {
    private final DataplaneSettings settings;
    private final EventLog log;
    private final SwitchAgent agent;
    private AgentRunner<PortAgent> runner;
    private NnveEngine[] engine;
    /** Engine thread: a refresh is queued and has not run yet. */
    private boolean pending;
    /** Engine thread: the model, kept up to date by what changed. */
    private final NnveDataplaneModel model;
    /** Engine thread: the number the agent gave the last desired table ({@link SwitchAgent#desire}). */
    private long lastNumber = -1;
    /** Engine thread: the desired flows, recomputed per VN whose part of the model changed. */
    private final FlowTable table = new FlowTable();
    /** Engine thread: the table last handed to the agent ({@code show flows} explains it); null before. */
    private FlowTable.Table lastTable;
    /** TSIs the periodic audit makes again from scratch per turn (bounded work on the engine thread). */
    static final int AUDIT_TSIS = 2_000;
    private final java.util.concurrent.atomic.AtomicLong modelAudits = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong modelRepairs = new java.util.concurrent.atomic.AtomicLong();
    private volatile Thread auditor;
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
        this.log = log;
        this.agent = new SwitchAgent(settings.socket(), 10_000, Duration.ofSeconds(5), Duration.ofMillis(50),
                settings.audit(), line -> log.accept(new DaemonEvent.Dataplane("switch", line)));
        if (settings.named()) {
            agent.onPorts(this::ports);
        }
        this.model = new NnveDataplaneModel(NveId.of(self), nva, NnveDataplaneModel.Source.of(() -> engine[0].tsis(),
                id -> engine[0].instances(id), settings.ports().size(), this::ofport,
                () -> ofport(settings.tunnel(), portsByName)));
        if (nva instanceof ReplicaNva replica) {
            replica.onReplicaChange(model::resourceChanged);
        }
    }

    /** Engine thread: an effect of the engine (the TSIs it names may have changed). */
    void effect(org.splitnve.nnve.Effect e) {
        model.effect(e);
        changed();
    }

    /** Engine thread: an event of the engine, passed on to {@code next} (a TSI's state or addresses may have changed). */
    org.splitnve.protocol.event.EventSink events(org.splitnve.protocol.event.EventSink next) {
        return e -> {
            boolean touched = model.event(e);
            next.accept(e);
            if (touched) {
                changed();
            }
        };
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
        Thread a = Thread.ofVirtual().name("dataplane-model-audit").unstarted(this::audits);
        auditor = a;
        a.start();
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
            log.logFailure("data plane ports", runner.submit(this::changed)); // the model sees the numbers move
        } catch (RejectedExecutionException e) {
            // the daemon stops
        }
    }

    /** Every {@code audit}: a turn of the model's audit on the engine thread. */
    private void audits() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(settings.audit());
                log.logFailure("data plane model audit", runner.submit(this::auditTurn));
            }
        } catch (InterruptedException | RejectedExecutionException e) {
            // closed, or the daemon stops
        }
    }

    /**
     * Engine thread: up to {@link #AUDIT_TSIS} TSIs made again from the engine and compared with the model; those that
     * differ (a change that no effect or event named: a defect) are logged and repaired by the next update.
     */
    private void auditTurn() {
        if (model.dirty()) {
            refresh(); // what was named so far goes in first: the audit looks for what was not
            if (model.dirty()) {
                return; // nothing can be programmed yet (the bridge's ports not described)
            }
        }
        modelAudits.incrementAndGet();
        List<org.splitnve.wire.vdp.VsiId> off = model.audit(AUDIT_TSIS);
        if (!off.isEmpty()) {
            modelRepairs.addAndGet(off.size());
            log.accept(new DaemonEvent.Dataplane("model_repaired", off.size() + " TSIs differed from the engine's state"
                    + " (a change no effect or event named): " + off.stream().limit(5).map(Object::toString).toList()
                    + "; made again"));
            changed();
        }
    }

    /**
     * Engine thread: the VNs in which the model, once every change named so far is in, differs from one made from
     * scratch now (at most {@code max}); empty when exact (tests, after every scenario). O(TSIs).
     */
    List<String> modelDifferences(int max) {
        if (model.dirty()) {
            refresh(); // what was named so far goes in first (the refresh queued for it then finds nothing to do)
        }
        return model.differences(max);
    }

    /** Turns of the model's audit so far, and TSIs it found differing (and repaired). */
    long modelAudits() {
        return modelAudits.get();
    }

    long modelRepairs() {
        return modelRepairs.get();
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
        Optional<NnveDataplaneModel.Migrating> found = model.migrating(inPort, vid, src);
        if (found.isEmpty()) {
            log.accept(new DaemonEvent.Dataplane("packet_in_ignored", "OpenFlow port " + inPort + ", tag " + vid
                    + ", from " + mac + ": no migration destination waits there"));
            return;
        }
        DataplaneState.Tsi from = found.get().tsi();
        if (from.state() == DataplaneState.TsiState.ARRIVING) {
            model.unblock(found.get().id(), inPort);
            // the NVA learns at once where the VM runs now (the other NVEs follow before the commit)
            int port = portOf(inPort);
            for (Tsi t : engine[0].instances(found.get().id())) {
                if (t.port() == port && t.arriving()) {
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

    /** Engine thread: the model, its flows and their table's number last handed to the agent; null before the first. */
    org.splitnve.daemon.http.DataplaneApi.Desired desired() {
        return lastTable == null ? null : new org.splitnve.daemon.http.DataplaneApi.Desired(model.state(),
                lastTable.all(), lastNumber);
    }

    /** The switch agent (its counters: connects, applied, synced). */
    SwitchAgent agent() {
        return agent;
    }

    /**
     * The model last handed to the switch agent (read it on the engine thread; O(TSIs): for reads and tests), or null
     * before the first.
     */
    DataplaneState state() {
        return lastTable == null ? null : model.state();
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

    /**
     * Engine thread: the model brought up to date with what changed; the flows of the VNs it touched recomputed; their
     * difference to the agent when there is one.
     */
    private void refresh() {
        pending = false;
        if (settings.named() && (portsByName == null || ofport(settings.tunnel(), portsByName) < 0)) {
            return; // the ports are not described yet (or the tunnel is not on the bridge: logged); nothing to program
        }
        long t0 = System.nanoTime();
        NnveDataplaneModel.Update u = model.update();
        if (u.empty() && lastTable != null) {
            return; // nothing the flows are made of changed
        }
        long t1 = System.nanoTime();
        FlowTable.Delta d = table.update(u.changed(), u.gone()); // only the VNs touched are recomputed
        long t2 = System.nanoTime();
        if (d.empty() && lastTable != null) {
            lastTable = d.table();
            return;
        }
        lastTable = d.table();
        FlowTable.Table handed = d.table();
        lastNumber = agent.desire(handed::all, d.upserts(), d.removals());
        if (!agentStarted) {
            agentStarted = true;
            agent.start();
        }
        log.accept(new DaemonEvent.Dataplane("desired", model.instances() + " TSIs (" + model.activated()
                + " Activated), " + model.vns() + " VNs, " + model.remoteNves() + " remote NVEs, " + handed.size()
                + " flows; " + (u.whole() ? "model made whole (" + model.lastWholeWhy() + ")" : u.tsisRecomputed()
                + " TSIs and " + u.resourcesRead() + " NVA resources read again") + ", " + d.vnsRecomputed()
                + " VNs recomputed, " + d.upserts().size() + " flows to add or replace, " + d.removals().size()
                + " to delete; model " + (t1 - t0) / 1_000 + " us, flows " + (t2 - t1) / 1_000 + " us"));
    }

    @Override
    public void close() {
        Thread a = auditor;
        if (a != null) {
            a.interrupt();
        }
        agent.close();
    }
}
