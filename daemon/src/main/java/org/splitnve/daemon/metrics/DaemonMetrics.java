package org.splitnve.daemon.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import org.splitnve.daemon.log.EventLog;
import org.splitnve.nnve.NnveEvent;
import org.splitnve.nva.service.ServiceEvent;
import org.splitnve.nva.service.client.ClientEvent;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.ecp.EcpEvent;
import org.splitnve.protocol.event.Event;
import org.splitnve.tnve.TnveEvent;
import org.splitnve.transport.AgentRunner;

/**
 * What both daemons measure (Prometheus, via {@link Metrics}): its role ({@code splitnve_info}), counters kept
 * from the daemon's events (ECP retransmissions and transmit errors, refusals by VDP reason code, requests the
 * nNVE never answered, events by name) and the time the engine takes for each received ECPDU. The engine thread
 * feeds them without blocking; counters are read at scrape time.
 */
public final class DaemonMetrics implements EventLog.Tap {
    /** The ECP Ethertype (IEEE 802.1Q clause 43). */
    private static final int ECP = 0x8940;

    private final Metrics metrics;
    private final String role;
    private final CounterDataPoint retransmissions;
    private final CounterDataPoint transmitErrors;
    private final CounterDataPoint unanswered;
    private final Counter refusals;
    private final CounterDataPoint[] refusalsByCode = new CounterDataPoint[16];
    private final Counter events;
    /** The events counter's series by event name (no allocation per event once a name was seen). */
    private final java.util.Map<String, CounterDataPoint> byName = new java.util.concurrent.ConcurrentHashMap<>();
    private final Metrics.Series ecpdu;
    private final Metrics.Durations operations;
    /** The NVA: acknowledgements whose digest diverged (NVA-4); null elsewhere. */
    private final CounterDataPoint replicaDivergences;
    /** The nNVE's NVA client's anti-entropy audit (NVA-4), by result; null elsewhere. */
    private final CounterDataPoint clientDivergences;
    private final CounterDataPoint ownStateResent;

    public DaemonMetrics(String node, String role) {
        this.metrics = new Metrics(node);
        this.role = role;
        this.retransmissions = metrics.counter("splitnve_ecp_retransmissions_total",
                "ECPDUs sent again because no acknowledgement came in time (ECP, 802.1Q 43)");
        this.transmitErrors = metrics.counter("splitnve_ecp_transmit_errors_total",
                "ECPDUs given up after the last retransmission (their items were not delivered)");
        this.refusals = metrics.counter("splitnve_refusals_total", role.equals("nnve")
                ? "requests this nNVE refused, by VDP reason code"
                : "requests the nNVE refused, by VDP reason code", "code");
        this.unanswered = metrics.counter("splitnve_requests_unanswered_total",
                "requests the nNVE did not answer (transmit error or response timeout)");
        this.events = metrics.counter("splitnve_events_total", "structured events by name", "event");
        this.ecpdu = metrics.histogram("splitnve_ecpdu_processing_seconds",
                "engine time to process one received ECPDU (decode, state machines, answers queued)").with();
        this.operations = role.equals("tnve") ? metrics.histogram("splitnve_operation_seconds",
                "tNVE lifecycle operations through the API: time until every nNVE concerned answered", "operation",
                "result") : null;
        this.replicaDivergences = role.equals("nva") ? metrics.counter("splitnve_nva_replica_divergences_total",
                "acknowledgements whose replica digest was not the NVA's: the nNVE lists again (NVA-4)") : null;
        Counter audit = role.equals("nnve") ? metrics.counter("splitnve_nva_client_audit_total",
                "the NVA client's anti-entropy audit (NVA-4): replica_diverged (listed again), own_state_resent",
                "result") : null;
        this.clientDivergences = audit == null ? null : audit.labelValues("replica_diverged");
        this.ownStateResent = audit == null ? null : audit.labelValues("own_state_resent");
        metrics.info("splitnve_info", "the daemon's role", "role", role);
    }

    public Metrics metrics() {
        return metrics;
    }

    public String role() {
        return role;
    }

    /** Lifecycle operation latency (tNVE; null on the nNVE): from the call into the engine to the nNVE's last answer. */
    public Metrics.Durations operations() {
        return operations;
    }

    @Override
    public void event(long atNanos, Event e) {
        CounterDataPoint n = byName.get(e.name());
        if (n == null) {
            n = byName.computeIfAbsent(e.name(), events::labelValues);
        }
        n.inc();
        switch (e) {
            case EcpEvent.Retransmit r -> retransmissions.inc();
            case EcpEvent.TransmitError t -> transmitErrors.inc();
            case NnveEvent.Refused r -> refusal(r.code());
            case TnveEvent.RequestFailed f -> {
                if (f.code() < 0) {
                    unanswered.inc();
                } else {
                    refusal(f.code());
                }
            }
            case ServiceEvent.ReplicaDiverged d when replicaDivergences != null -> replicaDivergences.inc();
            case ClientEvent.ReplicaDiverged d when clientDivergences != null -> clientDivergences.inc();
            case ClientEvent.OwnStateResent o when ownStateResent != null -> ownStateResent.inc();
            default -> { }
        }
    }

    private void refusal(int code) {
        int c = code & 0x0F;
        CounterDataPoint a = refusalsByCode[c];
        if (a == null) {
            a = refusals.labelValues(String.valueOf(c));
            refusalsByCode[c] = a;
        }
        a.inc();
    }

    /** The agent, timing each ECPDU it receives. */
    public PortAgent timed(PortAgent agent) {
        return new PortAgent() {
            @Override
            public void onFrame(int port, byte[] buf, int off, int len) {
                if (len < 14 || !isEcp(buf, off, len)) {
                    agent.onFrame(port, buf, off, len);
                    return;
                }
                long t0 = System.nanoTime();
                try {
                    agent.onFrame(port, buf, off, len);
                } finally {
                    ecpdu.observeNanos(System.nanoTime() - t0);
                }
            }

            @Override
            public void onTimer() {
                agent.onTimer();
            }

            @Override
            public long nextDeadline() {
                return agent.nextDeadline();
            }

            @Override
            public boolean established(int port, org.splitnve.wire.MacAddress station) {
                return agent.established(port, station); // REL-3: the transport's fairness asks the engine
            }
        };
    }

    private static boolean isEcp(byte[] b, int off, int len) {
        int type = (b[off + 12] & 0xFF) << 8 | (b[off + 13] & 0xFF);
        if ((type == 0x8100 || type == 0x88A8) && len >= 18) {
            type = (b[off + 16] & 0xFF) << 8 | (b[off + 17] & 0xFF);
        }
        return type == ECP;
    }

    /** The samples both daemons give: the runner's frame counters (as doubles, Prometheus' type: exact below 2^53). */
    public void common(Metrics.Scrape s, AgentRunner<?> runner) {
        AgentRunner.Stats st = runner.stats();
        s.counter("splitnve_frames_received_total", "frames received on the daemon's ports (ECP and LLDP)",
                (double) st.framesIn());
        s.counter("splitnve_frames_sent_total", "frames sent on the daemon's ports", (double) st.framesOut());
        s.counter("splitnve_frames_dropped_total", "frames dropped because the engine's queue was full",
                (double) st.dropped());
        s.counter("splitnve_send_errors_total", "frames the kernel refused to send", (double) st.sendErrors());
        s.counter("splitnve_engine_errors_total", "exceptions thrown by the engine (each logged)",
                (double) st.engineErrors());
        s.counter("splitnve_engine_busy_seconds_total", "time the engine thread worked, not waiting for a frame, a "
                + "task or a timer (rate() of it is the engine loop's duty cycle)", st.busyNanos() / 1e9);
        s.counter("splitnve_engine_turns_total", "passes of the engine loop (each does a bounded amount of work)",
                (double) st.turns());
        // the longest turn of the engine loop since the previous scrape (a stall: a GC pause, a slow frame)
        s.gauge("splitnve_engine_longest_turn_seconds", "the longest pass of the engine loop since the previous "
                + "scrape (work without waiting; a GC pause inside it counts)", runner.takeLongestTurn() / 1e9);
    }
}
