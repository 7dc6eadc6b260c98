package org.splitnve.tnve;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.splitnve.protocol.ManualClock;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.event.Event;
import org.splitnve.tnve.TnveEngine.TsiState;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.CapabilityTlv.Feature;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * The parts of a tNVE with one uplink, wired as {@link TnveEngine} wires them, without the engine: a
 * {@link ManualClock} moved by hand, a fake {@link PortIo} that keeps what is sent, and the events heard.
 * The nNVE is the test: it answers by calling the parts directly.
 */
final class Parts {
    static final MacAddress NNVE = new MacAddress(0x0200_0000_00AAL);
    static final MacAddress STATION = new MacAddress(0x0200_0000_0001L);
    static final long VN = 5000;
    static final int TAG = 100;

    final ManualClock clock = new ManualClock(1_000_000_000L);
    final List<byte[]> sent = new ArrayList<>();
    final List<Event> events = new ArrayList<>();
    final Station station;
    final Placement placement;
    final Requests requests;
    final Limits limits;
    final Lifecycle lifecycle;
    final Uplink up;
    final Vm vm;

    /** {@code features}: this end device's, and what the nNVE is taken to have negotiated (none: a standard bridge). */
    Parts(Set<Feature> features) {
        this(TnveConfig.simple("t", NNVE).withFeatures(features));
    }

    /** One uplink per configured one; {@link #up} is the first. */
    Parts(TnveConfig config) {
        Set<Feature> features = config.features();
        PortIo io = new PortIo() {
            @Override
            public int ports() {
                return 1;
            }

            @Override
            public MacAddress mac(int port) {
                return STATION;
            }

            @Override
            public void send(int port, byte[] frame, int length) {
                sent.add(java.util.Arrays.copyOf(frame, length));
            }
        };
        CapabilityTlv own = CapabilityTlv.of(features.isEmpty() ? EnumSet.noneOf(Feature.class) : EnumSet.copyOf(features));
        station = new Station(config, clock, io, events::add, own, 0x1234, Bytes.of(new byte[16]));
        placement = new Placement(station);
        requests = new Requests(station);
        placement.requests(requests);
        limits = new Limits(station, placement);
        lifecycle = new Lifecycle(station, placement, requests, limits);
        for (TnveConfig.Uplink u : config.uplinks()) {
            Uplink x = new Uplink(station, requests, placement, limits, u);
            station.uplinks.add(x);
            station.uplinkByName.put(u.name(), x);
            x.hello();
            if (!features.isEmpty()) {
                x.common = own; // negotiated: the nNVE has all of them
            }
            x.becomeReady();
        }
        up = station.uplinks.getFirst();
        vm = new Vm("vm", List.of(), VmState.RUNNING);
        station.vms.put(vm.name, vm);
    }

    static TsiSpec tsi(int n, List<TsiAddress> ips) {
        return TsiSpec.of(VsiId.uuid(new UUID(0x7510_0000_0000_4000L, n)), VN, new MacAddress(0x5254_0000_0000L + n), ips);
    }

    /** {@code n} IPv4 host addresses 10.0.x.y. */
    static List<TsiAddress> ips(int n) {
        List<TsiAddress> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try {
                out.add(TsiAddress.host(InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i})));
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    /** Moves time on by {@code nanos}, read as the engine reads it at the entry of a call. */
    void advance(long nanos) {
        clock.advance(nanos);
        station.tick();
    }

    /** Moves time to {@code nanos}, read as the engine reads it at the entry of a call. */
    void at(long nanos) {
        clock.set(nanos);
        station.tick();
    }

    Link link(TsiSpec spec) {
        return placement.link(vm, spec, up);
    }

    /** The nNVE's answer to a request of {@code l} in {@code mode}, with {@code attached} (e.g. a fragment echo). */
    static VsiTlv answer(Link l, VsiMode mode, VsiStatus.Response status, List<OrgTlv> attached) {
        Filter f = Filter.of(FilterFormat.GROUP_MAC_VID, FilterEntry.groupMacVid((int) l.spec.vnId(), l.spec.mac(), TAG));
        return new VsiTlv(mode, status, l.spec.typeId(), l.spec.typeVersion(), l.spec.id(), f, attached);
    }

    static VsiTlv request(Link l, VsiMode mode, List<OrgTlv> attached) {
        Filter f = Filter.of(FilterFormat.GROUP_MAC_VID, FilterEntry.groupMacVid((int) l.spec.vnId(), l.spec.mac(), TAG));
        return new VsiTlv(mode, VsiStatus.Request.PLAIN, l.spec.typeId(), l.spec.typeVersion(), l.spec.id(), f, attached);
    }

    /** The nNVE of {@code l}'s uplink answers its request in flight. */
    void answer(Link l, VsiStatus.Response status) {
        requests.response(l.up, answer(l, l.pending.mode, status, List.of()));
    }

    /** Drives {@code l} to {@code target} and lets the nNVE accept it. */
    void confirm(Link l, TsiState target, VsiMode mode) {
        List<OpResult> r = new ArrayList<>();
        l.desired = target;
        requests.drive(l, target, mode, List.of(), r::add);
        requests.response(up, answer(l, mode, VsiStatus.Response.SUCCESS, List.of()));
        if (r.size() != 1 || !r.getFirst().ok()) {
            throw new AssertionError("not confirmed: " + r);
        }
    }
}
