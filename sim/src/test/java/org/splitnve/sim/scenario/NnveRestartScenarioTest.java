package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.TIMERS;
import static org.splitnve.sim.scenario.SplitNveNet.ip;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.NnveConfig;
import org.splitnve.nnve.NnveEvent;
import org.splitnve.nnve.TsiState;
import org.splitnve.nva.EntryState;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveEvent;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.VmState;

/**
 * REL-7, OPS-1: an nNVE restarts without keys (a new process: same MACs, no state) while a tNVE holds
 * VMs on it. The tNVE notices within one keep-alive period, the session and its extensions are
 * negotiated again, and every TSI is re-associated and re-activated with all its addresses; the uplink
 * shows as not in sync until then. Clean links and 20% loss.
 */
@ExtendWith(PcapOnFailure.class)
class NnveRestartScenarioTest {
    private static final NnveConfig N1 = NnveConfig.simple("n1", 2).withTimers(TIMERS);


    private record Net(SplitNveNet net, NnveNode n1, TnveNode h1) {
    }

    private static Net net(double loss) {
        SplitNveNet net = new SplitNveNet(73, loss);
        net.vn(5000, "blue", 5000);
        net.vn(6000, "red", 6000);
        NnveNode n1 = net.nnve(N1);
        TnveNode h1 = net.tnveOn(n1, 1, "h1");
        net.runFor(SECOND / 10);
        return new Net(net, n1, h1);
    }

    /** The nNVE holds one instance of the TSI, in {@code state}, with every one of its IP addresses. */
    private static void assertHeld(NnveNode n, TsiSpec t, TsiState state) {
        assertThat(n.engine().instances(t.id())).as("%s at %s", t.id(), n.name()).singleElement().satisfies(x -> {
            assertThat(x.state()).isEqualTo(state);
            assertThat(x.addresses()).containsAll(t.ips());
        });
    }

    private static List<TnveEvent.UplinkState> uplinkStates(TnveNode h, String state) {
        List<TnveEvent.UplinkState> out = new ArrayList<>();
        for (TnveEvent e : h.reported()) {
            if (e instanceof TnveEvent.UplinkState u && u.state().equals(state)) {
                out.add(u);
            }
        }
        return out;
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REL-7: the nNVE restarts (new process, nothing kept): the tNVE notices within one keep-alive period, "
            + "the uplink is not in sync until every TSI is back; then each TSI is back in its state with all its "
            + "addresses, at the NVA too, and the extensions work again (suspend = deactivate)")
    void restartedNnveGetsEverythingBack(double loss) {
        Net t = net(loss);
        TsiSpec running = tsi(1, 5000, ip("10.0.0.1"), ip("10.0.0.2"), ip("2001:db8::1"));
        TsiSpec suspended = tsi(2, 6000, ip("10.1.0.1"));
        TsiSpec defined = tsi(3, 5000, ip("10.0.0.3"));
        t.net.createAndStart(t.h1, "vm1", running);
        t.net.createAndStart(t.h1, "vm2", suspended);
        t.net.ok(t.h1.engine().suspend("vm2"));
        t.net.ok(t.h1.engine().create("vm3", List.of(defined)));
        assertThat(t.h1.engine().uplinkInSync("nnve")).isTrue();

        // The nNVE process stops and a new one starts on the same ports at once.
        long restartedAt = t.net.sim.now();
        NnveNode again = t.net.restart(t.n1, N1);
        assertThat(again.engine().tsis()).isEmpty();

        long limit = restartedAt + 3 * TIMERS.keepAliveNanos();
        while (uplinkStates(t.h1, "resync").isEmpty() && t.net.sim.step(limit)) {
            // one event at a time, to look at the uplink right when the restart is noticed
        }
        long noticed = t.net.sim.now() - restartedAt;
        assertThat(uplinkStates(t.h1, "resync")).as("the tNVE noticed the restart").isNotEmpty();
        assertThat(noticed).as("noticed within one keep-alive period (plus an ECP exchange)")
                .isLessThanOrEqualTo(TIMERS.keepAliveNanos() + TIMERS.deliveryNanos() * TIMERS.retries());
        assertThat(t.h1.engine().uplinkInSync("nnve")).as("not in sync while the TSIs are announced again").isFalse();

        t.net.runFor(5 * SECOND);
        assertThat(t.h1.engine().uplinkInSync("nnve")).isTrue();
        assertThat(uplinkStates(t.h1, "in-sync")).isNotEmpty();
        assertThat(again.events().of(NnveEvent.ResyncRequested.class)).isNotEmpty();
        assertHeld(again, running, TsiState.ACTIVATED);
        assertHeld(again, suspended, TsiState.ASSOCIATED);
        assertThat(again.engine().instances(defined.id())).singleElement()
                .satisfies(x -> assertThat(x.state()).isEqualTo(TsiState.ASSOCIATED));
        assertThat(t.net.nva.bindings(running.id())).singleElement()
                .satisfies(b -> assertThat(b.state()).isEqualTo(EntryState.FORWARDING));
        assertThat(t.h1.engine().acknowledgedIps("nnve", running.id())).containsExactlyElementsOf(running.ips());
        assertThat(t.h1.engine().vmNamed("vm1").state()).isEqualTo(VmState.RUNNING);

        // The extensions are negotiated again: a deactivate (suspend) is understood.
        t.net.ok(t.h1.engine().suspend("vm1"));
        assertThat(again.state(running)).isEqualTo(TsiState.ASSOCIATED);
        t.net.ok(t.h1.engine().resume("vm1"));
        assertThat(again.state(running)).isEqualTo(TsiState.ACTIVATED);

        // Keep-alives keep everything: nothing expires afterwards.
        t.net.runFor(4 * TIMERS.keepAliveNanos());
        assertThat(again.engine().tsis()).hasSize(3);
        assertThat(t.h1.engine().uplinkInSync("nnve")).isTrue();
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REL-7: a restarted nNVE that announces its start (one group-addressed ECPDU with RESYNC_REQUEST "
            + "per port, as the daemon does) has every TSI back at once, long before the tNVE's next keep-alive")
    void announcedStartResyncsAtOnce(double loss) {
        Net t = net(loss);
        TsiSpec running = tsi(1, 5000, ip("10.0.0.1"));
        TsiSpec suspended = tsi(2, 6000, ip("10.1.0.1"));
        t.net.createAndStart(t.h1, "vm1", running);
        t.net.createAndStart(t.h1, "vm2", suspended);
        t.net.ok(t.h1.engine().suspend("vm2"));
        // just after a keep-alive went: without the announcement the next one is a whole period away
        long sent = t.h1.engine().ecp("nnve").framesSent();
        while (t.h1.engine().ecp("nnve").framesSent() == sent) {
            t.net.sim.step(Long.MAX_VALUE);
        }
        t.net.runFor(SECOND / 10);

        long restartedAt = t.net.sim.now();
        NnveNode again = t.net.restart(t.n1, N1);
        // the announcement can be lost like any frame: the keep-alive path remains (restartedNnveGetsEverythingBack)
        assertThat(again.engine().announceStart()).isEqualTo(2);
        long limit = restartedAt + TIMERS.keepAliveNanos() / 2;
        while (!(t.h1.engine().uplinkInSync("nnve") && again.engine().tsis().size() == 2) && t.net.sim.step(limit)) {
            // until both TSIs are back
        }
        if (loss == 0.0) {
            assertThat(t.net.sim.now() - restartedAt).as("back within half a keep-alive period")
                    .isLessThan(TIMERS.keepAliveNanos() / 2);
        }
        t.net.runFor(TIMERS.keepAliveNanos() + SECOND);
        assertThat(again.state(running)).isEqualTo(TsiState.ACTIVATED);
        assertThat(again.state(suspended)).isEqualTo(TsiState.ASSOCIATED);
        assertThat(again.engine().instances(running.id()).getFirst().addresses()).containsAll(running.ips());
        assertThat(t.h1.engine().uplinkInSync("nnve")).isTrue();
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REL-7, OPS-1: a VM created right after the nNVE restarted, before the tNVE noticed, reaches the "
            + "nNVE with its addresses (not as a standard peer's request without them) and its create succeeds")
    void requestBeforeTheRestartIsNoticed(double loss) {
        Net t = net(loss);
        TsiSpec before = tsi(1, 5000, ip("10.0.0.1"));
        t.net.createAndStart(t.h1, "vm1", before);

        NnveNode again = t.net.restart(t.n1, N1);
        TsiSpec after = tsi(2, 5000, ip("10.0.0.2"), ip("10.0.0.22"));
        CompletableFuture<OpResult> create = t.h1.engine().create("vm2", List.of(after));
        t.net.ok(create);
        t.net.ok(t.h1.engine().start("vm2"));
        t.net.runFor(2 * SECOND);

        assertHeld(again, after, TsiState.ACTIVATED);
        assertHeld(again, before, TsiState.ACTIVATED);
        assertThat(t.h1.engine().acknowledgedIps("nnve", after.id())).containsExactlyElementsOf(after.ips());
        // Nothing expires: the restarted nNVE knows the end device's session and its keep-alives.
        t.net.runFor(4 * TIMERS.keepAliveNanos());
        assertThat(again.engine().tsis()).hasSize(2);
        assertThat(again.events().of(NnveEvent.PeerLost.class)).isEmpty();
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REL-7: the nNVE is away longer than the tNVE's patience (uplink declared down), then a new one "
            + "starts: the tNVE probes, comes back in sync, every TSI re-activated with its addresses")
    void longOutageThenNewNnve(double loss) {
        Net t = net(loss);
        TsiSpec running = tsi(1, 5000, ip("10.0.0.1"));
        t.net.createAndStart(t.h1, "vm1", running);
        var link = t.h1.host().link(0);
        t.net.sim.disconnect(link);
        t.net.runFor(3 * TIMERS.keepAliveNanos());
        assertThat(t.h1.engine().uplinkAlive("nnve")).isFalse();
        assertThat(t.h1.engine().uplinkInSync("nnve")).isFalse();

        NnveNode again = t.net.restart(t.n1, N1);
        t.net.link(t.h1.host(), 0, again.host(), 1);
        t.net.runFor(TIMERS.keepAliveNanos() + 5 * SECOND);
        assertThat(t.h1.engine().uplinkInSync("nnve")).isTrue();
        assertHeld(again, running, TsiState.ACTIVATED);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REL-7, OPS-1: a TSI the restarted nNVE will not take back (its VN is gone at the NVA) is reported as "
            + "the nNVE's doing and shown at Init: the tNVE never claims what the nNVE does not hold")
    void refusedOnResyncIsReported(double loss) {
        Net t = net(loss);
        TsiSpec blue = tsi(1, 5000, ip("10.0.0.1"));
        TsiSpec red = tsi(2, 6000, ip("10.1.0.1"));
        t.net.createAndStart(t.h1, "vm1", blue);
        t.net.createAndStart(t.h1, "vm2", red);

        t.net.nva.removeVn(6000);
        NnveNode again = t.net.restart(t.n1, N1);
        t.net.runFor(TIMERS.keepAliveNanos() + 5 * SECOND);

        assertThat(again.state(blue)).isEqualTo(TsiState.ACTIVATED);
        assertThat(again.engine().instances(red.id())).isEmpty();
        assertThat(t.h1.engine().tsiState("nnve", red.id())).isEqualTo(org.splitnve.tnve.TnveEngine.TsiState.INIT);
        assertThat(t.h1.reported()).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(TnveEvent.NnveInitiated.class,
                n -> assertThat(n.tsi()).isEqualTo(red.id().toString())));
        assertThat(t.h1.engine().uplinkInSync("nnve")).isTrue();
    }
}
