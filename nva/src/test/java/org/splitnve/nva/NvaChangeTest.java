package org.splitnve.nva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.nva.EntryState.FORWARDING;
import static org.splitnve.nva.EntryState.MAPPING;
import static org.splitnve.nva.Fixtures.BLUE;
import static org.splitnve.nva.Fixtures.BLUE_VN;
import static org.splitnve.nva.Fixtures.NVE_A;
import static org.splitnve.nva.Fixtures.VM1;
import static org.splitnve.nva.Fixtures.VM1_MAC;
import static org.splitnve.nva.Fixtures.host;
import static org.splitnve.nva.Fixtures.mac;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.nva.NvaChange.EntryAdded;
import org.splitnve.nva.NvaChange.EntryMoved;
import org.splitnve.nva.NvaChange.EntryRemoved;
import org.splitnve.nva.NvaChange.EntryStateChanged;
import org.splitnve.nva.NvaChange.LocalTagRecorded;
import org.splitnve.nva.NvaChange.LocalTagReleased;
import org.splitnve.nva.NvaChange.VnAdded;
import org.splitnve.nva.NvaChange.VnRemoved;
import org.splitnve.protocol.event.EventFormat;
import org.splitnve.protocol.event.RecordingSink;
import org.splitnve.wire.vdp.TsiAddress;

class NvaChangeTest {
    private final InMemoryNva nva = new InMemoryNva();
    private final List<NvaChange> seen = new ArrayList<>();
    private final TsiInstance vm1 = new TsiInstance(VM1, NVE_A, 1, BLUE);
    private final TsiInstance vm1Moved = vm1.onPort(2);
    private final TsiAddress m = mac(VM1_MAC);
    private final TsiAddress ip1 = host("10.0.0.1", VM1_MAC);
    private final TsiAddress ip2 = host("10.0.0.2", VM1_MAC);

    @Test
    @DisplayName("SM-TSI-2..SM-TSI-7, SM-VAP-2, SEC-3: every change is reported once, in order, as it happened")
    void lifecycleInOrder() {
        nva.addListener(seen::add);
        LocalTag tag = new LocalTag(NVE_A, 1, 10, BLUE);

        nva.addVn(BLUE_VN).orElseThrow();
        nva.recordLocalTag(tag).orElseThrow();
        nva.associate(vm1, List.of(m, ip1)).orElseThrow();
        nva.activate(vm1).orElseThrow();
        nva.activate(vm1).orElseThrow(); // already forwarding: nothing changes, nothing reported
        nva.updateAddresses(vm1, List.of(ip1), List.of(ip2)).orElseThrow();
        nva.movePort(vm1, 2).orElseThrow();
        nva.deactivate(vm1Moved).orElseThrow();
        nva.deassociate(vm1Moved).orElseThrow();
        nva.releaseLocalTag(tag);
        nva.removeVn(BLUE).orElseThrow();

        assertThat(seen).containsExactly(
                new VnAdded(BLUE_VN),
                new LocalTagRecorded(tag),
                new EntryAdded(vm1, m, MAPPING),
                new EntryAdded(vm1, ip1, MAPPING),
                new EntryStateChanged(vm1, m, MAPPING, FORWARDING),
                new EntryStateChanged(vm1, ip1, MAPPING, FORWARDING),
                new EntryRemoved(vm1, ip1, FORWARDING),
                new EntryAdded(vm1, ip2, FORWARDING),
                new EntryMoved(vm1, vm1Moved, m, FORWARDING),
                new EntryMoved(vm1, vm1Moved, ip2, FORWARDING),
                new EntryStateChanged(vm1Moved, m, FORWARDING, MAPPING),
                new EntryStateChanged(vm1Moved, ip2, FORWARDING, MAPPING),
                new EntryRemoved(vm1Moved, m, MAPPING),
                new EntryRemoved(vm1Moved, ip2, MAPPING),
                new LocalTagReleased(tag),
                new VnRemoved(BLUE_VN));
        assertThat(seen).allSatisfy(c -> assertThat(c.vnId()).isEqualTo(BLUE));
    }

    @Test
    @DisplayName("SM-TSI-6, SM-TSI-7: a port move is reported as moves only: no remove, no add")
    void moveIsNotRemoveThenAdd() {
        nva.addVn(BLUE_VN).orElseThrow();
        nva.activate(vm1, List.of(m, ip1)).orElseThrow();
        nva.addListener(seen::add);

        nva.movePort(vm1, 2).orElseThrow();

        assertThat(seen).hasSize(2).allSatisfy(c -> assertThat(c).isInstanceOf(EntryMoved.class));
        assertThat(nva.churn(BLUE).removed()).isZero();
    }

    @Test
    @DisplayName("SM-TSI-4: a refused operation reports nothing")
    void refusalsReportNothing() {
        nva.addVn(BLUE_VN).orElseThrow();
        nva.addListener(seen::add);
        assertThat(nva.associate(vm1, List.of(host("10.0.0.1"))).isAllowed()).isFalse();
        assertThat(nva.addVn(BLUE_VN).isAllowed()).isFalse();
        assertThat(nva.deactivate(vm1).isAllowed()).isFalse();
        assertThat(seen).isEmpty();
    }

    @Test
    @DisplayName("SEC-3: changes are structured events: a named record, logged through the protocol's event sink and formats")
    void changesAreEvents() {
        RecordingSink sink = new RecordingSink();
        nva.addListener(NvaListener.of(sink));
        nva.addVn(BLUE_VN).orElseThrow();
        nva.associate(vm1, List.of(m)).orElseThrow();

        assertThat(sink.of(NvaChange.class)).hasSize(2);
        EntryAdded added = sink.of(EntryAdded.class).getFirst();
        assertThat(added.name()).isEqualTo("nva.entry_added");
        String line = EventFormat.logfmt(1_000_000_000L, "nva", added);
        assertThat(line).contains("event=nva.entry_added").contains("state=MAPPING").contains(VM1_MAC.toString())
                .contains("nnve-a:1");
        String json = EventFormat.json(0, "nva", sink.of(VnAdded.class).getFirst());
        assertThat(json).contains("\"event\":\"nva.vn_added\"").contains("tenant-1 blue");
    }

    @Test
    @DisplayName("SEC-3: listeners can be removed; several listeners each see every change")
    void listeners() {
        List<NvaChange> other = new ArrayList<>();
        NvaListener first = seen::add;
        nva.addListener(first);
        nva.addListener(other::add);
        nva.addVn(BLUE_VN).orElseThrow();
        nva.removeListener(first);
        nva.removeVn(BLUE).orElseThrow();
        assertThat(seen).containsExactly(new VnAdded(BLUE_VN));
        assertThat(other).containsExactly(new VnAdded(BLUE_VN), new VnRemoved(BLUE_VN));
    }

    @Test
    @DisplayName("SEC-3: a listener sees the change already made when it queries the NVA")
    void listenerSeesNewState() {
        nva.addVn(BLUE_VN).orElseThrow();
        List<EntryState> states = new ArrayList<>();
        nva.addListener(c -> states.add(nva.binding(vm1).map(TsiBinding::state).orElse(null)));
        nva.activate(vm1, List.of(m, ip1)).orElseThrow();
        nva.deactivate(vm1).orElseThrow();
        assertThat(states).containsExactly(FORWARDING, FORWARDING, MAPPING, MAPPING);
    }
}
