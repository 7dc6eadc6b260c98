package org.splitnve.daemon;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;
import org.splitnve.dataplane.DataplaneState;
import org.splitnve.dataplane.Pipeline;
import org.splitnve.nnve.Effect;
import org.splitnve.nnve.NnveEvent;
import org.splitnve.nnve.Tsi;
import org.splitnve.nnve.TsiState;
import org.splitnve.nnve.VnKey;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.Nva;
import org.splitnve.nva.NveId;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.service.MappingEntry;
import org.splitnve.nva.service.Resource;
import org.splitnve.nva.service.ResourceKey;
import org.splitnve.nva.service.client.ReplicaNva;
import org.splitnve.protocol.event.Event;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * The nNVE's data-plane model, kept up to date by what changed (issue 11: incremental processing, as ovn-controller's;
 * docs/dataplane.md). Its inputs say which of its parts may have changed: the engine's effects and events name TSIs
 * ({@link #effect}, {@link #event}), the NVA replica's listener names resources ({@link #resourceChanged}); {@link
 * #update} then recomputes those TSIs' instances and those resources only, and answers the slices of the VNs they
 * touched ({@link Pipeline.VnSlice}) for the {@link org.splitnve.dataplane.FlowTable}. Work per update: the TSIs and
 * resources named, and the VNs they are in (a VN's slice is made again whole: its flood and responder flows depend on
 * all its TSIs). What no input names is read again whole: everything at the first update, after the NVA replica was
 * listed again, when a VN's record, a VAP's tag or the bridge's port numbers changed ({@link #invalidate}).
 *
 * <p>A model made from scratch must equal this one at any time: {@link #differences} compares them (the periodic audit,
 * and tests after every scenario). One thread (the engine's).
 */
public final class NnveDataplaneModel {
    /** What the model is made of: the engine's TSIs and the bridge's port numbers (the NVA is given as such). */
    public interface Source {
        /** Every TSI instance of the engine. */
        List<Tsi> tsis();

        /** The instances of one TSI (several during a move or a live migration between ports of this nNVE). */
        List<Tsi> instances(VsiId id);

        /** The OpenFlow port number of nNVE port {@code index}; -1 when it is not on the bridge (yet). */
        int ofport(int index);

        /** The OpenFlow port number of the tunnel; -1 when not known (nothing is programmed then). */
        int tunnelPort();

        /** How many ports the nNVE has (indexes 0 .. ports() - 1 for {@link #ofport}). */
        int ports();

        /** A source over an engine's TSIs ({@code tsis} and {@code instances}) and port numbers. */
        static Source of(Supplier<List<Tsi>> tsis, Function<VsiId, List<Tsi>> instances, int ports,
                IntUnaryOperator ofport, IntSupplier tunnelPort) {
            return new Source() {
                @Override
                public int ports() {
                    return ports;
                }

                @Override
                public List<Tsi> tsis() {
                    return tsis.get();
                }

                @Override
                public List<Tsi> instances(VsiId id) {
                    return instances.apply(id);
                }

                @Override
                public int ofport(int index) {
                    return ofport.applyAsInt(index);
                }

                @Override
                public int tunnelPort() {
                    return tunnelPort.getAsInt();
                }
            };
        }
    }

    /** What one update changed: the slices of the VNs touched that are still served, and the VNs no longer served. */
    public record Update(List<Pipeline.VnSlice> changed, List<String> gone, boolean whole, int tsisRecomputed,
                         int resourcesRead) {
        public boolean empty() {
            return changed.isEmpty() && gone.isEmpty();
        }
    }

    /** One TSI instance in the model: its VN, the VN's VNI as the instance resolved it, and what the pipeline reads. */
    private record Entry(VsiId id, int vn, int vni, String key, DataplaneState.Tsi tsi) {
    }

    /** A VN served here (it has at least one TSI instance in the model). */
    private static final class Served {
        /** The instances by "TSI@OpenFlow port": a stable order, whatever the order of the changes. */
        final TreeMap<String, Entry> tsis = new TreeMap<>();
    }

    /** Another NVE's forwarding addresses in one VN, by the key of the mapping entry they come from. */
    private record Placed(int vn, NveId nve) {
    }

    private final NveId self;
    private final Nva nva;
    /** The NVA's replica; null with the in-memory NVA ([nva] local), which knows no other NVE. */
    private final ReplicaNva replica;
    private final Source source;

    private final Map<VsiId, List<Entry>> byTsi = new HashMap<>();
    private final Map<Integer, Served> served = new HashMap<>();
    /** DP-5: the instances (OpenFlow ports) of each TSI whose first frame at a migration's destination unblocked them. */
    private final Map<VsiId, Set<Integer>> unblocked = new HashMap<>();
    /** TSIs with an instance arriving or arrived (DP-5): where a frame sent to the nNVE may come from. */
    private final Set<VsiId> moving = new HashSet<>();
    private int instances;
    private int activated;

    /** The other NVEs' underlay addresses (IPv4 only: the tunnel's) and registered VNs, from the replica. */
    private final Map<NveId, Inet4Address> vteps = new TreeMap<>(java.util.Comparator.comparing(NveId::toString));
    private final Map<NveId, Set<Integer>> registered = new HashMap<>();
    private final Map<ResourceKey, NveId> nveKeys = new HashMap<>();
    /** VN id -> NVE -> mapping key -> its forwarding addresses (the replica's key order). */
    private final Map<Integer, Map<NveId, TreeMap<ResourceKey, List<DataplaneState.RemoteAddress>>>> remote =
            new HashMap<>();
    private final Map<ResourceKey, Placed> placed = new HashMap<>();
    /** NVA-6: this nNVE's own instances' withdrawn addresses by "TSI/port index", and the keys they came from. */
    private final Map<String, List<TsiAddress>> withdrawn = new HashMap<>();
    private final Map<ResourceKey, Withdrawn> withdrawnKeys = new HashMap<>();

    /** Where an own mapping entry's withdrawn addresses are kept ({@code at}: "TSI/port index"). */
    private record Withdrawn(VsiId tsi, String at) {
    }

    private final Set<VsiId> dirtyTsis = new LinkedHashSet<>();
    private final Set<ResourceKey> dirtyKeys = new LinkedHashSet<>();
    private final Set<Integer> dirtyVns = new HashSet<>();
    private boolean whole = true;
    private String wholeWhy = "the first model";
    private long resets = -1;
    private int tunnel = Integer.MIN_VALUE;
    /** The ports' OpenFlow numbers the model was made with (a port that moved makes everything be read again). */
    private int[] numbers = new int[0];

    public NnveDataplaneModel(NveId self, Nva nva, Source source) {
        this.self = self;
        this.nva = nva;
        this.replica = nva instanceof ReplicaNva r ? r : null;
        this.source = source;
    }

    // ----- what may have changed ------------------------------------------------------------------------------------

    /** An effect of the engine: the TSIs it names may have changed; one that names none (a VAP's tag) changes all. */
    public void effect(Effect e) {
        switch (e) {
            case Effect.Acl a -> dirtyTsis.add(a.instance().tsi());
            case Effect.NvaEntries n -> dirtyTsis.add(n.instance().tsi());
            case Effect.NvaHeld h -> dirtyTsis.add(h.instance().tsi());
            case Effect.NvaRemove r -> dirtyTsis.add(r.instance().tsi());
            case Effect.Relearn r -> dirtyTsis.add(r.instance().tsi());
            case Effect.NvaMove m -> {
                dirtyTsis.add(m.from().tsi());
                dirtyTsis.add(m.to().tsi());
            }
            case Effect.TagProvision t -> touchVn(t.vn(), "a VAP's tag provisioned or released");
            case Effect.NvaVnTag t -> touchVn(t.vn(), "a VAP's tag recorded");
        }
    }

    /**
     * An event of the engine: a TSI's state, addresses or migration changed; a VAP's state changed (its VN's TSIs).
     * Answers whether the event may have changed the model.
     */
    public boolean event(Event e) {
        switch (e) {
            case NnveEvent.TsiState t -> dirtyTsis.add(t.tsi());
            case NnveEvent.TsiAddresses a -> dirtyTsis.add(a.tsi());
            case NnveEvent.MigrationAnnounced m -> dirtyTsis.add(m.tsi());
            case NnveEvent.VapState v -> touchVn(v.vn(), "a VAP changed state");
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * A VAP of VN {@code key} changed (its tag, its state): every TSI of the VN in the model is made again; a VN the
     * model cannot name makes everything be read again.
     */
    private void touchVn(VnKey key, String why) {
        Integer id = key instanceof VnKey.Id i ? Integer.valueOf((int) i.id()) : vnOf(key).map(VnRecord::id).orElse(null);
        if (id == null) {
            invalidate(why + " (VN " + key + ")");
            return;
        }
        Served s = served.get(id);
        if (s != null) {
            for (Entry e : s.tsis.values()) {
                dirtyTsis.add(e.id());
            }
        }
    }

    /** The replica's listener: a resource was put or removed. */
    public void resourceChanged(ResourceKey key) {
        dirtyKeys.add(key);
    }

    /** Everything is read again at the next update (logged there with {@code why}). */
    public void invalidate(String why) {
        if (!whole) {
            whole = true;
            wholeWhy = why;
        }
    }

    /** Whether anything may have changed since the last update. */
    public boolean dirty() {
        return whole || !dirtyTsis.isEmpty() || !dirtyKeys.isEmpty() || tunnel != source.tunnelPort()
                || !java.util.Arrays.equals(numbers, numbers()) || (replica != null && resets != replica.replica().resets());
    }

    /** The ports' OpenFlow numbers now. */
    private int[] numbers() {
        int[] out = new int[source.ports()];
        for (int i = 0; i < out.length; i++) {
            out[i] = source.ofport(i);
        }
        return out;
    }

    /** Why the last update read everything again (null when it did not). */
    private String lastWholeWhy;

    public String lastWholeWhy() {
        return lastWholeWhy;
    }

    // ----- the update -----------------------------------------------------------------------------------------------

    /** Applies what changed since the last update; the slices of the VNs touched, and the VNs no longer served. */
    public Update update() {
        int t = source.tunnelPort();
        if (t != tunnel) {
            invalidate("the tunnel's port number changed");
            tunnel = t;
        }
        int[] now = numbers();
        if (!java.util.Arrays.equals(now, numbers)) {
            invalidate("the bridge's port numbers changed");
            numbers = now;
        }
        if (replica != null && resets != replica.replica().resets()) {
            invalidate("the NVA's replica was listed: a first sync or a resync");
            resets = replica.replica().resets();
        }
        for (ResourceKey k : dirtyKeys) {
            if (k.kind() == ResourceKey.Kind.VN) {
                invalidate("a VN's record changed");
            }
        }
        int read = 0;
        int recomputed = 0;
        boolean all = whole;
        lastWholeWhy = all ? wholeWhy : null;
        if (all) {
            dirtyVns.addAll(served.keySet());
            byTsi.clear();
            served.clear();
            moving.clear();
            instances = 0;
            activated = 0;
            vteps.clear();
            registered.clear();
            nveKeys.clear();
            remote.clear();
            placed.clear();
            withdrawn.clear();
            withdrawnKeys.clear();
            if (replica != null) {
                for (Resource r : replica.replica().view().values()) {
                    read(r.key(), r);
                    read++;
                }
            }
            Set<VsiId> ids = new LinkedHashSet<>();
            for (Tsi x : source.tsis()) {
                ids.add(x.id());
            }
            for (VsiId id : ids) {
                recompute(id);
                recomputed++;
            }
            unblocked.keySet().retainAll(ids);
        } else {
            for (ResourceKey k : dirtyKeys) {
                read(k, replica == null ? null : replica.replica().get(k).orElse(null));
                read++;
            }
            for (VsiId id : dirtyTsis) {
                recompute(id);
                recomputed++;
            }
        }
        whole = false;
        wholeWhy = null;
        dirtyKeys.clear();
        dirtyTsis.clear();
        List<Pipeline.VnSlice> changed = new ArrayList<>();
        List<String> gone = new ArrayList<>();
        for (int vn : dirtyVns) {
            if (served.containsKey(vn)) {
                changed.add(slice(vn));
            } else {
                gone.add(name(vn));
            }
        }
        dirtyVns.clear();
        return new Update(changed, gone, all, recomputed, read);
    }

    /** The instances of TSI {@code id} made again from the engine; the VNs they leave or join are touched. */
    private void recompute(VsiId id) {
        Set<Integer> movingPorts = new HashSet<>();
        List<Entry> made = entriesOf(id, movingPorts);
        // a migration over (or aborted) forgets its destination's first frame
        Set<Integer> firstFrames = unblocked.get(id);
        if (firstFrames != null) {
            firstFrames.retainAll(movingPorts);
            if (firstFrames.isEmpty()) {
                unblocked.remove(id);
            }
        }
        if (movingPorts.isEmpty()) {
            moving.remove(id);
        } else {
            moving.add(id);
        }
        List<Entry> was = made.isEmpty() ? byTsi.remove(id) : byTsi.put(id, List.copyOf(made));
        if (was != null && was.equals(made)) {
            return; // nothing the pipeline reads changed
        }
        for (Entry e : was == null ? List.<Entry>of() : was) {
            Served s = served.get(e.vn());
            if (s != null && s.tsis.remove(e.key()) != null) {
                instances--;
                activated -= e.tsi().state() == DataplaneState.TsiState.ACTIVATED ? 1 : 0;
                if (s.tsis.isEmpty()) {
                    served.remove(e.vn());
                }
            }
            dirtyVns.add(e.vn());
        }
        for (Entry e : made) {
            Entry replaced = served.computeIfAbsent(e.vn(), k -> new Served()).tsis.put(e.key(), e);
            if (replaced == null) {
                instances++;
            } else {
                activated -= replaced.tsi().state() == DataplaneState.TsiState.ACTIVATED ? 1 : 0;
            }
            activated += e.tsi().state() == DataplaneState.TsiState.ACTIVATED ? 1 : 0;
            dirtyVns.add(e.vn());
        }
    }

    /**
     * TSI {@code id}'s instances as the pipeline reads them, from the engine now ({@code movingPorts} gets the OpenFlow
     * ports of the instances that are a live migration's destination or one of its two Activated ends). Changes nothing.
     */
    private List<Entry> entriesOf(VsiId id, Set<Integer> movingPorts) {
        List<Tsi> now = source.instances(id);
        int twice = 0;
        for (Tsi x : now) {
            if (x.state() == TsiState.ACTIVATED) {
                twice++;
            }
        }
        List<Entry> made = new ArrayList<>(now.size());
        Set<Integer> firstFrames = unblocked.getOrDefault(id, Set.of());
        String text = null;
        for (Tsi x : now) {
            Optional<VnRecord> vn = vnOf(x.vap().vn().key());
            int tag = x.vap().tag();
            // REL-2: a TSI restored before the NVA's replica has its VN (the first model after a restart) goes by the VN
            // as the engine resolved it
            Integer vnId = vn.map(VnRecord::id).orElse(x.vap().vn().key() instanceof VnKey.Id k && x.vap().vn().vni() >= 0
                    ? (int) k.id() : null);
            int ofport = source.ofport(x.port());
            if (x.state() == TsiState.INIT || vnId == null || tag < 1 || tag > 4094 || ofport < 0) {
                continue;
            }
            boolean both = x.state() == TsiState.ACTIVATED && twice > 1;
            if (x.arriving() || both) {
                movingPorts.add(ofport);
            }
            // the destination: blocked until its first frame (ARRIVING); then, and once activated while the source
            // still is, it gets the TSI's traffic (ARRIVED), the source until then
            DataplaneState.TsiState state;
            if (x.state() == TsiState.ASSOCIATED) {
                state = !x.arriving() ? DataplaneState.TsiState.ASSOCIATED : firstFrames.contains(ofport)
                        ? DataplaneState.TsiState.ARRIVED : DataplaneState.TsiState.ARRIVING;
            } else {
                state = both && (x.ownsNvaEntries() || firstFrames.contains(ofport)) ? DataplaneState.TsiState.ARRIVED
                        : DataplaneState.TsiState.ACTIVATED;
            }
            if (text == null) {
                text = id.toString();
            }
            int vni = vn.map(VnRecord::context).orElse(x.vap().vn().vni());
            // two instances may share a port (two stations behind one bridge, SM-TSI-7): the station tells them apart
            made.add(new Entry(id, vnId, vni, text + "@" + ofport + "@" + x.station(), new DataplaneState.Tsi(text, ofport,
                    tag, name(vnId), state, addresses(x, withdrawn.getOrDefault(text + "/" + x.port(), List.of())))));
        }
        return made;
    }

    /** Where the periodic audit goes on in the engine's list of TSIs at its next turn. */
    private int auditFrom;

    /**
     * The periodic audit's turn (on the engine thread, so bounded): up to {@code max} TSIs, after the last turn's in the
     * engine's order, made again from the engine and compared with the model; a TSI the model holds otherwise (a change
     * no input named) is marked, for the next update to repair. Answers those TSIs.
     */
    public List<VsiId> audit(int max) {
        List<Tsi> all = source.tsis();
        List<VsiId> off = new ArrayList<>();
        if (all.isEmpty()) {
            return off;
        }
        Set<VsiId> seen = new HashSet<>();
        int n = Math.min(max, all.size());
        int from = auditFrom % all.size();
        for (int i = 0; i < n; i++) {
            VsiId id = all.get((from + i) % all.size()).id();
            if (seen.add(id) && !entriesOf(id, new HashSet<>()).equals(byTsi.getOrDefault(id, List.of()))) {
                off.add(id);
                dirtyTsis.add(id);
            }
        }
        auditFrom = from + n;
        return off;
    }

    /**
     * What resource {@code key} gives the model now ({@code r}; null: removed): another NVE's registration and
     * forwarding entries, this nNVE's own entries' withdrawn addresses (NVA-6). The VNs and TSIs it touches are marked.
     */
    private void read(ResourceKey key, Resource r) {
        // what the key gave before goes first
        Placed p = placed.remove(key);
        if (p != null) {
            Map<NveId, TreeMap<ResourceKey, List<DataplaneState.RemoteAddress>>> byNve = remote.get(p.vn());
            if (byNve != null) {
                TreeMap<ResourceKey, List<DataplaneState.RemoteAddress>> m = byNve.get(p.nve());
                if (m != null) {
                    m.remove(key);
                    if (m.isEmpty()) {
                        byNve.remove(p.nve());
                    }
                }
                if (byNve.isEmpty()) {
                    remote.remove(p.vn());
                }
            }
            dirtyVns.add(p.vn());
        }
        Withdrawn w = withdrawnKeys.remove(key);
        if (w != null) {
            withdrawn.remove(w.at());
            dirtyTsis.add(w.tsi());
        }
        NveId n = nveKeys.remove(key);
        if (n != null) {
            vteps.remove(n);
            Set<Integer> vns = registered.remove(n);
            touchNve(n, vns);
        }
        switch (r) {
            case null -> {
            }
            case Resource.Nve x when !x.nve().equals(self) -> {
                nveKeys.put(key, x.nve());
                if (x.registration().vtep() instanceof Inet4Address v4) {
                    vteps.put(x.nve(), v4);
                }
                registered.put(x.nve(), Set.copyOf(x.registration().vns()));
                touchNve(x.nve(), x.registration().vns());
            }
            case Resource.Mapping m when m.entry().instance().nve().equals(self) -> {
                if (!m.entry().withdrawn().isEmpty()) {
                    String at = m.entry().instance().vsi() + "/" + m.entry().instance().port();
                    withdrawn.put(at, m.entry().withdrawn());
                    withdrawnKeys.put(key, new Withdrawn(m.entry().instance().vsi(), at));
                    dirtyTsis.add(m.entry().instance().vsi());
                }
            }
            case Resource.Mapping m when m.entry().state() == EntryState.FORWARDING -> {
                int vn = m.entry().instance().vnId();
                List<DataplaneState.RemoteAddress> a = forwarding(m.entry(), name(vn));
                placed.put(key, new Placed(vn, m.entry().instance().nve()));
                remote.computeIfAbsent(vn, k -> new HashMap<>()).computeIfAbsent(m.entry().instance().nve(),
                        k -> new TreeMap<>()).put(key, a);
                dirtyVns.add(vn);
            }
            default -> {
            }
        }
    }

    /** Another NVE's registration changed: every VN it serves or has addresses in is touched. */
    private void touchNve(NveId n, Collection<Integer> vns) {
        if (vns != null) {
            dirtyVns.addAll(vns);
        }
        for (Map.Entry<Integer, Map<NveId, TreeMap<ResourceKey, List<DataplaneState.RemoteAddress>>>> e
                : remote.entrySet()) {
            if (e.getValue().containsKey(n)) {
                dirtyVns.add(e.getKey());
            }
        }
    }

    /**
     * Another NVE's forwarding entry as the pipeline reads it: each MAC not held with its host IPs (an IP the entry
     * names without a MAC belongs to its one MAC; with several MACs it is unknown).
     */
    private static List<DataplaneState.RemoteAddress> forwarding(MappingEntry e, String vn) {
        List<TsiAddress> held = e.held();
        Map<Long, List<InetAddress>> byMac = new LinkedHashMap<>();
        for (TsiAddress a : e.addresses()) {
            if (a.mac() != null && !held.contains(a)) {
                List<InetAddress> ips = byMac.computeIfAbsent(a.mac().value(), k -> new ArrayList<>());
                if (a.ip() != null && a.prefixLength() == full(a.ip())) {
                    ips.add(a.ip());
                }
            }
        }
        for (TsiAddress a : e.addresses()) {
            if (a.mac() == null && a.ip() != null && byMac.size() == 1 && !held.contains(a)
                    && a.prefixLength() == full(a.ip())) {
                byMac.values().iterator().next().add(a.ip());
            }
        }
        List<DataplaneState.RemoteAddress> out = new ArrayList<>(byMac.size());
        byMac.forEach((mac, ips) -> out.add(new DataplaneState.RemoteAddress(vn, mac, ips)));
        return List.copyOf(out);
    }

    /**
     * VN {@code vn}'s slice: its TSI instances, and the other NVEs that serve it (registered) or have forwarding
     * addresses in it, each with this VN only.
     */
    private Pipeline.VnSlice slice(int vn) {
        Served s = served.get(vn);
        String name = name(vn);
        List<DataplaneState.Tsi> tsis = new ArrayList<>(s.tsis.size());
        for (Entry e : s.tsis.values()) {
            tsis.add(e.tsi());
        }
        int vni = s.tsis.firstEntry().getValue().vni();
        Map<NveId, TreeMap<ResourceKey, List<DataplaneState.RemoteAddress>>> byNve = remote.getOrDefault(vn, Map.of());
        List<DataplaneState.RemoteNve> remotes = new ArrayList<>();
        for (Map.Entry<NveId, Inet4Address> v : vteps.entrySet()) {
            List<DataplaneState.RemoteAddress> addresses = new ArrayList<>();
            TreeMap<ResourceKey, List<DataplaneState.RemoteAddress>> of = byNve.get(v.getKey());
            if (of != null) {
                of.values().forEach(addresses::addAll);
            }
            if (registered.getOrDefault(v.getKey(), Set.of()).contains(vn) || !addresses.isEmpty()) {
                remotes.add(new DataplaneState.RemoteNve(v.getKey().toString(), v.getValue(), List.of(name), addresses));
            }
        }
        return new Pipeline.VnSlice(tunnel, new DataplaneState.Vn(name, vni), tsis, remotes);
    }

    // ----- reads ----------------------------------------------------------------------------------------------------

    /** Every served VN's slice now, by VN name (O(model): for audits and reads, not for updates). */
    public Map<String, Pipeline.VnSlice> slices() {
        Map<String, Pipeline.VnSlice> out = new TreeMap<>();
        for (int vn : served.keySet()) {
            out.put(name(vn), slice(vn));
        }
        return out;
    }

    /**
     * The model as one {@link DataplaneState} (O(model): for reads, {@code show flows} and tests): the VNs served, their
     * TSI instances, the other NVEs with the VNs they serve here and their addresses.
     */
    public DataplaneState state() {
        List<DataplaneState.Vn> vns = new ArrayList<>();
        List<DataplaneState.Tsi> tsis = new ArrayList<>();
        Map<String, List<String>> remoteVns = new LinkedHashMap<>();
        Map<String, List<DataplaneState.RemoteAddress>> remoteAddresses = new LinkedHashMap<>();
        Map<String, Inet4Address> remoteVteps = new LinkedHashMap<>();
        for (Pipeline.VnSlice s : slices().values()) {
            vns.add(s.vn());
            tsis.addAll(s.tsis());
            for (DataplaneState.RemoteNve r : s.remotes()) {
                remoteVteps.put(r.id(), r.vtep());
                remoteVns.computeIfAbsent(r.id(), k -> new ArrayList<>()).addAll(r.vns());
                remoteAddresses.computeIfAbsent(r.id(), k -> new ArrayList<>()).addAll(r.addresses());
            }
        }
        List<DataplaneState.RemoteNve> remotes = new ArrayList<>();
        remoteVteps.forEach((id, vtep) -> remotes.add(new DataplaneState.RemoteNve(id, vtep, remoteVns.get(id),
                remoteAddresses.get(id))));
        return new DataplaneState(tunnel, vns, tsis, remotes);
    }

    /**
     * DP-5: the instance of a live migration's destination (arriving or arrived) on OpenFlow port {@code ofport} with
     * tag {@code tag} and MAC {@code mac}, if any (work: the TSIs migrating now).
     */
    public Optional<Migrating> migrating(int ofport, int tag, long mac) {
        for (VsiId id : moving) {
            for (Entry e : byTsi.getOrDefault(id, List.of())) {
                DataplaneState.Tsi t = e.tsi();
                boolean migrating = t.state() == DataplaneState.TsiState.ARRIVING
                        || t.state() == DataplaneState.TsiState.ARRIVED;
                if (migrating && t.port() == ofport && t.tag() == tag
                        && t.addresses().stream().anyMatch(a -> a.mac() == mac)) {
                    return Optional.of(new Migrating(id, t));
                }
            }
        }
        return Optional.empty();
    }

    /** A live migration's destination instance in the model, and its TSI. */
    public record Migrating(VsiId id, DataplaneState.Tsi tsi) {
    }

    /** DP-5: the first frame of TSI {@code id}'s instance on OpenFlow port {@code ofport} was seen: it is unblocked. */
    public void unblock(VsiId id, int ofport) {
        unblocked.computeIfAbsent(id, k -> new HashSet<>()).add(ofport);
        dirtyTsis.add(id);
    }

    /** TSI instances in the model, and how many of them are Activated (not a migration's destination). */
    public int instances() {
        return instances;
    }

    public int activated() {
        return activated;
    }

    /** The other NVEs known (with an IPv4 underlay address). */
    public int remoteNves() {
        return vteps.size();
    }

    /** The VNs served. */
    public int vns() {
        return served.size();
    }

    /**
     * The VNs in which this model differs from one made from scratch of the same inputs (with the same first frames
     * seen), at most {@code max}; empty when it is exact. O(model): the audit's, and tests'.
     */
    public List<String> differences(int max) {
        NnveDataplaneModel fresh = new NnveDataplaneModel(self, nva, source);
        unblocked.forEach((id, ports) -> fresh.unblocked.put(id, new HashSet<>(ports)));
        fresh.update();
        Map<String, Pipeline.VnSlice> mine = slices();
        Map<String, Pipeline.VnSlice> theirs = fresh.slices();
        List<String> out = new ArrayList<>();
        Set<String> names = new java.util.TreeSet<>(mine.keySet());
        names.addAll(theirs.keySet());
        for (String vn : names) {
            if (!java.util.Objects.equals(mine.get(vn), theirs.get(vn)) && out.size() < max) {
                out.add(vn);
            }
        }
        return out;
    }

    // ----- helpers --------------------------------------------------------------------------------------------------

    /**
     * The TSI's MACs (its filter's and its addresses'), each with the IPs declared for it; an address held (REQ-8,
     * REQ-9) or withdrawn by the NVA ({@code withdrawn}, NVA-6) passes nothing.
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
        List<TsiAddress> off = t.held();
        if (!withdrawn.isEmpty()) {
            off = new ArrayList<>(off);
            off.addAll(withdrawn);
        }
        List<DataplaneState.Address> out = new ArrayList<>(macs.size());
        for (long mac : macs) {
            List<InetAddress> ips = new ArrayList<>();
            boolean held = false;
            for (TsiAddress a : t.addresses()) {
                if (a.ip() != null && (a.mac() == null || a.mac().value() == mac) && a.prefixLength() == full(a.ip())) {
                    ips.add(a.ip());
                }
            }
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

    static String name(int vnId) {
        return "vn-" + Integer.toUnsignedString(vnId);
    }
}
