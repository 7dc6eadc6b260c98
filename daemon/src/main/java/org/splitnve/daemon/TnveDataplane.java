package org.splitnve.daemon;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.splitnve.daemon.config.TnveDataplaneSettings;
import org.splitnve.daemon.config.TnveSettings;
import org.splitnve.daemon.log.DaemonEvent;
import org.splitnve.daemon.log.EventLog;
import org.splitnve.dataplane.Flow;
import org.splitnve.dataplane.HypervisorPipeline;
import org.splitnve.dataplane.HypervisorState;
import org.splitnve.dataplane.HypervisorState.Attachment;
import org.splitnve.dataplane.HypervisorState.PortRef;
import org.splitnve.dataplane.SwitchAgent;
import org.splitnve.dataplane.openflow.OfMessage.Port;
import org.splitnve.protocol.PortAgent;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TnveEvent;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.Vm;
import org.splitnve.tnve.VmState;
import org.splitnve.transport.AgentRunner;

/**
 * The tNVE's [dataplane] (DP-4, docs/dataplane.md): the hypervisor's Open vSwitch bridge, programmed with the same
 * machinery as the nNVE's (a {@link SwitchAgent}: desired versus installed, only the difference, atomic bundles). Each
 * TSI's port passes frames only while the TSI is Activated at its nNVE and its VM runs (a paused or suspended VM:
 * nothing), tagged toward the nNVE with the local tag the nNVE returned over VDP. Every change of a TSI's state, of its
 * local tag or of a VM's state marks the model stale; one task on the engine thread rebuilds it and, if it changed,
 * hands it to the agent, which finds the ports by name or MAC (OpenFlow port description) and applies the difference
 * on its own thread. The engine never waits for the switch.
 */
final class TnveDataplane implements AutoCloseable {
    private final TnveDataplaneSettings settings;
    private final List<TnveSettings.UplinkSettings> uplinks;
    private final EventLog log;
    private final SwitchAgent agent;
    /** Set once by {@link #start}; read on the engine thread. */
    private volatile TnveEngine[] engine;
    private volatile AgentRunner<PortAgent> runner;
    /** Engine thread: the agent was started (with the first model). */
    private boolean started;
    /** Engine thread: a refresh is queued and has not run yet. */
    private boolean pending;
    /** Engine thread: the model last handed to the agent. */
    private HypervisorState last;
    /** Engine thread: the number the agent gave the last desired table. */
    private long lastNumber = -1;
    /** Agent thread: the ports of the model the switch did not have at the last apply (logged when it changes). */
    private Set<String> missing = Set.of();

    TnveDataplane(TnveDataplaneSettings settings, List<TnveSettings.UplinkSettings> uplinks, EventLog log) {
        this.settings = settings;
        this.uplinks = List.copyOf(uplinks);
        this.log = log;
        this.agent = new SwitchAgent(settings.socket(), 10_000, Duration.ofSeconds(5), Duration.ofMillis(50),
                settings.audit(), line -> log.accept(new DaemonEvent.Dataplane("switch", line)));
    }

    /**
     * Queues the first model once {@code adopted} completes; the switch agent starts with it (it connects on its own
     * thread, retrying until the bridge answers), so that it never applies the empty table it holds before. The VMs a
     * restarted tNVE takes over have their TSIs at INIT until their nNVEs answer the announcement: until then the bridge
     * keeps the flows it has (secure, never flushed) rather than losing them for that round trip (DP-6).
     */
    void start(AgentRunner<PortAgent> r, TnveEngine[] e, CompletableFuture<?> adopted) {
        this.engine = e;
        CompletableFuture<?> _ = adopted.whenComplete((v, x) -> {
            this.runner = r;
            log.logFailure("data plane start", r.submit(this::changed));
        });
    }

    /** Engine thread: the engine's events that change what the switch must do. */
    void onEvent(TnveEvent e) {
        if (e instanceof TnveEvent.TsiState || e instanceof TnveEvent.TagChanged || e instanceof TnveEvent.VmStateChanged) {
            changed();
        }
    }

    SwitchAgent agent() {
        return agent;
    }

    /** Engine thread: true when the switch holds the flows of the model as of now (what tests wait for). */
    boolean installed() {
        return !pending && lastNumber >= 0 && agent.installed() >= lastNumber;
    }

    /** The model last handed to the agent (engine thread), or null before the first. */
    HypervisorState state() {
        return last;
    }

    private void changed() {
        AgentRunner<PortAgent> r = runner;
        if (r == null || pending) {
            return;
        }
        pending = true;
        // Queued from another thread: on the engine thread the runner runs a task at once, that is inside the event,
        // and the engine emits an event before it sets the state the event names.
        Thread.ofVirtual().name("tnve-dataplane-refresh").start(() -> {
            CompletableFuture<?> _ = r.submit(this::refresh).whenComplete((v, e) -> {
                if (e != null && !(e instanceof RejectedExecutionException)
                        && !(e.getCause() instanceof RejectedExecutionException)) {
                    log.accept(new DaemonEvent.TaskFailed("data plane refresh", e.toString())); // not at a stop
                }
            });
        });
    }

    private void refresh() {
        pending = false;
        HypervisorState s = model();
        if (s.equals(last)) {
            return;
        }
        last = s;
        lastNumber = agent.desireByPorts(ports -> flows(s, ports));
        if (!started) {
            started = true;
            agent.start();
        }
        long passing = s.attachments().stream().filter(Attachment::passes).count();
        log.accept(new DaemonEvent.Dataplane("desired", s.attachments().size() + " TSI attachments (" + passing
                + " passing: Activated, VM running)"));
    }

    /** Agent thread: the flows of {@code s} on the switch's ports; a port the switch lacks is logged once. */
    private List<Flow> flows(HypervisorState s, List<Port> ports) {
        HypervisorPipeline.Plan p = HypervisorPipeline.flows(s, ports);
        if (!p.missing().equals(missing)) {
            missing = p.missing();
            log.accept(new DaemonEvent.Dataplane("ports", missing.isEmpty() ? "every port of the model is on the bridge"
                    : "not on the bridge (their TSIs pass nothing): " + missing));
        }
        return p.flows();
    }

    /**
     * The model now (engine thread): per TSI and uplink whose nNVE holds it (associated or activated, with a local
     * tag), the TSI's port (the VM's configured interface, else its MAC), the uplink's trunk and the tag; it passes while
     * Activated and its VM runs (RUNNING, or MIGRATING_OUT: it still runs here until the destination is activated).
     */
    HypervisorState model() {
        List<Attachment> out = new ArrayList<>();
        TnveEngine e = engine[0];
        for (Vm vm : e.vms()) {
            boolean runs = vm.state() == VmState.RUNNING || vm.state() == VmState.MIGRATING_OUT;
            List<String> names = settings.interfaces().getOrDefault(vm.name(), List.of());
            for (int i = 0; i < vm.tsis().size(); i++) {
                TsiSpec t = vm.tsis().get(i);
                PortRef port = i < names.size() ? new PortRef.Named(names.get(i)) : new PortRef.ByMac(t.mac().value());
                for (TnveSettings.UplinkSettings u : uplinks) {
                    TnveEngine.TsiState state = e.tsiState(u.name(), t.id());
                    int tag = e.localTag(u.name(), t.id());
                    if (state == TnveEngine.TsiState.INIT || tag < 1 || tag > 4094) {
                        continue;
                    }
                    PortRef trunk = new PortRef.Named(settings.trunk() != null ? settings.trunk() : u.iface());
                    out.add(new Attachment(t.id().toString(), port, t.mac().value(), trunk, tag,
                            state == TnveEngine.TsiState.ACTIVATED && runs));
                }
            }
        }
        return new HypervisorState(out);
    }

    @Override
    public void close() {
        agent.close();
    }
}
