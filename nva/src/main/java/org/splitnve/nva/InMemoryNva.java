package org.splitnve.nva;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.splitnve.wire.Hashes;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.Parameter;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VnId;
import org.splitnve.wire.vdp.VsiId;

/**
 * The NVA in memory: hash maps indexed for the nNVE's hot path (a VN by ID, name or alias; an instance; a MAC
 * or host IP address in a VN: one or two hash lookups each; IP prefixes are scanned, per VN).
 *
 * <p><b>Not thread-safe.</b> Every call, administration included, must come from one thread, or be serialised
 * by the caller: the nNVE engine is single-threaded and owns its NVA client. Listeners are called on that
 * thread, after each operation has completed, in order.
 */
public final class InMemoryNva implements Nva {
    // VN registry (ID-1)
    private final Map<Integer, VnTable> tables = new LinkedHashMap<>();
    private final Map<UUID, VnRecord> vnByName = new HashMap<>();
    private final Map<String, VnRecord> vnByAlias = new HashMap<>();
    private final Map<Integer, VnRecord> vnByContext = new HashMap<>();

    // Policy (SEC-1, SEC-2)
    private final Set<EndDeviceRule> deviceRules = new HashSet<>();
    private final Set<TsiRule> tsiRules = new HashSet<>();
    private final Map<RecordKey, TsiRecord> records = new HashMap<>();

    // Mapping and forwarding tables (SM-TSI-*)
    private final Map<TsiInstance, Slot> slots = new HashMap<>();
    private final Map<VsiId, List<Slot>> slotsByVsi = new HashMap<>();
    private long nextSeq;

    // Local tags (SM-VAP-2)
    private final Map<TagKey, LocalTag> tags = new HashMap<>();

    private final List<NvaListener> listeners = new ArrayList<>();
    private final List<NvaChange> pending = new ArrayList<>();

    private record RecordKey(VsiId vsi, int vnId) {
    }

    private record TagKey(NveId nve, int portScope, int tag) {
    }

    /** An address at an nNVE: what other NVEs see (the port is the nNVE's own business). */
    private record Visible(TsiAddress address, NveId nve) {
    }

    /**
     * A host address as an index key, its hash mixed ({@link Hashes}): an IPv4 address's own hash is the address, and
     * hosts of one VN handed out with a stride (every 64th address of a range spread over 64 VNs) would share their
     * low bits, so the index's HashMap would chain them (issue 13: the restore at 100,000 TSIs).
     */
    private record Host(InetAddress ip) {
        @Override
        public int hashCode() {
            return Hashes.mix(ip.hashCode());
        }
    }

    /** One address of one instance, as the indexes hold it. Equality: the same slot object and address. */
    private record Ref(Slot slot, TsiAddress address) {
    }

    /** One TSI instance; mutable so that the indexes follow a port move without being touched. */
    private static final class Slot {
        TsiInstance instance;
        EntryState state;
        List<TsiAddress> addresses = List.of();
        /** Addresses kept as mapping entries while the instance forwards. */
        Set<TsiAddress> held = Set.of();
        final long seq;

        Slot(TsiInstance instance, EntryState state, long seq) {
            this.instance = instance;
            this.state = state;
            this.seq = seq;
        }

        TsiBinding snapshot() {
            return new TsiBinding(instance, state, addresses, List.copyOf(held));
        }

        EntryState stateOf(TsiAddress a) {
            return state == EntryState.FORWARDING && held.contains(a) ? EntryState.MAPPING : state;
        }
    }

    /** Everything of one VN. */
    private static final class VnTable {
        final VnRecord vn;
        final Set<Slot> slots = new LinkedHashSet<>();
        final Map<MacAddress, List<Ref>> byMac = new HashMap<>();
        final Map<Host, List<Ref>> byHost = new HashMap<>();
        final List<Ref> prefixes = new ArrayList<>();
        final Map<Visible, int[]> visible = new HashMap<>();
        final Set<LocalTag> tags = new LinkedHashSet<>();
        long added;
        long removed;

        VnTable(VnRecord vn) {
            this.vn = vn;
        }

        void index(Slot s, TsiAddress a) {
            Ref r = new Ref(s, a);
            if (a.mac() != null) {
                byMac.computeIfAbsent(a.mac(), k -> new ArrayList<>(1)).add(r);
            }
            if (a.ip() != null) {
                if (Addresses.isHost(a)) {
                    byHost.computeIfAbsent(new Host(a.ip()), k -> new ArrayList<>(1)).add(r);
                } else {
                    prefixes.add(r);
                }
            }
            int[] n = visible.computeIfAbsent(new Visible(a, s.instance.nve()), k -> new int[1]);
            if (n[0]++ == 0) {
                added++;
            }
        }

        void unindex(Slot s, TsiAddress a) {
            Ref r = new Ref(s, a);
            if (a.mac() != null) {
                drop(byMac, a.mac(), r);
            }
            if (a.ip() != null) {
                if (Addresses.isHost(a)) {
                    drop(byHost, new Host(a.ip()), r);
                } else {
                    prefixes.remove(r);
                }
            }
            Visible v = new Visible(a, s.instance.nve());
            int[] n = visible.get(v);
            if (n != null && --n[0] == 0) {
                visible.remove(v);
                removed++;
            }
        }

        private static <K> void drop(Map<K, List<Ref>> index, K key, Ref r) {
            List<Ref> l = index.get(key);
            if (l != null) {
                l.remove(r);
                if (l.isEmpty()) {
                    index.remove(key);
                }
            }
        }

        /** A ref of another TSI (another VSI ID) holding the MAC or host IP of {@code a}, or null. */
        Ref conflict(VsiId vsi, TsiAddress a) {
            if (a.mac() != null) {
                Ref r = other(byMac.get(a.mac()), vsi);
                if (r != null) {
                    return r;
                }
            }
            if (a.ip() != null && Addresses.isHost(a)) {
                return other(byHost.get(new Host(a.ip())), vsi);
            }
            return null;
        }

        private static Ref other(List<Ref> refs, VsiId vsi) {
            if (refs != null) {
                for (Ref r : refs) {
                    if (!r.slot.instance.vsi().equals(vsi)) {
                        return r;
                    }
                }
            }
            return null;
        }
    }

    // ---------------------------------------------------------------- listeners

    @Override
    public void addListener(NvaListener listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    @Override
    public void removeListener(NvaListener listener) {
        listeners.remove(listener);
    }

    private void emit(NvaChange change) {
        if (!listeners.isEmpty()) {
            pending.add(change);
        }
    }

    private <T> Decision<T> done(T value) {
        if (!pending.isEmpty()) {
            NvaChange[] changes = pending.toArray(new NvaChange[0]);
            pending.clear();
            NvaListener[] ls = listeners.toArray(new NvaListener[0]);
            for (NvaChange c : changes) {
                for (NvaListener l : ls) {
                    l.changed(c);
                }
            }
        }
        return Decision.allow(value);
    }

    private static <T> Decision<T> refuse(Refusal reason, String detail) {
        return Decision.refuse(reason, detail);
    }

    private static String vn(int vnId) {
        return "VN " + Integer.toUnsignedLong(vnId);
    }

    // ---------------------------------------------------------------- VN registry

    @Override
    public Decision<VnRecord> addVn(VnRecord vn) {
        VnRecord other;
        if ((other = vnByName.get(vn.name())) != null) {
            return refuse(Refusal.VN_NAME_IN_USE, vn.name() + " is " + vn(other.id()));
        }
        if (tables.containsKey(vn.id())) {
            return refuse(Refusal.VN_ID_IN_USE, vn(vn.id()) + " is \"" + tables.get(vn.id()).vn.alias() + '"');
        }
        if ((other = vnByAlias.get(aliasKey(vn.alias()))) != null) {
            return refuse(Refusal.VN_ALIAS_IN_USE, '"' + vn.alias() + "\" is " + vn(other.id()));
        }
        if ((other = vnByContext.get(vn.context())) != null) {
            return refuse(Refusal.VN_CONTEXT_IN_USE, "VNI " + vn.context() + " is " + vn(other.id()));
        }
        tables.put(vn.id(), new VnTable(vn));
        vnByName.put(vn.name(), vn);
        vnByAlias.put(aliasKey(vn.alias()), vn);
        vnByContext.put(vn.context(), vn);
        emit(new NvaChange.VnAdded(vn));
        return done(vn);
    }

    @Override
    public Decision<VnRecord> removeVn(int vnId) {
        VnTable t = tables.get(vnId);
        if (t == null) {
            return refuse(Refusal.UNKNOWN_VN, vn(vnId));
        }
        for (Slot s : List.copyOf(t.slots)) {
            drop(t, s);
        }
        for (LocalTag tag : List.copyOf(t.tags)) {
            tags.remove(new TagKey(tag.nve(), tag.portScope(), tag.tag()));
            emit(new NvaChange.LocalTagReleased(tag));
        }
        tsiRules.removeIf(r -> r.vnId() == vnId);
        records.keySet().removeIf(k -> k.vnId() == vnId);
        tables.remove(vnId);
        vnByName.remove(t.vn.name());
        vnByAlias.remove(aliasKey(t.vn.alias()));
        vnByContext.remove(t.vn.context());
        emit(new NvaChange.VnRemoved(t.vn));
        return done(t.vn);
    }

    private static String aliasKey(String alias) {
        return alias.toLowerCase(Locale.ROOT);
    }

    @Override
    public Optional<VnRecord> vn(VnId vn) {
        return switch (vn) {
            case VnId.Group g -> vnById(g.id());
            case VnId.Name n -> vnByName(n.uuid());
        };
    }

    @Override
    public Optional<VnRecord> vnById(int vnId) {
        VnTable t = tables.get(vnId);
        return t == null ? Optional.empty() : Optional.of(t.vn);
    }

    @Override
    public Optional<VnRecord> vnByName(UUID name) {
        return Optional.ofNullable(vnByName.get(name));
    }

    @Override
    public Optional<VnRecord> vnByAlias(String alias) {
        return Optional.ofNullable(vnByAlias.get(aliasKey(alias)));
    }

    @Override
    public List<VnRecord> vns() {
        List<VnRecord> out = new ArrayList<>(tables.size());
        for (VnTable t : tables.values()) {
            out.add(t.vn);
        }
        return out;
    }

    // ---------------------------------------------------------------- policy

    @Override
    public void permitEndDevice(EndDeviceRule rule) {
        deviceRules.add(Objects.requireNonNull(rule));
    }

    @Override
    public boolean revokeEndDevice(EndDeviceRule rule) {
        return deviceRules.remove(rule);
    }

    @Override
    public void permitTsi(TsiRule rule) {
        tsiRules.add(Objects.requireNonNull(rule));
    }

    @Override
    public boolean revokeTsi(TsiRule rule) {
        return tsiRules.remove(rule);
    }

    @Override
    public void putTsiRecord(TsiRecord record) {
        records.put(new RecordKey(record.vsi(), record.vnId()), record);
    }

    @Override
    public Optional<TsiRecord> tsiRecord(VsiId vsi, int vnId) {
        return Optional.ofNullable(records.get(new RecordKey(vsi, vnId)));
    }

    @Override
    public boolean removeTsiRecord(VsiId vsi, int vnId) {
        return records.remove(new RecordKey(vsi, vnId)) != null;
    }

    private boolean deviceAllowed(EndDevice d) {
        return deviceRules.contains(EndDeviceRule.anyOn(d.nve()))
                || deviceRules.contains(EndDeviceRule.port(d.nve(), d.port()))
                || deviceRules.contains(EndDeviceRule.station(d.nve(), d.station()))
                || deviceRules.contains(EndDeviceRule.exact(d.nve(), d.port(), d.station()));
    }

    @Override
    public Decision<EndDevice> authoriseEndDevice(EndDevice device) {
        return deviceAllowed(device) ? Decision.allow(device)
                : refuse(Refusal.END_DEVICE_NOT_AUTHORISED, device.toString());
    }

    @Override
    public Decision<VnRecord> connectVn(EndDevice device, VnId vn) {
        if (!deviceAllowed(device)) {
            return refuse(Refusal.END_DEVICE_NOT_AUTHORISED, device.toString());
        }
        Optional<VnRecord> r = vn(vn);
        return r.isPresent() ? Decision.allow(r.get()) : refuse(Refusal.UNKNOWN_VN, vn.toString());
    }

    @Override
    public Decision<TsiGrant> authoriseTsi(EndDevice device, VsiId vsi, int vnId, List<TsiAddress> addresses,
            List<Parameter> parameters) {
        if (!deviceAllowed(device)) {
            return refuse(Refusal.END_DEVICE_NOT_AUTHORISED, device.toString());
        }
        VnTable t = tables.get(vnId);
        if (t == null) {
            return refuse(Refusal.UNKNOWN_VN, vn(vnId));
        }
        TsiRecord rec = records.get(new RecordKey(vsi, vnId));
        if (rec == null && !tsiRules.contains(TsiRule.anyOn(vnId)) && !tsiRules.contains(TsiRule.on(vnId, vsi))) {
            return refuse(Refusal.TSI_NOT_AUTHORISED_ON_VN, "TSI " + vsi + " on " + vn(vnId));
        }
        TsiAddress other = Addresses.otherVn(addresses, vnId);
        if (other != null) {
            return refuse(Refusal.ADDRESS_NOT_IN_VN, other + " in a request for " + vn(vnId));
        }
        VnRecord vn = t.vn;
        List<TsiAddress> granted;
        List<Parameter> params;
        if (vn.mode() == ProvisioningMode.VALIDATED) {
            if (rec == null) {
                return refuse(Refusal.NO_TSI_RECORD, "TSI " + vsi + " on " + vn(vnId));
            }
            for (TsiAddress a : addresses) {
                if (!rec.covers(a)) {
                    return refuse(Refusal.ADDRESS_NOT_IN_RECORD, a + " of TSI " + vsi);
                }
            }
            granted = rec.addresses();
            params = rec.parameters();
        } else {
            granted = Addresses.normalise(addresses, vnId);
            params = parameters;
            TsiAddress wide = vn.prefixes().firstRefused(granted);
            if (wide != null) {
                return refuse(Refusal.PREFIX_TOO_SHORT, vn.prefixes().refusal(wide, vn(vnId)));
            }
        }
        if (!vn.service().satisfiedBy(granted)) {
            return refuse(Refusal.ADDRESSES_INCOMPLETE, vn.service().need());
        }
        return Decision.allow(new TsiGrant(vn, vn.mode(), granted, params));
    }

    // ---------------------------------------------------------------- mapping and forwarding tables

    @Override
    public Decision<TsiBinding> associate(TsiInstance instance, List<TsiAddress> addresses) {
        return set(instance, addresses, EntryState.MAPPING);
    }

    @Override
    public Decision<TsiBinding> activate(TsiInstance instance, List<TsiAddress> addresses) {
        return set(instance, addresses, EntryState.FORWARDING);
    }

    @Override
    public Decision<TsiBinding> activate(TsiInstance instance) {
        return transition(instance, EntryState.FORWARDING);
    }

    @Override
    public Decision<TsiBinding> deactivate(TsiInstance instance) {
        return transition(instance, EntryState.MAPPING);
    }

    @Override
    public Decision<TsiBinding> deassociate(TsiInstance instance) {
        Slot s = slots.get(instance);
        if (s == null) {
            return refuse(Refusal.UNKNOWN_TSI_INSTANCE, instance.toString());
        }
        TsiBinding was = s.snapshot();
        drop(tables.get(instance.vnId()), s);
        return done(was);
    }

    @Override
    public Decision<TsiBinding> updateAddresses(TsiInstance instance, List<TsiAddress> remove, List<TsiAddress> add) {
        Slot s = slots.get(instance);
        if (s == null) {
            return refuse(Refusal.UNKNOWN_TSI_INSTANCE, instance.toString());
        }
        List<TsiAddress> gone = Addresses.normalise(remove, instance.vnId());
        List<TsiAddress> more = Addresses.normalise(add, instance.vnId());
        if (gone == null || more == null) {
            TsiAddress other = Addresses.otherVn(gone == null ? remove : add, instance.vnId());
            return refuse(Refusal.ADDRESS_NOT_IN_VN, other + " for " + instance);
        }
        List<TsiAddress> next = new ArrayList<>(s.addresses.size() + more.size());
        for (TsiAddress a : s.addresses) {
            if (!gone.contains(a)) {
                next.add(a);
            }
        }
        next.addAll(more);
        return set(instance, next, null);
    }

    @Override
    public Decision<TsiBinding> replaceAddresses(TsiInstance instance, List<TsiAddress> addresses) {
        if (!slots.containsKey(instance)) {
            return refuse(Refusal.UNKNOWN_TSI_INSTANCE, instance.toString());
        }
        return set(instance, addresses, null);
    }

    @Override
    public Decision<TsiBinding> movePort(TsiInstance instance, int newPort) {
        Slot s = slots.get(instance);
        if (s == null) {
            return refuse(Refusal.UNKNOWN_TSI_INSTANCE, instance.toString());
        }
        if (newPort == instance.port()) {
            return done(s.snapshot());
        }
        TsiInstance to = instance.onPort(newPort);
        if (slots.containsKey(to)) {
            return refuse(Refusal.INSTANCE_EXISTS, to.toString());
        }
        slots.remove(instance);
        s.instance = to;
        slots.put(to, s);
        for (TsiAddress a : s.addresses) {
            emit(new NvaChange.EntryMoved(instance, to, a, s.state));
        }
        return done(s.snapshot());
    }

    /**
     * Sets an instance's addresses (only the difference reported) and, unless {@code state} is null (keep it),
     * its state; creates the instance when {@code state} is given. All checks first: a refusal changes nothing.
     */
    private Decision<TsiBinding> set(TsiInstance instance, List<TsiAddress> addresses, EntryState state) {
        VnTable t = tables.get(instance.vnId());
        if (t == null) {
            return refuse(Refusal.UNKNOWN_VN, vn(instance.vnId()));
        }
        List<TsiAddress> next = Addresses.normalise(addresses, instance.vnId());
        if (next == null) {
            return refuse(Refusal.ADDRESS_NOT_IN_VN, Addresses.otherVn(addresses, instance.vnId()) + " for " + instance);
        }
        if (!t.vn.service().satisfiedBy(next)) {
            return refuse(Refusal.ADDRESSES_INCOMPLETE, t.vn.service().need() + " (" + instance + ")");
        }
        for (TsiAddress a : next) {
            Ref r = t.conflict(instance.vsi(), a);
            if (r != null) {
                return refuse(Refusal.ADDRESS_IN_USE, a + " is held by " + r.slot.instance);
            }
        }
        Slot s = slots.get(instance);
        if (s == null) {
            s = new Slot(instance, state, nextSeq++);
            slots.put(instance, s);
            slotsByVsi.computeIfAbsent(instance.vsi(), k -> new ArrayList<>(1)).add(s);
            t.slots.add(s);
            s.addresses = next;
            for (TsiAddress a : next) {
                t.index(s, a);
                emit(new NvaChange.EntryAdded(instance, a, state));
            }
            return done(s.snapshot());
        }
        List<TsiAddress> old = s.addresses;
        for (TsiAddress a : old) {
            if (!next.contains(a)) {
                t.unindex(s, a);
                emit(new NvaChange.EntryRemoved(instance, a, s.stateOf(a)));
            }
        }
        if (state != null && state != s.state) {
            for (TsiAddress a : next) {
                if (old.contains(a) && !s.held.contains(a)) {
                    emit(new NvaChange.EntryStateChanged(instance, a, s.state, state));
                }
            }
            s.state = state;
            s.held = Set.of();
        }
        if (!s.held.isEmpty()) {
            Set<TsiAddress> kept = new java.util.LinkedHashSet<>(s.held);
            kept.retainAll(next);
            s.held = Set.copyOf(kept);
        }
        for (TsiAddress a : next) {
            if (!old.contains(a)) {
                t.index(s, a);
                emit(new NvaChange.EntryAdded(instance, a, s.state));
            }
        }
        s.addresses = next;
        return done(s.snapshot());
    }

    private Decision<TsiBinding> transition(TsiInstance instance, EntryState state) {
        Slot s = slots.get(instance);
        if (s == null) {
            return refuse(Refusal.UNKNOWN_TSI_INSTANCE, instance.toString());
        }
        if (s.state != state) {
            for (TsiAddress a : s.addresses) {
                if (!s.held.contains(a)) {
                    emit(new NvaChange.EntryStateChanged(instance, a, s.state, state));
                }
            }
            s.state = state;
            s.held = Set.of(); // a whole-instance change ends a partial deactivation
        }
        return done(s.snapshot());
    }

    @Override
    public Decision<TsiBinding> hold(TsiInstance instance, List<TsiAddress> held) {
        Slot s = slots.get(instance);
        if (s == null) {
            return refuse(Refusal.UNKNOWN_TSI_INSTANCE, instance.toString());
        }
        List<TsiAddress> normal = Addresses.normalise(held, instance.vnId());
        Set<TsiAddress> next = new java.util.LinkedHashSet<>();
        for (TsiAddress a : normal == null ? held : normal) {
            if (s.addresses.contains(a)) {
                next.add(a);
            }
        }
        if (s.state == EntryState.FORWARDING) {
            for (TsiAddress a : s.addresses) {
                boolean was = s.held.contains(a);
                boolean now = next.contains(a);
                if (was != now) {
                    emit(new NvaChange.EntryStateChanged(instance, a, now ? EntryState.FORWARDING : EntryState.MAPPING,
                            now ? EntryState.MAPPING : EntryState.FORWARDING));
                }
            }
        }
        s.held = Set.copyOf(next);
        return done(s.snapshot());
    }

    /** Removes an instance with all its entries (reported; churn counted). */
    private void drop(VnTable t, Slot s) {
        for (TsiAddress a : s.addresses) {
            t.unindex(s, a);
            emit(new NvaChange.EntryRemoved(s.instance, a, s.stateOf(a)));
        }
        t.slots.remove(s);
        slots.remove(s.instance);
        List<Slot> same = slotsByVsi.get(s.instance.vsi());
        same.remove(s);
        if (same.isEmpty()) {
            slotsByVsi.remove(s.instance.vsi());
        }
    }

    @Override
    public Optional<TsiBinding> binding(TsiInstance instance) {
        Slot s = slots.get(instance);
        return s == null ? Optional.empty() : Optional.of(s.snapshot());
    }

    @Override
    public List<TsiBinding> bindings(VsiId vsi) {
        List<Slot> same = slotsByVsi.get(vsi);
        if (same == null) {
            return List.of();
        }
        List<TsiBinding> out = new ArrayList<>(same.size());
        for (Slot s : same) {
            out.add(s.snapshot());
        }
        return out;
    }

    private static final Comparator<Ref> LOOKUP_ORDER = Comparator
            .comparing((Ref r) -> r.slot.stateOf(r.address) != EntryState.FORWARDING)
            .thenComparingInt(r -> -(r.address.ip() == null ? 48 : r.address.prefixLength()))
            .thenComparingLong(r -> r.slot.seq);

    @Override
    public List<Entry> lookup(int vnId, MacAddress mac) {
        VnTable t = tables.get(vnId);
        List<Ref> refs = t == null ? null : t.byMac.get(mac);
        return refs == null ? List.of() : entries(refs);
    }

    @Override
    public List<Entry> lookup(int vnId, InetAddress ip) {
        VnTable t = tables.get(vnId);
        if (t == null) {
            return List.of();
        }
        List<Ref> hosts = t.byHost.get(new Host(ip));
        if (t.prefixes.isEmpty()) {
            return hosts == null ? List.of() : entries(hosts);
        }
        List<Ref> refs = hosts == null ? new ArrayList<>() : new ArrayList<>(hosts);
        for (Ref r : t.prefixes) {
            if (Addresses.contains(r.address.ip(), r.address.prefixLength(), ip)) {
                refs.add(r);
            }
        }
        return entries(refs);
    }

    /** One entry per instance, the best address first, in lookup order. */
    private static List<Entry> entries(List<Ref> refs) {
        if (refs.size() == 1) {
            Ref r = refs.getFirst();
            return List.of(new Entry(r.slot.instance, r.address, r.slot.stateOf(r.address)));
        }
        List<Ref> sorted = new ArrayList<>(refs);
        sorted.sort(LOOKUP_ORDER);
        List<Entry> out = new ArrayList<>(sorted.size());
        Set<Slot> seen = new HashSet<>();
        for (Ref r : sorted) {
            if (seen.add(r.slot)) {
                out.add(new Entry(r.slot.instance, r.address, r.slot.stateOf(r.address)));
            }
        }
        return out;
    }

    @Override
    public List<Entry> entries(int vnId) {
        VnTable t = tables.get(vnId);
        if (t == null) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        for (Slot s : t.slots) {
            for (TsiAddress a : s.addresses) {
                out.add(new Entry(s.instance, a, s.stateOf(a)));
            }
        }
        return out;
    }

    @Override
    public Churn churn(int vnId) {
        VnTable t = tables.get(vnId);
        return t == null ? Churn.NONE : new Churn(t.added, t.removed);
    }

    // ---------------------------------------------------------------- local tags

    @Override
    public Decision<LocalTag> recordLocalTag(LocalTag tag) {
        VnTable t = tables.get(tag.vnId());
        if (t == null) {
            return refuse(Refusal.UNKNOWN_VN, vn(tag.vnId()));
        }
        TagKey key = new TagKey(tag.nve(), tag.portScope(), tag.tag());
        LocalTag had = tags.get(key);
        if (had != null) {
            return had.vnId() == tag.vnId() ? done(had)
                    : refuse(Refusal.TAG_IN_USE, "tag " + tag.tag() + " on " + tag.nve() + ":" + tag.portScope()
                            + " is " + vn(had.vnId()));
        }
        tags.put(key, tag);
        t.tags.add(tag);
        emit(new NvaChange.LocalTagRecorded(tag));
        return done(tag);
    }

    @Override
    public boolean releaseLocalTag(LocalTag tag) {
        TagKey key = new TagKey(tag.nve(), tag.portScope(), tag.tag());
        if (!tag.equals(tags.get(key))) {
            return false;
        }
        tags.remove(key);
        tables.get(tag.vnId()).tags.remove(tag);
        emit(new NvaChange.LocalTagReleased(tag));
        done(tag);
        return true;
    }

    @Override
    public Optional<LocalTag> localTag(NveId nve, int portScope, int tag) {
        return Optional.ofNullable(tags.get(new TagKey(nve, portScope, tag)));
    }

    @Override
    public List<LocalTag> localTags(int vnId) {
        VnTable t = tables.get(vnId);
        return t == null ? List.of() : List.copyOf(t.tags);
    }
}
