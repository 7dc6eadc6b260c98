package org.splitnve.daemon.http;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.splitnve.dataplane.DataplaneState;
import org.splitnve.dataplane.Flow;
import org.splitnve.dataplane.FlowDriver;
import org.splitnve.dataplane.FlowKey;
import org.splitnve.dataplane.FlowText;
import org.splitnve.dataplane.SwitchAgent;
import org.splitnve.dataplane.openflow.OfMessage;
import org.splitnve.wire.MacAddress;

/**
 * The nNVE's data plane for operators (issue 11): {@code GET /v1/dataplane/flows} explains, per TSI, what the switch
 * does for it and why (its state in the data plane's model, each flow the model asks for with the reason, and whether
 * the switch holds it with its packet counts); {@code POST /v1/dataplane/reconcile} runs an audit now (the switch's
 * flows read, every difference from the desired table repaired) and answers what it changed. Both 404 without
 * [dataplane].
 */
public final class DataplaneApi {
    /** Seconds to wait for the switch agent's answer (it answers at once when not connected). */
    static final long SWITCH_SECONDS = 10;

    /** What the engine thread last handed to the switch agent: the model, its flows and the table's number. */
    public record Desired(DataplaneState state, List<Flow> flows, long number) {
        public Desired {
            flows = List.copyOf(flows);
        }
    }

    /** The switch agent's side: connected, the table numbers, counters. */
    public record SwitchView(String socket, boolean connected, boolean synced, long desiredTable, long installedTable,
            long connects, long applied, long audits) {}

    /** One flow: as the model asks for it, and as the switch holds it (null counts: not read, or not there). */
    public record FlowView(int table, int priority, String match, String actions, String why, Boolean installed,
            Long packets, Long bytes) {}

    /** One TSI instance on the bridge: its state in the model, what the switch does for it, and its flows. */
    public record TsiFlows(String id, int ofport, int tag, String vn, String state, boolean passes,
            List<String> addresses, String explanation, List<FlowView> flows) {}

    /**
     * {@code GET /v1/dataplane/flows}: {@code counters} says whether the switch's flows were read ({@code error} why
     * not); {@code unexpected}: flows the switch holds that the model does not ask for (drift the next audit removes).
     */
    public record Explained(SwitchView agent, boolean counters, String error, List<TsiFlows> tsis, List<FlowView> other,
            List<FlowView> unexpected) {}

    /** {@code POST /v1/dataplane/reconcile}. */
    public record Reconciled(boolean ok, int changes, int added, int modified, int deleted, int bundles,
            BigDecimal switchMs) {}

    private final NnveApi.Backend d;

    DataplaneApi(NnveApi.Backend d) {
        this.d = d;
    }

    static List<Route> routes(NnveApi.Backend d) {
        DataplaneApi a = new DataplaneApi(d);
        return List.of(
                Route.get("/v1/dataplane/flows", r -> Reply.ok(a.explain(r.queryParam("tsi")))),
                Route.post("/v1/dataplane/reconcile", r -> Reply.ok(a.reconcile())));
    }

    private SwitchAgent agent() throws ApiError {
        Optional<SwitchAgent> a = d.switchAgent();
        if (a.isEmpty()) {
            throw new ApiError(404, "this nNVE has no data plane ([dataplane] is not configured)", 0, "");
        }
        return a.get();
    }

    Reconciled reconcile() throws ApiError {
        FlowDriver.Report r = fromSwitch(agent().reconcile());
        return new Reconciled(true, r.changes(), r.added(), r.modified(), r.deleted(), r.bundles(),
                BigDecimal.valueOf(r.nanos() / 1000, 3));
    }

    /** The switch agent's answer, or a 503 saying why there is none. */
    private static <T> T fromSwitch(CompletableFuture<T> f) throws ApiError {
        try {
            return f.get(SWITCH_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new ApiError(503, "the switch: " + e.getCause().getMessage(), 0, "");
        } catch (TimeoutException e) {
            throw new ApiError(504, "the switch did not answer within " + SWITCH_SECONDS + " s", -1, "");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "the daemon is stopping", 0, "");
        }
    }

    Explained explain(String tsiFilter) throws ApiError {
        SwitchAgent agent = agent();
        Desired want = EngineThread.read(d.runner(), d::desiredTable);
        // the switch's flows with their counters, read after the model: a flow the model asked for just before may
        // show as not installed yet (the table numbers say so)
        Map<FlowKey, OfMessage.FlowStats> held = new HashMap<>();
        String error = null;
        try {
            for (OfMessage.FlowStats s : agent.flows().get(SWITCH_SECONDS, TimeUnit.SECONDS)) {
                held.put(new FlowKey(s.table(), s.priority(), s.match()), s);
            }
        } catch (ExecutionException e) {
            error = e.getCause().getMessage();
        } catch (TimeoutException e) {
            error = "the switch did not answer within " + SWITCH_SECONDS + " s";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "the daemon is stopping", 0, "");
        }
        boolean counters = error == null;
        SwitchView view = new SwitchView(agent.socket().toString(), agent.connected(), agent.synced(),
                want == null ? -1 : want.number(), agent.installed(), agent.connects(), agent.applied(), agent.audits());
        if (want == null) {
            return new Explained(view, counters, error, List.of(), List.of(), List.of());
        }
        String key = tsiFilter == null || tsiFilter.isBlank() ? null : tsiFilter.trim().toLowerCase(Locale.ROOT);
        Map<String, List<FlowView>> byTsi = new LinkedHashMap<>();
        List<FlowView> other = new ArrayList<>();
        List<DataplaneState.Tsi> tsis = want.state().tsis();
        Owners owners = new Owners(tsis);
        for (Flow f : want.flows()) {
            OfMessage.FlowStats s = held.get(f.key());
            FlowView v = new FlowView(f.key().table(), f.key().priority(), FlowText.match(f.key().match()),
                    FlowText.instructions(f.instructions()), f.why(), counters ? s != null : null,
                    s == null ? null : s.packetCount(), s == null ? null : s.byteCount());
            DataplaneState.Tsi owner = owners.of(f);
            if (owner == null) {
                other.add(v);
            } else {
                byTsi.computeIfAbsent(owner.id() + "@" + owner.port(), k -> new ArrayList<>()).add(v);
            }
            held.remove(f.key());
        }
        List<TsiFlows> out = new ArrayList<>();
        for (DataplaneState.Tsi t : tsis) {
            List<String> addresses = new ArrayList<>();
            for (DataplaneState.Address a : t.addresses()) {
                StringBuilder b = new StringBuilder(mac(a.mac()));
                for (InetAddress ip : a.ips()) {
                    b.append(' ').append(ip.getHostAddress());
                }
                addresses.add(b + (a.held() ? " (held)" : ""));
            }
            if (key != null && !key.equals(t.id().toLowerCase(Locale.ROOT))
                    && addresses.stream().noneMatch(x -> x.startsWith(key))) {
                continue;
            }
            out.add(new TsiFlows(t.id(), t.port(), t.tag(), t.vn(), t.state().name(), t.state().passes(), addresses,
                    explanation(t), byTsi.getOrDefault(t.id() + "@" + t.port(), List.of())));
        }
        List<FlowView> unexpected = new ArrayList<>();
        if (key == null) {
            for (OfMessage.FlowStats s : held.values()) {
                unexpected.add(new FlowView(s.table(), s.priority(), FlowText.match(s.match()),
                        FlowText.instructions(s.instructions()), "not in the desired table: drift, removed by the next"
                        + " audit (or `splitnve reconcile`)", true, s.packetCount(), s.byteCount()));
            }
            unexpected.sort(java.util.Comparator.comparingInt(FlowView::table).thenComparing(
                    java.util.Comparator.comparingInt(FlowView::priority).reversed()));
        }
        return new Explained(view, counters, error, out, key == null ? other : List.of(), unexpected);
    }

    /**
     * The TSI instance a flow is for, found by what its reason names (one lookup per flow, whatever the number of
     * TSIs): the pipeline names the TSI and MAC ("TSI id mac ...") in admission, unicast and blocked flows, the MAC in
     * the ARP and ND responder's ("... answered with mac"); null for a VN's or a remote NVE's flow. Of two instances of
     * a TSI (a migration), the one on the flow's ingress port, else the first.
     */
    static final class Owners {
        private final Map<String, List<DataplaneState.Tsi>> byIdAndMac = new HashMap<>();
        private final Map<String, DataplaneState.Tsi> byMac = new HashMap<>();

        Owners(List<DataplaneState.Tsi> tsis) {
            for (DataplaneState.Tsi t : tsis) {
                for (DataplaneState.Address a : t.addresses()) {
                    String m = mac(a.mac());
                    byIdAndMac.computeIfAbsent(t.id() + " " + m, k -> new ArrayList<>(1)).add(t);
                    byMac.putIfAbsent(m, t);
                }
            }
        }

        DataplaneState.Tsi of(Flow f) {
            String why = f.why();
            if (why.startsWith("TSI ")) {
                String[] w = why.split(" ", 4);
                List<DataplaneState.Tsi> named = w.length < 3 ? null : byIdAndMac.get(w[1] + " " + w[2]);
                if (named != null) {
                    for (DataplaneState.Tsi t : named) {
                        if (portOf(f, t)) {
                            return t;
                        }
                    }
                    return named.getFirst();
                }
            }
            int at = why.indexOf("answered with ");
            if (at >= 0) {
                String rest = why.substring(at + "answered with ".length());
                int end = rest.indexOf(' ');
                return byMac.get(end < 0 ? rest : rest.substring(0, end));
            }
            return null;
        }
    }

    /** A TSI's flow that matches an ingress port is the instance's on that port (a migration has two instances). */
    private static boolean portOf(Flow f, DataplaneState.Tsi t) {
        for (var o : f.key().match().fields()) {
            if (o.oxmClass() == org.splitnve.dataplane.openflow.Oxm.BASIC
                    && o.field() == org.splitnve.dataplane.openflow.Oxm.IN_PORT) {
                return o.value().toLong() == t.port();
            }
        }
        return true; // a unicast flow (by destination): the instance the pipeline named first
    }

    /** What the switch does for a TSI in this state, and why (the requirement it follows). */
    static String explanation(DataplaneState.Tsi t) {
        String where = "OpenFlow port " + t.port() + " tag " + t.tag();
        return switch (t.state()) {
            case ACTIVATED -> "Activated: frames from its addresses on " + where + " enter " + t.vn()
                    + " (source MAC, and source IP and ARP sender where it declared IPs: DP-2); frames to its MACs leave"
                    + " by " + where + " (DP-1, DP-3)";
            case ASSOCIATED -> "Associated, not Activated: nothing from it passes and frames to its MACs are dropped"
                    + " (DP-2)";
            case ARRIVING -> "a live migration's destination, blocked: its first frame on " + where + " goes to the nNVE,"
                    + " which unblocks it and sends the frame on (DP-5); frames to its MACs still go to the source";
            case ARRIVED -> "a live migration's destination, unblocked (its first frame, or its activation while the"
                    + " source still is): it gets the TSI's traffic on " + where + " (DP-5)";
        };
    }

    private static String mac(long m) {
        return new MacAddress(m).toString();
    }
}
