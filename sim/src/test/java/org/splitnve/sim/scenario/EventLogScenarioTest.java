package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.mac;
import static org.splitnve.sim.scenario.SplitNveNet.ring;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.NnveConfig;
import org.splitnve.nnve.NnveEvent;
import org.splitnve.nnve.TsiState;
import org.splitnve.nnve.Vap;
import org.splitnve.protocol.auth.AuthEvent;
import org.splitnve.protocol.event.Event;
import org.splitnve.protocol.event.EventFormat;
import org.splitnve.sim.EthernetSwitch;
import org.splitnve.sim.Link;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.Simulation.LoggedEvent;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TnveEvent;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.TsiAddress;

/**
 * SEC-3: both halves log every state change and every significant protocol event (control-plane
 * connectivity established and lost, authentication results, refusals with their reason) as structured
 * events, rendered as logfmt and JSON lines. One scenario with all of them, on clean links and with 20%
 * loss; the log must account for every state the engines end in.
 */
@ExtendWith(PcapOnFailure.class)
class EventLogScenarioTest {
    /** A JSON log line: RFC 3339 time, node, level, event, then fields (strings, numbers, literals, arrays, objects). */
    private static final Pattern JSON_LINE = Pattern.compile("\\{\"t\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z\","
            + "\"node\":\"[^\"]+\",\"level\":\"(DEBUG|INFO|WARN|ERROR)\",\"event\":\"[a-z_.]+\""
            + "(,\"[A-Za-z]+\":(\"([^\"\\\\]|\\\\.)*\"|-?[0-9.]+|true|false|null|\\[[^\\]]*\\]|\\{[^{}]*\\}))*\\}");
    /** Java's text of a record ({@code Timers[retries=3, ...]}): never in a log line. */
    private static final Pattern RECORD_TEXT = Pattern.compile("[A-Z][A-Za-z]*\\[[a-z][A-Za-z]*=");

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SEC-3: every TSI, VAP and VM state change, peer up and lost, authentication result and refusal is a "
            + "structured event on the side where it happened, with its reason; the logs add up to the final states")
    void everythingIsLogged(double loss) throws Exception {
        SplitNveNet net = SplitNveNet.capturing(41, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 1, ring(1, 1), Set.of(), NnveConfig.Limits.DEFAULT);
        EthernetSwitch sw = net.bridge("sw", 4);
        net.link(sw, 0, n1.host(), 0);
        TnveNode h1 = net.tnve("h1", mac(1), n1.mac(0), ring(1, 1), FilterFormat.GROUP_MAC_VID);
        Link h1Cable = net.link(h1.host(), 0, sw, 1);
        TnveNode h2 = net.tnve("h2", mac(2), n1.mac(0), ring(1, 2), FilterFormat.GROUP_MAC_VID);   // wrong key
        net.link(h2.host(), 0, sw, 2);
        TsiSpec t = tsi(1, 5000, TsiAddress.host(InetAddress.getByName("10.0.0.1")));

        var wrongKey = h2.engine().create("vm2", List.of(tsi(2, 5000)));
        net.createAndStart(h1, "vm1", t);
        net.ok(h1.engine().suspend("vm1"));
        net.ok(h1.engine().resume("vm1"));
        OpResult unknownVn = net.await(h1.engine().create("vm9", List.of(tsi(9, 7777))));
        assertThat(unknownVn.ok()).isFalse();
        assertThat(net.await(wrongKey).ok()).isFalse();
        // The control plane to h1 is cut: both sides notice and log it; the nNVE steps the TSI down.
        h1Cable.cut();
        net.runFor(40 * SECOND);
        assertThat(n1.engine().tsis()).isEmpty();

        List<LoggedEvent> log = net.sim.eventLog();
        List<Event> nnve = n1.events().events();
        List<Event> tnve = h1.events().events();

        // Every event renders as one logfmt line and one JSON object, with its name and fields.
        assertThat(log).isNotEmpty().allSatisfy(e -> {
            String line = EventFormat.logfmt(e.nanos(), e.node(), e.event());
            assertThat(line).startsWith("t=").contains(" node=" + e.node()).contains(" event=" + e.event().name())
                    .doesNotContain("\n").doesNotContainPattern(RECORD_TEXT);
            assertThat(EventFormat.json(e.nanos(), e.node(), e.event())).matches(JSON_LINE).doesNotContainPattern(RECORD_TEXT);
        });

        // State changes, nNVE: the TSI's chain from Init back to Init, each step's from the previous to.
        List<NnveEvent.TsiState> tsiChanges = n1.events().of(NnveEvent.TsiState.class);
        assertThat(tsiChanges).extracting(NnveEvent.TsiState::to).containsExactly(TsiState.ASSOCIATED,
                TsiState.ACTIVATED, TsiState.ASSOCIATED, TsiState.ACTIVATED, TsiState.ASSOCIATED, TsiState.INIT);
        assertChained(tsiChanges.stream().map(e -> List.of(e.from().name(), e.to().name())).toList(), "INIT", "INIT");
        assertThat(tsiChanges.getLast().cause()).contains("keep-alive timeout");
        List<NnveEvent.VapState> vaps = n1.events().of(NnveEvent.VapState.class);
        assertThat(vaps).extracting(NnveEvent.VapState::to).containsExactly(Vap.State.VN_CONNECTED, Vap.State.VN_DISCONNECTED);
        assertThat(vaps.getFirst().tag()).isPositive();
        assertThat(n1.engine().vaps()).isEmpty();

        // State changes, tNVE: the VM and the TSI as the nNVE confirmed it.
        List<TnveEvent.VmStateChanged> vm1 = h1.events().of(TnveEvent.VmStateChanged.class).stream()
                .filter(e -> e.vm().equals("vm1")).toList();
        assertChained(vm1.stream().map(e -> List.of(e.from(), e.to())).toList(), "-", h1.engine().vmNamed("vm1").state().name());
        assertThat(vm1).extracting(TnveEvent.VmStateChanged::to).containsExactly("PREPARING", "SHUTDOWN", "RUNNING",
                "SUSPENDED", "RUNNING");
        List<TnveEvent.TsiState> tTsi = h1.events().of(TnveEvent.TsiState.class);
        assertChained(tTsi.stream().map(e -> List.of(e.from().name(), e.to().name())).toList(), "INIT",
                h1.engine().tsiState("nnve", t.id()).name());
        assertThat(h1.engine().tsiState("nnve", t.id())).isEqualTo(TnveEngine.TsiState.ACTIVATED);

        // Connectivity established and lost, on both sides.
        assertThat(n1.events().of(NnveEvent.PeerUp.class)).extracting(NnveEvent.PeerUp::station).contains(mac(1));
        assertThat(n1.events().of(NnveEvent.PeerAuthenticated.class)).extracting(NnveEvent.PeerAuthenticated::station)
                .containsExactly(mac(1));
        assertThat(n1.events().of(NnveEvent.PeerLost.class)).anySatisfy(e -> {
            assertThat(e.station()).isEqualTo(mac(1));
            assertThat(e.reason()).contains("keep-alive timeout");
            assertThat(e.level()).isEqualTo(Event.Level.WARN);
        });
        assertThat(h1.events().of(TnveEvent.UplinkState.class)).extracting(TnveEvent.UplinkState::state)
                .contains("up", "authenticated", "down");
        // SEC-3: the uplink going down is a warning, like the nNVE's lost peer; its coming up is not
        assertThat(h1.events().of(TnveEvent.UplinkState.class)).allSatisfy(e -> assertThat(e.level())
                .isEqualTo(e.state().equals("down") ? Event.Level.WARN : Event.Level.INFO));
        assertThat(log).filteredOn(e -> e.event() instanceof TnveEvent.UplinkState u && u.state().equals("down"))
                .isNotEmpty().allSatisfy(e -> assertThat(e.logfmt()).contains(" level=WARN event=uplink.state "));

        // Authentication results: accepted on both sides, refused (with the verdict) for the wrong key.
        assertThat(n1.events().of(AuthEvent.Ok.class)).extracting(AuthEvent::peer).containsExactly(mac(1));
        assertThat(h1.events().of(AuthEvent.Ok.class)).extracting(AuthEvent::peer).containsExactly(n1.mac(0));
        assertThat(n1.events().of(AuthEvent.Refused.class)).isNotEmpty().allSatisfy(e -> {
            assertThat(e.peer()).isEqualTo(mac(2));
            assertThat(e.verdict()).isEqualTo("BAD_TAG");
            assertThat(e.level()).isEqualTo(Event.Level.WARN);
        });
        assertThat(h2.events().of(TnveEvent.RequestFailed.class))
                .anySatisfy(e -> assertThat(e.detail()).contains("no authenticated session"));

        // Refusals with their reason, on both sides.
        assertThat(n1.events().of(NnveEvent.Refused.class)).anySatisfy(e -> {
            assertThat(e.code()).isEqualTo(4);
            assertThat(e.detail()).contains("7777");
        });
        assertThat(h1.events().of(TnveEvent.RequestFailed.class)).anySatisfy(e -> {
            assertThat(e.vm()).isEqualTo("vm9");
            assertThat(e.code()).isEqualTo(4);
            assertThat(e.detail()).contains("7777");
        });
        String refusal = log.stream().filter(e -> e.event() instanceof NnveEvent.Refused).findFirst().orElseThrow().logfmt();
        assertThat(refusal).contains("node=n1").contains("level=WARN").contains("event=request.refused").contains("code=4")
                .contains("7777");

        // Each event is logged by the side it happened on.
        assertThat(nnve).noneMatch(e -> e instanceof TnveEvent);
        assertThat(tnve).noneMatch(e -> e instanceof NnveEvent);
        assertThat(log).filteredOn(e -> e.event() instanceof NnveEvent).allSatisfy(e -> assertThat(e.node()).isEqualTo("n1"));
    }

    /** Each step starts where the previous one ended; the first starts at {@code first}, the last ends at {@code last}. */
    private static void assertChained(List<List<String>> steps, String first, String last) {
        assertThat(steps).isNotEmpty();
        String at = first;
        for (List<String> step : steps) {
            assertThat(step.get(0)).as("a change from %s after one to %s: a change is missing from the log", step.get(0), at)
                    .isEqualTo(at);
            at = step.get(1);
        }
        assertThat(at).isEqualTo(last);
    }
}
