package org.splitnve.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.dataplane.DataplaneState.Address;
import org.splitnve.dataplane.DataplaneState.RemoteAddress;
import org.splitnve.dataplane.DataplaneState.RemoteNve;
import org.splitnve.dataplane.DataplaneState.Tsi;
import org.splitnve.dataplane.DataplaneState.TsiState;
import org.splitnve.dataplane.DataplaneState.Vn;

/**
 * Issue 11, DP-6: the incremental table. Each update's whole table is the pipeline's for the model, its difference
 * applied to the previous table gives the new one, and a change to one VN's part of the model recomputes that VN
 * alone, with a difference of the size of the change.
 */
class FlowTableTest {
    static DataplaneState state(int n, int vns, TsiState lastState, int remoteAddresses) throws Exception {
        List<Vn> vn = new ArrayList<>();
        for (int v = 0; v < vns; v++) {
            vn.add(new Vn("vn-" + v, 5000 + v));
        }
        List<Tsi> tsis = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TsiState st = i == n - 1 ? lastState : TsiState.ACTIVATED;
            tsis.add(new Tsi("t" + i, 1 + i % 3, 100 + i % vns, "vn-" + i % vns, st, List.of(new Address(
                    0x525400000000L + i, List.of(InetAddress.getByName("10.0." + (i / 250) + "." + (i % 250 + 1)))))));
        }
        List<RemoteAddress> ra = new ArrayList<>();
        for (int k = 0; k < remoteAddresses; k++) {
            ra.add(new RemoteAddress("vn-" + k % vns, 0x525500000000L + k, List.of(InetAddress.getByName("10.1.0." + (k + 1)))));
        }
        List<String> all = vn.stream().map(Vn::name).toList();
        return new DataplaneState(9, vn, tsis, List.of(new RemoteNve("n2", (Inet4Address) InetAddress.getByName("192.0.2.2"),
                all, ra)));
    }

    /** The table {@code before} with {@code d}'s removals deleted and its upserts added or replaced. */
    static Map<FlowKey, Flow> applied(Map<FlowKey, Flow> before, FlowTable.Delta d) {
        Map<FlowKey, Flow> t = new HashMap<>(before);
        d.removals().forEach(t::remove);
        d.upserts().forEach(f -> t.put(f.key(), f));
        return t;
    }

    static Map<FlowKey, Flow> byKey(List<Flow> flows) {
        Map<FlowKey, Flow> m = new HashMap<>();
        flows.forEach(f -> assertThat(m.put(f.key(), f)).as("keys unique: %s", f).isNull());
        return m;
    }

    @Test
    @DisplayName("DP-6: the first update is the whole pipeline; one TSI activated, deactivated, a VN gone: one VN"
            + " recomputed each time (none for the same model), the difference applied gives the pipeline's table")
    void differencesOfOneVn() throws Exception {
        FlowTable table = new FlowTable();
        DataplaneState s0 = state(40, 4, TsiState.ASSOCIATED, 8);
        FlowTable.Delta d0 = table.update(s0);
        Map<FlowKey, Flow> switchHolds = applied(Map.of(), d0);
        assertThat(switchHolds).isEqualTo(byKey(Pipeline.flows(s0)));
        assertThat(byKey(d0.all())).isEqualTo(switchHolds);
        assertThat(d0.vnsRecomputed()).isEqualTo(4);

        assertThat(table.update(s0)).satisfies(d -> {
            assertThat(d.vnsRecomputed()).isZero();
            assertThat(d.upserts()).isEmpty();
            assertThat(d.removals()).isEmpty();
        });

        DataplaneState s1 = state(40, 4, TsiState.ACTIVATED, 8); // t39 (vn-3, port 1) activated
        FlowTable.Delta d1 = table.update(s1);
        assertThat(d1.vnsRecomputed()).isEqualTo(1);
        switchHolds = applied(switchHolds, d1);
        assertThat(switchHolds).isEqualTo(byKey(Pipeline.flows(s1)));
        assertThat(d1.upserts().size() + d1.removals().size()).as("a change of one TSI: %s", d1.upserts())
                .isLessThan(30);
        assertThat(d1.upserts()).anyMatch(f -> f.why().startsWith("TSI t39 "));

        FlowTable.Delta d2 = table.update(s0);
        switchHolds = applied(switchHolds, d2);
        assertThat(switchHolds).isEqualTo(byKey(Pipeline.flows(s0)));
        assertThat(d2.vnsRecomputed()).isEqualTo(1);

        DataplaneState fewer = new DataplaneState(9, s0.vns().subList(0, 3), s0.tsis(), s0.remotes());
        FlowTable.Delta d3 = table.update(fewer);
        switchHolds = applied(switchHolds, d3);
        assertThat(switchHolds).isEqualTo(byKey(Pipeline.flows(fewer)));
        assertThat(d3.upserts()).isEmpty();
        assertThat(d3.removals()).isNotEmpty();
    }

    @Test
    @DisplayName("DP-6: a local tag one VN gave up and another took in the same change is replaced, never deleted")
    void tagTakenOverInOneChange() throws Exception {
        Address a = new Address(0x525400000001L, List.of());
        Address b = new Address(0x525400000002L, List.of());
        List<Vn> vns = List.of(new Vn("blue", 5000), new Vn("red", 5001));
        DataplaneState before = new DataplaneState(9, vns, List.of(new Tsi("ta", 1, 100, "blue", TsiState.ACTIVATED,
                List.of(a))), List.of());
        // same port and tag, same MAC: the admission flow's key, now red's
        DataplaneState after = new DataplaneState(9, vns, List.of(new Tsi("ta", 1, 100, "red", TsiState.ACTIVATED,
                List.of(a)), new Tsi("tb", 2, 100, "blue", TsiState.ACTIVATED, List.of(b))), List.of());
        FlowTable table = new FlowTable();
        Map<FlowKey, Flow> switchHolds = applied(Map.of(), table.update(before));
        FlowTable.Delta d = table.update(after);
        assertThat(d.removals()).doesNotContainAnyElementsOf(d.upserts().stream().map(Flow::key).toList());
        assertThat(applied(switchHolds, d)).isEqualTo(byKey(Pipeline.flows(after)));
    }

    @Test
    @DisplayName("DP-6: slices handed over a VN at a time (as the nNVE's incremental model does) give the pipeline's"
            + " table of the whole model; an unchanged slice costs its comparison only; a VN gone loses its flows")
    void slicesHandedOver() throws Exception {
        DataplaneState s0 = state(40, 4, TsiState.ACTIVATED, 8);
        FlowTable table = new FlowTable();
        FlowTable.Delta d0 = table.update(Pipeline.slices(s0), List.of());
        Map<FlowKey, Flow> switchHolds = applied(Map.of(), d0);
        assertThat(switchHolds).isEqualTo(byKey(Pipeline.flows(s0)));
        assertThat(d0.table().size()).isEqualTo(switchHolds.size()).isEqualTo(table.size());

        // the last TSI (t39, in vn-3) deactivated: only its VN's slice is handed over
        DataplaneState s1 = state(40, 4, TsiState.ASSOCIATED, 8);
        Pipeline.VnSlice vn3 = Pipeline.slices(s1).stream().filter(v -> v.vn().name().equals("vn-3")).findFirst()
                .orElseThrow();
        FlowTable.Delta d1 = table.update(List.of(vn3), List.of());
        assertThat(d1.vnsRecomputed()).isEqualTo(1);
        switchHolds = applied(switchHolds, d1);
        assertThat(switchHolds).isEqualTo(byKey(Pipeline.flows(s1)));
        assertThat(byKey(d1.all())).isEqualTo(switchHolds);
        assertThat(d1.table().size()).isEqualTo(switchHolds.size());
        assertThat(d1.upserts()).anyMatch(f -> f.why().startsWith("TSI t39 "));

        // the same slice again: nothing recomputed, nothing to send
        FlowTable.Delta d2 = table.update(List.of(vn3), List.of());
        assertThat(d2.vnsRecomputed()).isZero();
        assertThat(d2.empty()).isTrue();

        // vn-3 no longer served: its flows are deleted, nothing else changes
        DataplaneState s3 = new DataplaneState(s1.tunnelPort(), s1.vns().subList(0, 3),
                s1.tsis().stream().filter(t -> !t.vn().equals("vn-3")).toList(), s1.remotes());
        FlowTable.Delta d3 = table.update(List.of(), List.of("vn-3"));
        switchHolds = applied(switchHolds, d3);
        assertThat(switchHolds).isEqualTo(byKey(Pipeline.flows(s3)));
        assertThat(d3.upserts()).isEmpty();
        assertThat(d3.removals()).isNotEmpty();
        assertThat(table.size()).isEqualTo(switchHolds.size());
    }
}
