package org.splitnve.demo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.splitnve.daemon.NnveDaemon;
import org.splitnve.daemon.TnveDaemon;
import org.splitnve.nnve.NnveEngine;
import org.splitnve.nnve.Peer;
import org.splitnve.nnve.Tsi;
import org.splitnve.nnve.TsiState;
import org.splitnve.nnve.Vap;
import org.splitnve.nnve.VnKey;
import org.splitnve.nva.Churn;
import org.splitnve.nva.Entry;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.Nva;
import org.splitnve.nva.service.Interest;
import org.splitnve.nva.service.MappingEntry;
import org.splitnve.nva.service.Resource;
import org.splitnve.nva.service.RevisionedNva;
import org.splitnve.nva.service.Snapshot;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.Vm;
import org.splitnve.tnve.VmState;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * What every daemon holds at one moment, read on each engine's own thread, and what the shared NVA holds (its
 * truth: where every TSI lives): the view's tables and the lifecycle's expectations are both made from it.
 */
record World(Map<String, NnveView> nnves, Map<String, TnveView> tnves, NvaView nva) {

    /**
     * One TSI instance as the NVA holds it (its mapping entry, NVA-6): VN, nNVE, nNVE port, state, mobility
     * sequence number, addresses and those another nNVE claimed with a newer sequence number (withdrawn here).
     */
    record PlaceRow(VsiId tsi, long vn, String nve, int port, EntryState state, long seq, List<TsiAddress> addresses,
            List<TsiAddress> withdrawn) {
    }

    /** The NVA's truth at one revision: every TSI instance's mapping entry. */
    record NvaView(long revision, List<PlaceRow> places) {
        List<PlaceRow> of(VsiId tsi) {
            return places.stream().filter(p -> p.tsi().equals(tsi)).toList();
        }
    }

    record PeerRow(int port, MacAddress station, boolean extensions, int tsis) {
    }

    /** One VAP (SM-VAP-1): a VN on a port scope, its local tag and TSI count. */
    record VapRow(String scope, long vn, int vni, Vap.State state, List<Integer> tags, int tsis) {
    }

    /** One TSI instance (SM-TSI-1) at an nNVE. */
    record TsiRow(VsiId id, long vn, TsiState state, int port, MacAddress station, int tag, MacAddress mac,
            List<TsiAddress> ips, boolean ownsNva) {
    }

    /**
     * One VN at the NVA, counted by the NVA's truth: the mapping and forwarding entries of the instances attached
     * through this nNVE (a withdrawn address is a mapping entry); the churn as the nNVE's replica saw it.
     */
    record NvaRow(long vn, int mapping, int forwarding, Churn churn) {
    }

    record NnveView(String name, List<PeerRow> peers, List<VapRow> vaps, List<TsiRow> tsis, List<NvaRow> nva) {
        List<TsiRow> instances(VsiId id) {
            return tsis.stream().filter(t -> t.id().equals(id)).toList();
        }

        NvaRow nva(long vn) {
            return nva.stream().filter(r -> r.vn() == vn).findFirst().orElse(new NvaRow(vn, 0, 0, Churn.NONE));
        }
    }

    /** A TSI's state at one uplink, as the nNVE confirmed it to the tNVE. */
    record LinkRow(String uplink, TnveEngine.TsiState state, int tag) {
    }

    record VmRow(String name, VmState state, List<TsiSpec> tsis, List<LinkRow> links) {
    }

    record TnveView(String name, List<VmRow> vms) {
        VmRow vm(String name) {
            return vms.stream().filter(v -> v.name().equals(name)).findFirst().orElse(null);
        }
    }

    /**
     * Reads the NVA, then every daemon (each on its engine thread, at most {@code timeoutMs} each); {@code nva} null
     * before the NVA daemon started.
     */
    static World take(RevisionedNva nva, Map<String, NnveDaemon> nnves, Map<String, TnveDaemon> tnves, long timeoutMs)
            throws Exception {
        List<MappingEntry> entries = new ArrayList<>();
        long revision = 0;
        if (nva != null) {
            Snapshot snap = nva.list(Interest.operator());
            revision = snap.revision();
            for (Resource r : snap.resources()) {
                if (r instanceof Resource.Mapping m) {
                    entries.add(m.entry());
                }
            }
        }
        List<PlaceRow> places = new ArrayList<>();
        for (MappingEntry m : entries) {
            places.add(new PlaceRow(m.instance().vsi(), Integer.toUnsignedLong(m.instance().vnId()),
                    m.instance().nve().name(), m.instance().port(), m.state(), m.mobilitySeq(), m.addresses(),
                    m.withdrawn()));
        }
        places.sort(Comparator.comparing((PlaceRow p) -> Plan.vmOf(p.tsi())).thenComparing(PlaceRow::nve)
                .thenComparingInt(PlaceRow::port));
        Map<String, NnveView> n = new LinkedHashMap<>();
        for (var e : nnves.entrySet()) {
            NnveDaemon d = e.getValue();
            n.put(e.getKey(), d.runner().call(() -> nnve(e.getKey(), d.engine(), d.nva(), entries))
                    .get(timeoutMs, TimeUnit.MILLISECONDS));
        }
        Map<String, TnveView> t = new LinkedHashMap<>();
        for (var e : tnves.entrySet()) {
            TnveDaemon d = e.getValue();
            List<String> uplinks = d.settings().uplinks().stream().map(u -> u.name()).toList();
            t.put(e.getKey(), d.runner().call(() -> tnve(e.getKey(), d.engine(), uplinks))
                    .get(timeoutMs, TimeUnit.MILLISECONDS));
        }
        return new World(n, t, new NvaView(revision, List.copyOf(places)));
    }

    private static NnveView nnve(String name, NnveEngine engine, Nva nva, List<MappingEntry> truth) {
        List<PeerRow> peers = new ArrayList<>();
        for (Peer p : engine.peers()) {
            peers.add(new PeerRow(p.port(), p.station(), p.extensions(), p.tsiCount()));
        }
        peers.sort(Comparator.comparingInt(PeerRow::port).thenComparing(PeerRow::station));
        List<VapRow> vaps = new ArrayList<>();
        for (Vap v : engine.vaps()) {
            vaps.add(new VapRow(v.scope(), vnId(v.vn().key()), v.vn().vni(), v.state(), v.tags(), v.tsiAssociated()));
        }
        vaps.sort(Comparator.comparing(VapRow::scope).thenComparingLong(VapRow::vn));
        List<TsiRow> tsis = new ArrayList<>();
        for (Tsi t : engine.tsis()) {
            MacAddress mac = null;
            List<TsiAddress> ips = new ArrayList<>();
            for (TsiAddress a : t.addresses()) {
                if (a.ip() == null && mac == null) {
                    mac = a.mac();
                } else if (a.ip() != null) {
                    ips.add(a);
                }
            }
            tsis.add(new TsiRow(t.id(), vnId(t.vap().vn().key()), t.state(), t.port(), t.station(), t.vap().tag(), mac,
                    List.copyOf(ips), t.ownsNvaEntries()));
        }
        tsis.sort(Comparator.comparing((TsiRow r) -> Plan.vmOf(r.id())).thenComparingInt(TsiRow::port)
                .thenComparing(TsiRow::station));
        List<NvaRow> rows = new ArrayList<>();
        for (Plan.Vn vn : Plan.VNS) {
            int mapping = 0;
            int forwarding = 0;
            for (MappingEntry m : truth) {
                if (m.instance().vnId() != (int) vn.id() || !m.instance().nve().name().equals(name)) {
                    continue; // another nNVE's entry: in this nNVE's replica too, but not attached here
                }
                for (Entry en : m.entries()) {
                    if (en.forwarding()) {
                        forwarding++;
                    } else {
                        mapping++;
                    }
                }
            }
            rows.add(new NvaRow(vn.id(), mapping, forwarding, nva.churn((int) vn.id())));
        }
        return new NnveView(name, List.copyOf(peers), List.copyOf(vaps), List.copyOf(tsis), List.copyOf(rows));
    }

    private static long vnId(VnKey key) {
        return key instanceof VnKey.Id id ? id.id() : -1;
    }

    private static TnveView tnve(String name, TnveEngine engine, List<String> uplinks) {
        List<VmRow> vms = new ArrayList<>();
        for (Vm vm : engine.vms()) {
            List<LinkRow> links = new ArrayList<>();
            for (TsiSpec s : vm.tsis()) {
                for (String u : uplinks) {
                    TnveEngine.TsiState st = engine.tsiState(u, s.id());
                    if (st != TnveEngine.TsiState.INIT) {
                        links.add(new LinkRow(u, st, engine.localTag(u, s.id())));
                    }
                }
            }
            vms.add(new VmRow(vm.name(), vm.state(), vm.tsis(), List.copyOf(links)));
        }
        vms.sort(Comparator.comparing(VmRow::name));
        return new TnveView(name, List.copyOf(vms));
    }
}
