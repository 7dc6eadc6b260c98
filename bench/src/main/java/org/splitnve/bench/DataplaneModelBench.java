package org.splitnve.bench;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.splitnve.daemon.NnveDataplaneModel;
import org.splitnve.dataplane.DataplaneState;
import org.splitnve.dataplane.FlowTable;
import org.splitnve.nnve.Authority;
import org.splitnve.nnve.NnveConfig;
import org.splitnve.nnve.NnveEngine;
import org.splitnve.nnve.Tsi;
import org.splitnve.nnve.TsiState;
import org.splitnve.nnve.VnKey;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiInstance;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.service.MappingEntry;
import org.splitnve.nva.service.NveRegistration;
import org.splitnve.nva.service.Resource;
import org.splitnve.nva.service.Snapshot;
import org.splitnve.nva.service.client.ReplicaNva;
import org.splitnve.nva.service.client.ReportQueue;
import org.splitnve.protocol.ManualClock;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveConfig;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * Issue 11: what one change costs the nNVE daemon's data plane on the engine thread with N TSIs in place, before and
 * after the model was made incremental. An nNVE engine holds N Activated TSIs (a MAC and an IPv4 address each, in
 * {@code vns} VNs) set up by a tNVE engine over an in-memory link (as {@link RestartResync}); its NVA is a
 * {@link ReplicaNva} whose replica holds what an NVA would list: the N own mapping entries, {@code remotes} other
 * NVEs serving every VN and {@code perRemote} forwarding addresses each. Then, {@code changes} times, a VM is suspended
 * (its TSI deactivated) or resumed (activated) through the tNVE, and the refresh that follows is timed both ways:
 * <ul>
 * <li>incremental (the daemon now): {@link NnveDataplaneModel#update} (the TSI named by the engine's effects and
 * events made again) and {@link FlowTable#update(java.util.Collection, java.util.Collection)} (its VN's flows);</li>
 * <li>whole (the daemon before, commit 89aba88, copied below as {@link #wholeModel}): the whole model made from the
 * engine's TSIs and the sorted replica, compared with the previous one, and {@link FlowTable#update(DataplaneState)}
 * (the model cut per VN and compared, the changed VN's flows recomputed).</li>
 * </ul>
 * Both tables are checked equal after every change. {@code java -cp bench/target/benchmarks.jar
 * org.splitnve.bench.DataplaneModelBench N [VNS 64] [REMOTES 4] [PER_REMOTE 1000] [CHANGES 400]}
 */
public final class DataplaneModelBench {
    private static final NveId SELF = NveId.of("n");

    private DataplaneModelBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0].replace("_", "").replace(",", ""));
        int vns = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int remotes = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int perRemote = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
        int changes = args.length > 4 ? Integer.parseInt(args[4]) : 400;
        System.out.printf("# %,d Activated TSIs (a MAC and an IPv4 each) in %d VNs on one trunk; the replica: %,d own"
                + " mapping entries, %d remote NVEs serving every VN with %,d addresses each; %d changes%n", n, vns, n,
                remotes, perRemote, changes);

        ManualClock clock = new ManualClock(1_000_000_000L);
        ArrayDeque<RestartResync.Hop> link = new ArrayDeque<>();
        MacAddress nm = MacAddress.parse("02:00:00:00:0e:01");
        MacAddress tm = MacAddress.parse("02:00:00:00:0a:01");
        NnveConfig nc = NnveConfig.simple("n", 1).withLimits(new NnveConfig.Limits(n, 4094, 64));
        NnveDataplaneModel[] model = new NnveDataplaneModel[1];
        PortAgent[] agents = new PortAgent[2];
        NnveEngine nnve = new NnveEngine(nc, clock, RestartResync.io(nm, link, 0), Authority.trustAll(), e -> {
            if (model[0] != null) {
                model[0].effect(e);
            }
        }, e -> {
            if (model[0] != null) {
                model[0].event(e);
            }
        }, new SplittableRandom(1));
        agents[0] = nnve;
        TnveEngine tnve = new TnveEngine(TnveConfig.simple("h", nm), clock, RestartResync.io(tm, link, 1),
                EventSink.NONE, new SplittableRandom(2));
        agents[1] = tnve;
        RestartResync.pump(agents, link, clock);
        long setUp = System.nanoTime();
        List<CompletableFuture<OpResult>> ops = new ArrayList<>(2 * n);
        for (int i = 0; i < n; i++) {
            ops.add(tnve.create("vm" + i, List.of(tsi(i, vns))));
        }
        RestartResync.pump(agents, link, clock);
        for (int i = 0; i < n; i++) {
            ops.add(tnve.start("vm" + i));
        }
        RestartResync.pump(agents, link, clock);
        if (ops.stream().anyMatch(f -> !f.isDone() || !f.join().ok())) {
            throw new IllegalStateException("set-up failed");
        }
        System.out.printf("# set-up %.1f s%n", (System.nanoTime() - setUp) / 1e9);

        ReplicaNva replica = new ReplicaNva(SELF, new ReportQueue(), EventSink.NONE);
        replica.reset(snapshot(nnve, vns, remotes, perRemote));
        NnveDataplaneModel.Source source = NnveDataplaneModel.Source.of(nnve::tsis, nnve::instances, 1, i -> 1 + i,
                () -> 9);
        model[0] = new NnveDataplaneModel(SELF, replica, source);
        FlowTable incremental = new FlowTable();
        FlowTable whole = new FlowTable();

        long t0 = System.nanoTime();
        NnveDataplaneModel.Update first = model[0].update();
        long t1 = System.nanoTime();
        FlowTable.Delta d = incremental.update(first.changed(), first.gone());
        long t2 = System.nanoTime();
        DataplaneState before = wholeModel(nnve, replica);
        long t3 = System.nanoTime();
        whole.update(before);
        long t4 = System.nanoTime();
        System.out.printf("# the first model: incremental model %.1f ms + flows %.1f ms; whole model %.1f ms + flows"
                + " %.1f ms; %,d flows%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, (t4 - t3) / 1e6,
                d.table().size());
        check(incremental, whole);

        SplittableRandom random = new SplittableRandom(7);
        long[] inc = new long[changes];
        long[] incModel = new long[changes];
        long[] old = new long[changes];
        long[] oldModel = new long[changes];
        Set<Integer> suspended = new LinkedHashSet<>();
        int flowChanges = 0;
        for (int c = 0; c < changes; c++) {
            int i = random.nextInt(n);
            boolean resume = suspended.remove(i);
            CompletableFuture<OpResult> op = resume ? tnve.resume("vm" + i) : tnve.suspend("vm" + i);
            RestartResync.pump(agents, link, clock);
            if (!op.isDone() || !op.join().ok()) {
                throw new IllegalStateException("vm" + i + ": " + (op.isDone() ? op.join() : "no answer"));
            }
            if (!resume) {
                suspended.add(i);
            }
            long a = System.nanoTime();
            NnveDataplaneModel.Update u = model[0].update();
            long b = System.nanoTime();
            FlowTable.Delta di = incremental.update(u.changed(), u.gone());
            long e = System.nanoTime();
            DataplaneState s = wholeModel(nnve, replica);
            boolean same = s.equals(before);
            long f = System.nanoTime();
            if (!same) {
                whole.update(s);
            }
            long g = System.nanoTime();
            before = s;
            inc[c] = e - a;
            incModel[c] = b - a;
            old[c] = g - e;
            oldModel[c] = f - e;
            flowChanges += di.upserts().size() + di.removals().size();
            if (c % 50 == 49 || c == changes - 1) {
                check(incremental, whole);
            }
        }
        System.out.printf("N = %,d, %d VNs: one change (a VM suspended or resumed; %.1f flow changes each): incremental"
                + " p50 %s / p99 %s / max %s ms (model p50 %s); whole p50 %s / p99 %s / max %s ms (model p50 %s);"
                + " %.0fx less at the median%n", n, vns, flowChanges / (double) changes, ms(inc, 50), ms(inc, 99),
                ms(inc, 100), ms(incModel, 50), ms(old, 50), ms(old, 99), ms(old, 100), ms(oldModel, 50),
                (double) pct(old, 50) / Math.max(1, pct(inc, 50)));
        List<String> off = model[0].differences(5);
        if (!off.isEmpty()) {
            throw new IllegalStateException("the incremental model differs from one made from scratch in " + off);
        }
    }

    private static void check(FlowTable incremental, FlowTable whole) {
        Set<Object> a = new java.util.HashSet<>(incremental.update(List.of(), List.of()).all());
        Set<Object> b = new java.util.HashSet<>(whole.update(List.of(), List.of()).all());
        if (!a.equals(b)) {
            throw new IllegalStateException("the incremental table (" + a.size() + " flows) is not the whole one ("
                    + b.size() + ")");
        }
    }

    private static long pct(long[] v, int p) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)];
    }

    private static String ms(long[] v, int p) {
        return String.format("%.3f", pct(v, p) / 1e6);
    }

    static TsiSpec tsi(int i, int vns) throws Exception {
        TsiSpec t = org.splitnve.interop.compare.Workload.tsi(i);
        return TsiSpec.of(t.id(), 1000 + Math.floorMod(i, vns), t.mac(), List.of(TsiAddress.host(
                InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i}))));
    }

    /** What the NVA would list to this nNVE: its own entries, the other NVEs and their forwarding entries. */
    private static Snapshot snapshot(NnveEngine nnve, int vns, int remotes, int perRemote) throws Exception {
        List<Resource> out = new ArrayList<>();
        Set<Integer> all = new LinkedHashSet<>();
        for (int v = 0; v < vns; v++) {
            all.add(1000 + v);
        }
        Instant now = Instant.now();
        for (Tsi t : nnve.tsis()) {
            int vn = (int) ((VnKey.Id) t.vap().vn().key()).id();
            out.add(new Resource.Mapping(new MappingEntry(new TsiInstance(t.id(), SELF, t.port(), vn),
                    EntryState.FORWARDING, t.addresses(), List.of(), List.of(), 1, now)));
        }
        for (int r = 0; r < remotes; r++) {
            NveId id = NveId.of("remote-" + r);
            out.add(new Resource.Nve(new NveRegistration(id, InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2,
                    (byte) (10 + r)}), all)));
            for (int k = 0; k < perRemote; k++) {
                int i = 1_000_000 + r * perRemote + k;
                MacAddress mac = new MacAddress(0x525500000000L + i);
                out.add(new Resource.Mapping(new MappingEntry(new TsiInstance(VsiId.uuid(new UUID(0x0b00L, i)), id, 0,
                        1000 + Math.floorMod(k, vns)), EntryState.FORWARDING, List.of(TsiAddress.mac(mac),
                        TsiAddress.host(InetAddress.getByAddress(new byte[] {11, (byte) (i >> 16), (byte) (i >> 8),
                                (byte) i}), mac)), List.of(), List.of(), 1, now)));
            }
        }
        return new Snapshot("bench", 1, out);
    }

    // ----- the daemon's model before it was incremental (NnveDataplane.model, commit 89aba88), for comparison --------

    static DataplaneState wholeModel(NnveEngine engine, ReplicaNva nva) {
        Map<Integer, Integer> vns = new LinkedHashMap<>();
        List<DataplaneState.Tsi> tsis = new ArrayList<>();
        Map<VsiId, Integer> activated = new java.util.HashMap<>();
        for (Tsi t : engine.tsis()) {
            if (t.state() == TsiState.ACTIVATED) {
                activated.merge(t.id(), 1, Integer::sum);
            }
        }
        Map<String, List<TsiAddress>> withdrawn = withdrawn(nva);
        for (Tsi t : engine.tsis()) {
            Optional<VnRecord> vn = t.vap().vn().key() instanceof VnKey.Id k ? nva.vnById((int) k.id())
                    : Optional.empty();
            int tag = t.vap().tag();
            Integer id = vn.map(VnRecord::id).orElse(t.vap().vn().key() instanceof VnKey.Id k && t.vap().vn().vni() >= 0
                    ? (int) k.id() : null);
            int ofport = 1 + t.port();
            if (t.state() == TsiState.INIT || id == null || tag < 1 || tag > 4094) {
                continue;
            }
            boolean twice = t.state() == TsiState.ACTIVATED && activated.getOrDefault(t.id(), 0) > 1;
            DataplaneState.TsiState state = t.state() == TsiState.ASSOCIATED ? DataplaneState.TsiState.ASSOCIATED
                    : twice && t.ownsNvaEntries() ? DataplaneState.TsiState.ARRIVED : DataplaneState.TsiState.ACTIVATED;
            vns.putIfAbsent(id, vn.map(VnRecord::context).orElse(t.vap().vn().vni()));
            tsis.add(new DataplaneState.Tsi(t.id().toString(), ofport, tag, "vn-" + id, state,
                    addresses(t, withdrawn.getOrDefault(t.id() + "/" + t.port(), List.of()))));
        }
        return new DataplaneState(9, vns.entrySet().stream().map(v -> new DataplaneState.Vn("vn-" + v.getKey(),
                v.getValue())).toList(), tsis, remotes(nva, vns.keySet()));
    }

    private static List<DataplaneState.RemoteNve> remotes(ReplicaNva replica, Set<Integer> served) {
        Map<NveId, Inet4Address> vteps = new LinkedHashMap<>();
        Map<NveId, Set<Integer>> nveVns = new LinkedHashMap<>();
        Map<NveId, List<DataplaneState.RemoteAddress>> addresses = new LinkedHashMap<>();
        for (Resource r : replica.replica().sorted()) {
            switch (r) {
                case Resource.Nve n when !n.nve().equals(SELF) && n.registration().vtep() instanceof Inet4Address v4 -> {
                    vteps.put(n.nve(), v4);
                    nveVns.put(n.nve(), n.registration().vns());
                }
                case Resource.Mapping m when !m.entry().instance().nve().equals(SELF)
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
                    List<DataplaneState.RemoteAddress> out = addresses.computeIfAbsent(m.entry().instance().nve(),
                            k -> new ArrayList<>());
                    byMac.forEach((mac, ips) -> out.add(new DataplaneState.RemoteAddress(
                            "vn-" + m.entry().instance().vnId(), mac, ips)));
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
                    vnsOf.add("vn-" + vn);
                }
            }
            if (!vnsOf.isEmpty()) {
                out.add(new DataplaneState.RemoteNve(nve.toString(), vtep, vnsOf, addresses.getOrDefault(nve, List.of())));
            }
        });
        return out;
    }

    private static Map<String, List<TsiAddress>> withdrawn(ReplicaNva replica) {
        Map<String, List<TsiAddress>> out = new java.util.HashMap<>();
        for (Resource r : replica.replica().sorted()) {
            if (r instanceof Resource.Mapping m && m.entry().instance().nve().equals(SELF)
                    && !m.entry().withdrawn().isEmpty()) {
                out.put(m.entry().instance().vsi() + "/" + m.entry().instance().port(), m.entry().withdrawn());
            }
        }
        return out;
    }

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
}
