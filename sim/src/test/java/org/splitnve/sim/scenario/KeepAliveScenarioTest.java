package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.TIMERS;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.Effect;
import org.splitnve.nnve.NnveEvent;
import org.splitnve.nnve.TsiState;
import org.splitnve.sim.CapturedFrame;
import org.splitnve.sim.Link;
import org.splitnve.sim.LinkProfile;
import org.splitnve.sim.Node;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.lldpad.LldpadStation;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpOperation;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.SessionTlv;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;

/**
 * SM-TIMER (seed 002 section 3.2; 802.1Q keep-alive): a TSI whose end device stops refreshing falls back
 * Activated -> Associated -> Init at the nNVE, one keep-alive timeout each, and its resources are
 * released; refreshes that arrive in time hold the state for as long as they come.
 */
@ExtendWith(PcapOnFailure.class)
class KeepAliveScenarioTest {
    private static final long TIMEOUT = TIMERS.bridgeKeepAliveTimeoutNanos();

    private static SplitNveNet net(long seed, double loss) {
        SplitNveNet net = SplitNveNet.capturing(seed, loss);
        net.vn(5000, "blue", 5000);
        return net;
    }

    /** When a station's last VDP request reached the nNVE before {@code until} (any copy). */
    private static long lastRequestArrival(SplitNveNet net, Node station, long until) {
        long last = -1;
        for (CapturedFrame c : net.sim.captured()) {
            if (c.from() != station || !(c.decode() instanceof Frame.Vdp v) || v.ecp().operation() != EcpOperation.REQUEST) {
                continue;
            }
            for (long at : c.arrivals()) {
                if (at <= until) {
                    last = Math.max(last, at);
                }
            }
        }
        return last;
    }

    /** Checks the two timed fall-backs of one TSI after the cut, and returns when the first happened. */
    private static long assertFellBack(SplitNveNet net, NnveNode n, VsiId id, Node station, long cut) {
        List<NnveEvent.TsiState> tr = n.transitions(id);
        assertThat(n.path(id)).endsWith("ACTIVATED>ASSOCIATED", "ASSOCIATED>INIT");
        assertThat(tr.get(tr.size() - 2).cause()).isEqualTo("keep-alive timeout");
        assertThat(tr.getLast().cause()).isEqualTo("keep-alive timeout");
        long down = net.firstTime(e -> e.equals(tr.get(tr.size() - 2)));
        long gone = net.firstTime(e -> e.equals(tr.getLast()));
        long heard = lastRequestArrival(net, station, cut);
        // Activated -> Associated one timeout after the last refresh: the last request, or (a standard peer) the
        // delivery of its answer, which comes within one delivery time of it (an ECP retransmission of the request may
        // arrive after it, within one delivery time, and refreshes nothing)
        assertThat(down).isGreaterThan(cut).isLessThanOrEqualTo(heard + TIMEOUT + TIMERS.deliveryNanos())
                .isGreaterThanOrEqualTo(heard + TIMEOUT - TIMERS.deliveryNanos());
        // Associated -> Init one more timeout later
        assertThat(gone - down).isEqualTo(TIMEOUT);
        return down;
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SM-TIMER, SEC-3: an extension peer (session keep-alive) goes silent: Activated -> Associated -> "
            + "Init after one keep-alive timeout each, resources released, the peer reported lost")
    void sessionPeerStops(double loss) {
        SplitNveNet net = net(61, loss);
        NnveNode n1 = net.nnve("n1", 1);
        TnveNode h1 = net.tnve("h1", n1.mac(0));
        Link link = net.link(h1.host(), 0, n1.host(), 0);
        net.runFor(SECOND / 10);
        TsiSpec a = tsi(1, 5000);
        TsiSpec b = tsi(2, 5000);
        net.createAndStart(h1, "a", a);
        net.createAndStart(h1, "b", b);
        net.runFor(25 * SECOND);                  // a few keep-alive periods: nothing changes
        assertThat(n1.path(a.id())).containsExactly("INIT>ASSOCIATED", "ASSOCIATED>ACTIVATED");

        long cut = net.sim.now();
        link.cut();
        net.runFor(TIMEOUT - TIMERS.keepAliveNanos() - SECOND);   // surely before any timeout
        assertThat(n1.engine().tsisIn(TsiState.ACTIVATED)).isEqualTo(2);
        net.runFor(4 * TIMEOUT);

        long downA = assertFellBack(net, n1, a.id(), h1.host(), cut);
        long downB = assertFellBack(net, n1, b.id(), h1.host(), cut);
        assertThat(downA).isEqualTo(downB);        // one session refreshes (and times out) every TSI of the peer
        assertThat(n1.engine().tsis()).isEmpty();
        assertThat(n1.engine().vaps()).isEmpty();
        assertThat(n1.engine().peers()).allSatisfy(p -> assertThat(p.tsiCount()).isZero());
        assertThat(net.nva.entries(5000)).isEmpty();
        assertThat(net.nva.localTags(5000)).isEmpty();
        assertThat(n1.effects(Effect.TagProvision.class)).last()
                .satisfies(p -> assertThat(p.provisioned()).isFalse());
        assertThat(n1.effects(Effect.Acl.class)).filteredOn(acl -> acl.state() == Effect.AclState.REMOVED)
                .hasSize(2);
        assertThat(n1.events().of(NnveEvent.PeerLost.class)).extracting(NnveEvent.PeerLost::reason)
                .contains("keep-alive timeout");
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SM-TIMER: standard peers (a tNVE without extensions, lldpad) go silent: each TSI falls back "
            + "Activated -> Associated -> Init, one 802.1Q keep-alive timeout each, resources released")
    void standardPeersStop(double loss) {
        SplitNveNet net = net(63, loss);
        NnveNode n1 = net.nnve("n1", 2);
        TnveNode h2 = net.tnve(SplitNveNet.standardTnve("h2", n1.mac(0)), 1);
        Link l2 = net.link(h2.host(), 0, n1.host(), 0);
        LldpadStation ld = net.lldpad("ld", n1.mac(1));
        Link l3 = net.link(net.host("ld"), 0, n1.host(), 1);
        net.runFor(SECOND / 10);
        TsiSpec t = tsi(2, 5000);
        net.createAndStart(h2, "vm", t);
        assertThat(h2.engine().uplinkHasExtensions("nnve")).isFalse();
        VsiId ldId = VsiId.uuid("6ba7b810-9dad-41d1-80b4-00c04fd430c9");
        Filter f = Filter.of(FilterFormat.MAC_VID, FilterEntry.macVid(MacAddress.parse("52:54:00:bb:00:01"), 0));
        assertThat(net.lldpadRequest(ld, VsiMode.ASSOCIATE, ldId, f).lastResponse().isSuccess()).isTrue();
        net.runFor(SECOND);

        long cut = net.sim.now();
        l2.cut();
        l3.cut();
        net.runFor(3 * TIMEOUT);

        assertFellBack(net, n1, t.id(), h2.host(), cut);
        assertFellBack(net, n1, ldId, net.host("ld"), cut);
        assertThat(n1.engine().tsis()).isEmpty();
        assertThat(n1.engine().vaps()).isEmpty();
        assertThat(net.nva.entries(5000)).isEmpty();
        assertThat(n1.effects(Effect.TagProvision.class)).filteredOn(p -> !p.provisioned())
                .extracting(Effect.TagProvision::port).containsExactlyInAnyOrder(0, 1);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SM-TIMER: keep-alives in time hold Activated and Associated TSIs for five minutes: an extension peer "
            + "with one session keep-alive for all its TSIs, a standard tNVE and lldpad refreshing each TSI")
    void keepAlivesInTimeHoldTheState(double loss) {
        SplitNveNet net = net(65, loss);
        NnveNode n1 = net.nnve("n1", 3);
        TnveNode h1 = net.tnve("h1", n1.mac(0));
        TnveNode h2 = net.tnve(SplitNveNet.standardTnve("h2", n1.mac(1)), 1);
        net.link(h1.host(), 0, n1.host(), 0);
        net.link(h2.host(), 0, n1.host(), 1);
        LldpadStation ld = net.lldpad("ld", n1.mac(2));
        // lldpad gives a VSI up when ECP gives up on its keep-alive (R retries lost): its link is clean, so that
        // what this checks is the nNVE's timer, not lldpad's reaction to loss
        net.sim.connect(net.host("ld"), 0, n1.host(), 2, LinkProfile.CLEAN);
        net.runFor(SECOND / 10);
        TsiSpec a = tsi(1, 5000);
        TsiSpec s = tsi(3, 5000);
        TsiSpec b = tsi(2, 5000);
        net.createAndStart(h1, "a", a);
        net.ok(h1.engine().create("s", List.of(s)));          // associated only (a VM shut down, defined)
        net.createAndStart(h2, "b", b);
        VsiId ldId = VsiId.uuid("6ba7b810-9dad-41d1-80b4-00c04fd430ca");
        Filter f = Filter.of(FilterFormat.MAC_VID, FilterEntry.macVid(MacAddress.parse("52:54:00:bb:00:02"), 0));
        assertThat(net.lldpadRequest(ld, VsiMode.ASSOCIATE, ldId, f).lastResponse().isSuccess()).isTrue();
        int transitions = n1.events().of(NnveEvent.TsiState.class).size();
        int effects = n1.effects().size();
        long from = net.sim.now();
        int ldSent = ld.requestsSent();

        net.runFor(5 * 60 * SECOND);

        assertThat(n1.events().of(NnveEvent.TsiState.class)).hasSize(transitions);
        assertThat(n1.effects()).hasSize(effects);
        assertThat(n1.state(a.id(), 0, h1.mac(0))).isEqualTo(TsiState.ACTIVATED);
        assertThat(n1.state(s.id(), 0, h1.mac(0))).isEqualTo(TsiState.ASSOCIATED);
        assertThat(n1.state(b.id(), 1, h2.mac(0))).isEqualTo(TsiState.ACTIVATED);
        assertThat(n1.state(ldId, 2, net.host("ld").mac(0))).isEqualTo(TsiState.ACTIVATED);
        assertThat(n1.events().of(NnveEvent.PeerLost.class)).isEmpty();
        assertThat(net.nva.entries(5000)).hasSize(4);

        long periods = 5 * 60 * SECOND / TIMERS.keepAliveNanos();
        // the extension peer refreshes with session keep-alives only: no VSI TLV in five minutes
        assertThat(Frames.vsiSentBy(net.sim, h1.host(), a.id(), false, from)).isEmpty();
        assertThat(Frames.vsiSentBy(net.sim, h1.host(), s.id(), false, from)).isEmpty();
        long keepAlives = Frames.vdpSentBy(net.sim, h1.host(), from).stream()
                .filter(v -> v.ecp().operation() == EcpOperation.REQUEST && v.vdp().items().isEmpty()
                        && v.vdp().header(SessionTlv.class) != null && v.vdp().header(SessionTlv.class).has(SessionTlv.KEEPALIVE))
                .map(v -> v.ecp().sequence()).distinct().count();
        assertThat(keepAlives).isGreaterThanOrEqualTo(periods);
        // the standard peers refresh every TSI (802.1Q keep-alive)
        assertThat(Frames.vsiSentBy(net.sim, h2.host(), b.id(), false, from)).hasSizeGreaterThanOrEqualTo((int) periods);
        assertThat(ld.requestsSent() - ldSent).isGreaterThanOrEqualTo((int) periods);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SM-TIMER, REQ-9: after an outage longer than two keep-alive timeouts the link comes back: the end "
            + "device and the nNVE agree again on every TSI's state (the session TLV's count and digest differ: the end "
            + "device announces its TSIs again)")
    void viewsAgreeAfterTheLinkComesBack(double loss) {
        SplitNveNet net = net(67, loss);
        NnveNode n1 = net.nnve("n1", 1);
        TnveNode h1 = net.tnve("h1", n1.mac(0));
        Link link = net.link(h1.host(), 0, n1.host(), 0);
        net.runFor(SECOND / 10);
        TsiSpec a = tsi(1, 5000);
        net.createAndStart(h1, "a", a);

        link.cut();
        net.runFor(3 * TIMEOUT);
        assertThat(n1.engine().tsis()).isEmpty();               // released at the nNVE (SM-TIMER)
        link.restore();
        net.runFor(60 * SECOND);

        TsiState atNnve = n1.state(a.id(), 0, h1.mac(0));
        assertThat(h1.engine().tsiState("nnve", a.id()).name()).as("the tNVE's view of the TSI").isEqualTo(atNnve.name());
        // the VM still runs: the end device announced its TSI again, the network serves it again
        assertThat(atNnve).isEqualTo(TsiState.ACTIVATED);
        assertThat(net.nva.bindings(a.id())).singleElement()
                .satisfies(b -> assertThat(b.state()).isEqualTo(org.splitnve.nva.EntryState.FORWARDING));
        assertThat(h1.reported()).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(
                org.splitnve.tnve.TnveEvent.UplinkState.class, u -> assertThat(u.state()).isEqualTo("resync")));
        assertThat(n1.path(a.id())).containsExactly("INIT>ASSOCIATED", "ASSOCIATED>ACTIVATED",
                "ACTIVATED>ASSOCIATED", "ASSOCIATED>INIT", "INIT>ACTIVATED");
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SM-TIMER, REQ-9: a long outage while another end device keeps the nNVE busy (its idle peer state is "
            + "dropped): when the link comes back the end device is known with its extensions again and its TSIs are "
            + "announced again")
    void viewsAgreeAfterTheNnveForgotThePeer(double loss) {
        SplitNveNet net = net(69, loss);
        NnveNode n1 = net.nnve("n1", 2);
        TnveNode h1 = net.tnve("h1", n1.mac(0));
        TnveNode h3 = net.tnve("h3", n1.mac(1));
        Link link = net.link(h1.host(), 0, n1.host(), 0);
        net.link(h3.host(), 0, n1.host(), 1);
        net.runFor(SECOND / 10);
        TsiSpec a = tsi(1, 5000);
        TsiSpec c = tsi(3, 5000);
        net.createAndStart(h1, "a", a);
        net.createAndStart(h3, "c", c);

        link.cut();
        net.runFor(5 * TIMEOUT);
        assertThat(n1.state(a.id(), 0, h1.mac(0))).isEqualTo(TsiState.INIT);
        link.restore();
        net.runFor(60 * SECOND);

        assertThat(n1.engine().peers()).filteredOn(p -> p.station().equals(h1.mac(0))).singleElement()
                .satisfies(p -> assertThat(p.extensions()).isTrue());
        assertThat(n1.state(a.id(), 0, h1.mac(0))).isEqualTo(TsiState.ACTIVATED);
        assertThat(h1.engine().tsiState("nnve", a.id())).isEqualTo(org.splitnve.tnve.TnveEngine.TsiState.ACTIVATED);
        assertThat(n1.state(c.id(), 1, h3.mac(0))).isEqualTo(TsiState.ACTIVATED);
        assertThat(net.nva.bindings(a.id())).singleElement()
                .satisfies(b -> assertThat(b.state()).isEqualTo(org.splitnve.nva.EntryState.FORWARDING));
    }
}
