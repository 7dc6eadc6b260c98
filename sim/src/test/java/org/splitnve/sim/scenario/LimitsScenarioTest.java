package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.NnveConfig;
import org.splitnve.nnve.TsiState;
import org.splitnve.protocol.ecp.EcpEvent;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TnveEvent;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.TsiAddressTlv;

/**
 * OPS-3, SEC-5: the nNVE advertises its limits in its capability TLV; the tNVE refuses at once, before anything is
 * sent, what they would refuse (a TSI with more addresses, more TSIs or VNs than the nNVE takes), and where the nNVE
 * advertised nothing a built-in bound still applies: no single request can keep an uplink busy into ECP transmit
 * errors (the incident: 50,000 addresses, 504 after 14.5 s, the uplink declared down for every VM on it).
 */
@ExtendWith(PcapOnFailure.class)
class LimitsScenarioTest {

    /** {@code n} IPv4 host addresses 10.x.y.z, distinct. */
    private static List<TsiAddress> ips(int n) {
        List<TsiAddress> out = new ArrayList<>(n);
        try {
            for (int i = 1; i <= n; i++) {
                out.add(TsiAddress.host(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8),
                    (byte) i})));
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static TsiSpec withIps(int n, long vn, int count) {
        return tsi(n, vn).withIps(ips(count));
    }

    /** The refusal came at once (no simulated time passed), here, with reason code 2 and the limit named. */
    private static void assertRefusedAtOnce(CompletableFuture<OpResult> f, String... detailParts) {
        assertThat(f).as("refused before any frame went out: no simulation step").isDone();
        OpResult r = f.join();
        assertThat(r.ok()).as("%s", r).isFalse();
        assertThat(r.refusedHere()).as("%s", r).isTrue();
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.detail()).contains(detailParts).contains("nothing was sent");
    }

    private static int frames(SplitNveNet net, TnveNode h) {
        return Frames.vdpSentBy(net.sim, h.host()).size();
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("OPS-3, SEC-5, SEC-6: the incident: a TSI with 50,000 addresses against the nNVE's advertised 4096 is "
            + "refused at once, nothing registered or sent, the uplink stays up and the other VM on it untouched; "
            + "an address change beyond it is refused the same way")
    void fiftyThousandAddresses(double loss) {
        SplitNveNet net = SplitNveNet.capturing(81, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 1);
        TnveNode h1 = net.tnveOn(n1, 0, "h1");
        net.runFor(SECOND / 10);
        TsiSpec running = tsi(1, 5000);
        net.createAndStart(h1, "web", running);
        // the nNVE's limits arrived with its capability TLV, and were logged
        assertThat(h1.events().of(TnveEvent.UplinkLimits.class)).singleElement().satisfies(e -> assertThat(e.limits())
                .isEqualTo("4096 addresses per TSI, 100000 TSIs per end device, 4094 VNs per end device"));

        TsiSpec big = withIps(2, 5000, 50_000);
        int before = frames(net, h1);
        CompletableFuture<OpResult> f = h1.engine().create("big", List.of(big));
        assertRefusedAtOnce(f, "TSI " + big.id() + " has 50001 addresses", "nnve accepts at most 4096 addresses per TSI",
                "its advertised limit");
        assertThat(h1.engine().vmNamed("big")).as("a refused create leaves nothing behind").isNull();
        assertThat(h1.events().of(TnveEvent.OverLimit.class)).singleElement().satisfies(e -> {
            assertThat(e.requested()).isEqualTo(50_001);
            assertThat(e.max()).isEqualTo(4096);
            assertThat(e.advertised()).isTrue();
            assertThat(e.operation()).isEqualTo("create");
        });
        net.runFor(10 * SECOND);
        assertThat(Frames.vsiSentBy(net.sim, h1.host(), big.id(), false)).as("no VSI TLV of the refused TSI").isEmpty();
        assertThat(h1.engine().uplinkAlive("nnve")).isTrue();
        assertThat(h1.events().of(TnveEvent.UplinkState.class)).noneSatisfy(e -> assertThat(e.state()).isEqualTo("down"));
        assertThat(h1.events().of(EcpEvent.TransmitError.class)).isEmpty();
        assertThat(n1.state(running)).isEqualTo(TsiState.ACTIVATED);
        assertThat(h1.engine().tsiState("nnve", running.id())).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        assertThat(frames(net, h1) - before).as("only keep-alives in 10 s").isLessThan(10);

        // an address change beyond the limit: refused at once, the TSI keeps its addresses
        CompletableFuture<OpResult> add = h1.engine().updateAddresses("web", running.id(), TsiAddressTlv.Operation.ADD,
                ips(4096));
        assertRefusedAtOnce(add, "would have 4097 addresses", "at most 4096 addresses per TSI");
        assertThat(h1.engine().vmNamed("web").tsis().getFirst().ips()).isEmpty();
        // nor may a change carry more than a TSI may hold, whatever it leaves
        CompletableFuture<OpResult> remove = h1.engine().updateAddresses("web", running.id(),
                TsiAddressTlv.Operation.REMOVE, ips(50_000));
        assertRefusedAtOnce(remove, "the change names 50000 addresses", "at most 4096 addresses per TSI");
        net.runFor(SECOND);
        assertThat(Frames.vsiSentBy(net.sim, h1.host(), running.id(), false).stream()
                .filter(v -> v.attached(TsiAddressTlv.class) != null)).as("no address TLV went out").isEmpty();

    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("OPS-3, REQ-10, OPS-1: exactly the advertised limit (the MAC and 4095 IP addresses) goes through, split "
            + "into fragments (about 30 ECPDUs), and the create answers only once the nNVE holds all 4096 addresses, "
            + "also when ECPDUs are lost and sent again (the answer to the LAST fragment, echoed, ends it)")
    void exactlyTheLimit(double loss) {
        SplitNveNet net = new SplitNveNet(84, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 1);
        TnveNode h1 = net.tnveOn(n1, 0, "h1");
        net.runFor(SECOND / 10);
        TsiSpec full = withIps(3, 5000, 4095);
        net.ok(h1.engine().create("full", List.of(full)));
        assertThat(n1.engine().instances(full.id())).singleElement()
                .satisfies(t -> assertThat(t.addresses()).hasSize(4096));
        assertThat(h1.engine().acknowledgedIps("nnve", full.id())).hasSize(4095);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("OPS-3, SEC-5: an nNVE's own limits (16 addresses, 3 TSIs, 2 VNs) are advertised and applied by the "
            + "tNVE before sending; what fits goes through, the nNVE never sees what does not")
    void configuredLimits(double loss) {
        SplitNveNet net = SplitNveNet.capturing(82, loss);
        net.vn(5000, "blue", 5000);
        net.vn(5001, "red", 5001);
        net.vn(5002, "green", 5002);
        NnveNode n1 = net.nnve(NnveConfig.simple("n1", 1).withTimers(SplitNveNet.TIMERS)
                .withLimits(new NnveConfig.Limits(3, 2, 16)));
        TnveNode h1 = net.tnveOn(n1, 0, "h1");
        net.runFor(SECOND / 10);
        TnveEngine h = h1.engine();

        assertRefusedAtOnce(h.create("a", List.of(withIps(1, 5000, 16))), "17 addresses", "at most 16 addresses per TSI");
        net.ok(h.create("a", List.of(withIps(1, 5000, 15))));
        net.ok(h.create("b", List.of(tsi(2, 5001))));
        // a third VN: beyond 2 VNs per end device
        assertRefusedAtOnce(h.create("c", List.of(tsi(30, 5002))), "uses 2 VNs there, 1 more make 3",
                "at most 2 VNs per end device");
        net.ok(h.create("c", List.of(tsi(3, 5000))));
        // a fourth TSI: beyond 3 TSIs per end device
        assertRefusedAtOnce(h.create("d", List.of(tsi(4, 5000))), "holds 3 TSIs there, 1 more make 4",
                "at most 3 TSIs per end device");
        assertThat(Frames.vsiSentBy(net.sim, h1.host(), tsi(4, 5000).id(), false)).isEmpty();
        assertThat(Frames.vsiSentBy(net.sim, h1.host(), tsi(30, 5002).id(), false)).isEmpty();
        assertThat(n1.engine().tsis()).hasSize(3);
        // a TSI gone frees its place
        net.ok(h.shutdown("b"));
        net.ok(h.create("d", List.of(tsi(4, 5000))));
        assertThat(n1.engine().tsis()).hasSize(3);
    }

    @Test
    @DisplayName("OPS-3, SEC-6: an nNVE that advertises no limits (it predates them): the built-in bound of 4096 "
            + "addresses per TSI still refuses a flood at once; no TSI or VN bound applies")
    void builtInBound() {
        SplitNveNet net = SplitNveNet.capturing(83, 0.0);
        net.vn(5000, "blue", 5000);
        NnveNode old = net.nnve(NnveConfig.simple("old", 1).withTimers(SplitNveNet.TIMERS),
                Frames::withoutAdvertisedLimits);
        TnveNode h1 = net.tnveOn(old, 0, "h1");
        net.runFor(SECOND / 10);
        net.ok(h1.engine().create("small", List.of(withIps(1, 5000, 100))));
        assertThat(h1.engine().uplinkHasExtensions("nnve")).isTrue();
        assertThat(h1.events().of(TnveEvent.UplinkLimits.class)).as("nothing advertised").isEmpty();

        TsiSpec flood = withIps(2, 5000, 50_000);
        assertRefusedAtOnce(h1.engine().create("flood", List.of(flood)), "50001 addresses",
                "nnve is held to at most 4096 addresses per TSI", "the built-in bound");
        assertThat(h1.events().of(TnveEvent.OverLimit.class)).singleElement()
                .satisfies(e -> assertThat(e.advertised()).isFalse());
        net.runFor(5 * SECOND);
        assertThat(Frames.vsiSentBy(net.sim, h1.host(), flood.id(), false)).isEmpty();
        assertThat(h1.engine().uplinkAlive("nnve")).isTrue();
    }
}
