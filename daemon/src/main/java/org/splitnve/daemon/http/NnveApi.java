package org.splitnve.daemon.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.splitnve.api.Bodies;
import org.splitnve.daemon.config.NnveSettings;
import org.splitnve.daemon.metrics.DaemonMetrics;
import org.splitnve.daemon.metrics.Metrics;
import org.splitnve.nnve.NnveEngine;
import org.splitnve.nnve.Peer;
import org.splitnve.nnve.Tsi;
import org.splitnve.nnve.TsiState;
import org.splitnve.nnve.Vap;
import org.splitnve.nnve.VnKey;
import org.splitnve.nva.Nva;
import org.splitnve.nva.VnRecord;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.lldp.LldpAgent;
import org.splitnve.transport.AgentRunner;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * The nNVE's routes (docs/api.md): its state (peers, VNs with their VAPs, TSIs, local tags) read on
 * the engine thread, and the nNVE's own initiative on a TSI: deactivate (all or some addresses) and
 * de-associate (REQ-6, REQ-9).
 */
public final class NnveApi {
    /**
     * What the routes read and act on, handed over by the nNVE daemon (which implements it): the API knows
     * this interface, never the daemon's class, so the dependency points one way (daemon to API).
     */
    public interface Backend {
        /** The engine: call it only on the engine thread ({@link EngineThread}). */
        NnveEngine engine();

        AgentRunner<PortAgent> runner();

        /** The configuration in effect. */
        NnveSettings settings();

        /** The LLDP agent (its neighbours, read on the engine thread), or null when LLDP is off. */
        LldpAgent<?> lldp();

        Nva nva();

        DaemonMetrics metrics();

        /** [dataplane]: the switch agent programming the Open vSwitch bridge, if any. */
        default java.util.Optional<org.splitnve.dataplane.SwitchAgent> switchAgent() {
            return java.util.Optional.empty();
        }

        /** [dataplane], engine thread: what was last handed to the switch agent; null without one or before the first. */
        default DataplaneApi.Desired desiredTable() {
            return null;
        }
    }

    private final Backend d;

    private NnveApi(Backend d) {
        this.d = d;
    }

    public static List<Route> routes(Backend d) {
        NnveApi a = new NnveApi(d);
        List<Route> out = new ArrayList<>(own(a));
        out.addAll(DataplaneApi.routes(d));
        return List.copyOf(out);
    }

    private static List<Route> own(NnveApi a) {
        return List.of(
                Route.get("/v1/status", r -> Reply.ok(a.read(a::status))),
                Route.get("/v1/peers", r -> Reply.ok(a.read(a::peers))),
                Route.get("/v1/vns", r -> Reply.ok(a.read(a::vns))),
                Route.get("/v1/tsis", r -> Reply.ok(a.read(() -> a.tsis(a.engine().tsis())))),
                Route.get("/v1/tags", r -> Reply.ok(a.read(a::tags))),
                Route.post("/v1/tsis/{id}/deactivate", a::deactivate),
                Route.post("/v1/tsis/{id}/deassociate", a::deassociate),
                Route.post("/v1/tags/release", a::releaseTags));
    }

    private NnveEngine engine() {
        return d.engine();
    }

    private <T> T read(EngineThread.Call<T> c) throws ApiError {
        return EngineThread.read(d.runner(), c);
    }

    private String portLabel(int port) {
        List<NnveSettings.PortSettings> ps = d.settings().ports();
        return port >= 0 && port < ps.size() ? ps.get(port).label() : String.valueOf(port);
    }

    /** {@code GET /v1/status}. */
    public record Status(String node, String role, long epoch, List<PortStatus> ports, int peers, int tsis, int vns) {}

    /** A port in {@link Status}. */
    public record PortStatus(int index, @JsonProperty("interface") String iface, String scope, String mac) {}

    /** An end device: {@code GET /v1/peers}. */
    public record PeerView(int port, @JsonProperty("interface") String iface, String station, boolean extensions,
            boolean authenticated, int tsis, String systemName, String peerInterface, long lastHeardMs, Long lastLldpMs) {}

    /** A VN with its VAPs: {@code GET /v1/vns}; the NVA's members are null for a VN its registry does not list. */
    public record VnView(Long id, String alias, String name, Integer vni, String service, String mode,
            List<VapView> vaps) {}

    /** A VAP of {@link VnView}. */
    public record VapView(String scope, int tag, List<Integer> tags, String state, int tsis) {}

    /** A TSI instance: {@code GET /v1/tsis}. */
    public record TsiView(String id, int port, @JsonProperty("interface") String iface, String station, Long vn,
            String vnKey, String alias, String state, int tag, String mac, List<String> macs, List<String> ips,
            List<String> inactiveIps) {}

    /** A local tag in use: {@code GET /v1/tags}. */
    public record TagView(String scope, int tag, Long vn, String alias) {}

    /** The answer of deactivate and de-associate. */
    public record Changed(boolean ok, int changed, List<TsiView> tsis, java.math.BigDecimal nnveMs) {}

    /** The answer of a tag release (SEC-5). */
    public record Released(boolean ok, int port, @JsonProperty("interface") String iface, String station, int released,
            Integer heldBefore, List<TagView> tags, java.math.BigDecimal nnveMs) {}

    Status status() {
        NnveEngine e = engine();
        List<PortStatus> ports = new ArrayList<>();
        List<NnveSettings.PortSettings> ps = d.settings().ports();
        for (int i = 0; i < ps.size(); i++) {
            ports.add(new PortStatus(i, ps.get(i).label(), ps.get(i).scope(), d.runner().ports().get(i).mac().toString()));
        }
        return new Status(d.settings().name(), "nnve", Integer.toUnsignedLong(e.epoch()), ports, e.peers().size(),
                e.tsis().size(), connectedVns().size());
    }

    private Set<VnKey> connectedVns() {
        Set<VnKey> out = new LinkedHashSet<>();
        for (Vap v : engine().vaps()) {
            if (v.state() == Vap.State.VN_CONNECTED) {
                out.add(v.vn().key());
            }
        }
        return out;
    }

    List<PeerView> peers() {
        List<Peer> list = new ArrayList<>(engine().peers());
        list.sort(Comparator.comparingInt(Peer::port).thenComparing(Peer::station));
        List<PeerView> out = new ArrayList<>();
        long now = System.nanoTime(); // the daemons' engines run on Clock.system()
        org.splitnve.protocol.lldp.LldpAgent<?> lldp = d.lldp();
        for (Peer p : list) {
            org.splitnve.protocol.lldp.LldpAgent.Neighbour n = lldp == null ? null : lldp.neighbour(p.port(), p.station());
            out.add(new PeerView(p.port(), portLabel(p.port()), p.station().toString(), p.extensions(), p.authenticated(),
                    p.tsiCount(), n == null ? null : n.systemName(), n == null ? null : n.portDescription(),
                    Math.max(0, (now - p.lastHeard()) / 1_000_000),
                    n == null ? null : Math.max(0, (now - n.heardNanos()) / 1_000_000)));
        }
        return out;
    }

    /** A VN key as the API shows it: the VN ID (a number) or null for a VN known otherwise. */
    private static Long vnId(VnKey k) {
        return k instanceof VnKey.Id id ? id.id() : null;
    }

    List<VnView> vns() {
        List<Vap> vaps = new ArrayList<>(engine().vaps());
        vaps.sort(Comparator.comparing(Vap::scope));
        List<VnView> out = new ArrayList<>();
        Set<Vap> shown = new LinkedHashSet<>();
        for (VnRecord r : d.nva().vns()) {
            List<VapView> mine = new ArrayList<>();
            for (Vap v : vaps) {
                VnKey k = v.vn().key();
                boolean same = k instanceof VnKey.Id id ? id.id() == r.unsignedId()
                        : k instanceof VnKey.Name n && n.name().equals(r.name());
                if (same) {
                    mine.add(vap(v));
                    shown.add(v);
                }
            }
            out.add(new VnView(r.unsignedId(), r.alias(), r.name().toString(), r.context(),
                    r.service().name().toLowerCase(Locale.ROOT), r.mode().name().toLowerCase(Locale.ROOT), mine));
        }
        for (Vap v : vaps) {
            if (!shown.contains(v)) {
                // a VN the NVA's registry does not list (a plain VLAN of a standard peer)
                out.add(new VnView(vnId(v.vn().key()), v.vn().alias(), null, v.vn().vni() < 0 ? null : v.vn().vni(),
                        null, null, List.of(vap(v))));
            }
        }
        return out;
    }

    private static VapView vap(Vap v) {
        return new VapView(v.scope(), v.tag(), v.tags(), v.state().name(), v.tsiAssociated());
    }

    List<TsiView> tsis(List<Tsi> list) {
        List<Tsi> sorted = new ArrayList<>(list);
        sorted.sort(Comparator.comparing((Tsi t) -> t.id().toString()).thenComparingInt(Tsi::port)
                .thenComparing(Tsi::station));
        List<TsiView> out = new ArrayList<>();
        for (Tsi t : sorted) {
            out.add(tsi(t));
        }
        return out;
    }

    private TsiView tsi(Tsi t) {
        List<String> macs = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        for (TsiAddress a : t.addresses()) {
            if (a.ip() == null) {
                macs.add(a.mac().toString());
            } else {
                ips.add(Fields.ipText(a));
            }
        }
        List<String> held = t.held().stream().filter(a -> a.ip() != null).map(Fields::ipText).toList();
        VnKey k = t.vap().vn().key();
        return new TsiView(t.id().toString(), t.port(), portLabel(t.port()), t.station().toString(), vnId(k),
                k.toString(), t.vap().vn().alias(), t.state().name(), t.vap().tag(), macs.isEmpty() ? null : macs.getFirst(),
                macs, ips, held);
    }

    List<TagView> tags() {
        List<TagView> out = new ArrayList<>();
        List<Vap> vaps = new ArrayList<>(engine().vaps());
        vaps.sort(Comparator.comparing(Vap::scope).thenComparingInt(Vap::tag));
        for (Vap v : vaps) {
            for (int tag : v.tags()) {
                out.add(new TagView(v.scope(), tag, vnId(v.vn().key()), v.vn().alias()));
            }
        }
        return out;
    }

    /** A TSI ID in a path: a UUID, or a MAC address (standard peers often use MAC VSIIDs). */
    static VsiId tsiId(String text) throws ApiError {
        MacAddress mac = Fields.mac(text);
        if (mac != null) {
            if (!mac.isValidUnicast()) {
                throw ApiError.badRequest("id: " + mac + " is not a unicast MAC address");
            }
            return VsiId.mac(mac);
        }
        UUID u = Fields.uuid(text, "id");
        return VsiId.uuid(u);
    }

    static String reason(String value) throws ApiError {
        String r = value;
        if (r == null || r.isBlank()) {
            return "administrator (API)";
        }
        if (r.length() > 200) {
            throw ApiError.badRequest("reason: at most 200 characters");
        }
        return r;
    }

    /**
     * The addresses a deactivate names: null for the whole TSI (no {@code ips}); a 400 for {@code "ips": null}, an
     * empty list or an address that does not parse.
     */
    static List<TsiAddress> addressesToDeactivate(Bodies.Deactivate o, boolean present) throws ApiError {
        if (!present) {
            return null;
        }
        if (o.ips() == null) {
            throw ApiError.badRequest("ips: expected a list of IP addresses, found null (leave it out to deactivate the"
                    + " whole TSI)");
        }
        List<TsiAddress> ips = Fields.ips(o.ips(), "ips", false);
        if (ips.isEmpty()) {
            throw ApiError.badRequest("ips: names at least one address (leave it out to deactivate the whole TSI)");
        }
        return ips;
    }

    /** REQ-9: {@code {"reason", "ips"}}: deactivate the TSI, or only these addresses of it. */
    Reply deactivate(Request r) throws ApiError {
        VsiId id = tsiId(r.param("id"));
        Bodies.Deactivate o = r.body(Bodies.Deactivate.class);
        String reason = reason(o.reason());
        List<TsiAddress> ips = addressesToDeactivate(o, r.has("ips"));
        boolean some = ips != null;
        return Reply.ok(read(() -> {
            long t0 = System.nanoTime();
            List<Tsi> inst = engine().instances(id);
            if (inst.isEmpty()) {
                throw ApiError.notFound("no TSI " + id + " here");
            }
            int n;
            if (!some) {
                n = engine().deactivate(id, reason);
            } else {
                // the addresses as the TSI holds them (an IP may be bound to a MAC)
                List<TsiAddress> held = new ArrayList<>();
                for (TsiAddress want : ips) {
                    TsiAddress found = null;
                    for (Tsi t : inst) {
                        for (TsiAddress a : t.addresses()) {
                            if (a.ip() != null && a.ip().equals(want.ip()) && a.prefixLength() == want.prefixLength()) {
                                found = a;
                            }
                        }
                    }
                    if (found == null) {
                        throw ApiError.conflict(Fields.ipText(want) + " is not an address of TSI " + id);
                    }
                    held.add(found);
                }
                n = engine().deactivate(id, held, reason);
            }
            if (n == 0) {
                throw ApiError.conflict("TSI " + id + " has no activated instance to deactivate (states: "
                        + inst.stream().map(t -> t.state().name()).toList() + ")");
            }
            return new Changed(true, n, tsis(engine().instances(id)), millis(t0));
        }));
    }

    /** Milliseconds since {@code t0} (System.nanoTime), to a tenth: how long the nNVE took (answers' {@code nnveMs}). */
    static java.math.BigDecimal millis(long t0) {
        return java.math.BigDecimal.valueOf((System.nanoTime() - t0) / 100_000).movePointLeft(1);
    }

    /** REQ-9: {@code {"reason"}}: de-associate every instance of the TSI; its end device is told. */
    Reply deassociate(Request r) throws ApiError {
        VsiId id = tsiId(r.param("id"));
        String reason = reason(r.body(Bodies.Deassociate.class).reason());
        return Reply.ok(read(() -> {
            long t0 = System.nanoTime();
            if (engine().instances(id).isEmpty()) {
                throw ApiError.notFound("no TSI " + id + " here");
            }
            int n = engine().deassociate(id, reason);
            return new Changed(true, n, tsis(engine().instances(id)), millis(t0));
        }));
    }

    /**
     * SEC-5: {@code {"port", "station", "reason"}}: the explicit VN connections of an end device (or of every
     * end device behind the port, without {@code station}) are dropped and the local tags no one else uses
     * return to the pool. {@code port}: the index or the interface ({@code interface} or {@code namespace/interface}).
     */
    Reply releaseTags(Request r) throws ApiError {
        Bodies.ReleaseTags o = r.body(Bodies.ReleaseTags.class);
        String reason = reason(o.reason());
        String portText = Fields.string(o.port(), "port", true);
        int port = -1;
        List<NnveSettings.PortSettings> ps = d.settings().ports();
        for (int i = 0; i < ps.size(); i++) {
            if (portText.equals(String.valueOf(i)) || portText.equals(ps.get(i).label()) || portText.equals(ps.get(i).iface())) {
                port = i;
            }
        }
        if (port < 0) {
            throw ApiError.notFound("no port " + portText + " (an index or an interface of GET /v1/status)");
        }
        String stationText = o.station();
        MacAddress station = null;
        if (stationText != null) {
            station = Fields.mac(stationText);
            if (station == null || !station.isValidUnicast()) {
                throw ApiError.badRequest("station: not a unicast MAC address: " + stationText);
            }
        }
        int p = port;
        MacAddress st = station;
        return Reply.ok(read(() -> {
            long t0 = System.nanoTime();
            int before = st == null ? -1 : engine().tagsHeldBy(p, st);
            int freed = engine().releaseTags(p, st, reason);
            return new Released(true, p, portLabel(p), st == null ? null : st.toString(), freed, before < 0 ? null : before,
                    tags(), millis(t0));
        }));
    }

    // ------------------------------------------------------------------ metrics

    /** The scrape: peers, VNs, TSIs per state, local tags per scope, read on the engine thread. */
    public static io.prometheus.metrics.model.snapshots.MetricSnapshots scrape(Backend d) {
        Metrics.Scrape s = d.metrics().metrics().scrape();
        NnveApi a = new NnveApi(d);
        try {
            a.read(() -> {
                NnveEngine e = d.engine();
                s.gauge("splitnve_peers", "end devices (port, station) this nNVE talks to", e.peers().size());
                s.gauge("splitnve_vns", "VNs connected (a VAP holds a local tag) on some port scope",
                        a.connectedVns().size());
                s.gauge("splitnve_vns_configured", "VNs in the NVA's registry", d.nva().vns().size());
                for (TsiState st : TsiState.values()) {
                    if (st != TsiState.INIT) {
                        s.gauge("splitnve_tsis", "TSI instances by state (SM-TSI-1)", (double) e.tsisIn(st), "state", st.name());
                    }
                }
                java.util.Map<String, Integer> tags = new java.util.TreeMap<>();
                for (NnveSettings.PortSettings p : d.settings().ports()) {
                    tags.put(p.scope(), 0);
                }
                for (Vap v : e.vaps()) {
                    tags.merge(v.scope(), v.tags().size(), Integer::sum);
                }
                for (var t : tags.entrySet()) {
                    s.gauge("splitnve_local_tags", "local tags in use per port scope (REQ-7)", t.getValue(), "scope",
                            t.getKey());
                }
                return null;
            });
        } catch (ApiError err) {
            // the engine is stopping: the counters below still answer
        }
        d.metrics().common(s, d.runner());
        return d.metrics().metrics().render(s);
    }
}
