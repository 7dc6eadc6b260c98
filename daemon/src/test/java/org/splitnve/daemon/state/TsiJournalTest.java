package org.splitnve.daemon.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitnve.nnve.SavedTsi;
import org.splitnve.nnve.TsiState;
import org.splitnve.nnve.Vn;
import org.splitnve.nnve.VnKey;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * REL-2: the nNVE's TSI journal on disk: what is written is read back; a torn or corrupt tail is cut off and reported,
 * never thrown, and appending goes on after the last good record; compaction keeps the table; one nNVE per directory.
 */
class TsiJournalTest {
    @TempDir
    Path dir;

    static VsiId vsi(int n) {
        return VsiId.uuid(new UUID(0x4a4aL, n));
    }

    static SavedTsi tsi(int n, TsiState state) {
        MacAddress mac = new MacAddress(0x5254_0000_0000L | n);
        return new SavedTsi(vsi(n), 0, new MacAddress(0x0200_0000_0001L), Vn.trusted(new VnKey.Id(5000), 15_000), 100,
                state, 5, 1, ManagerId.ofText("blade"), Filter.of(FilterFormat.GROUP_MAC_VID,
                        FilterEntry.groupMacVid(5000, mac, 100)), List.of(TsiAddress.mac(mac)), List.of(), List.of(),
                true, null, 0, true);
    }

    private static void drain(TsiJournal j) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!j.drained()) {
            assertThat(System.nanoTime()).as("the journal writes what is queued").isLessThan(end);
            Thread.sleep(1);
        }
    }

    private static List<SavedTsi> sorted(List<SavedTsi> l) {
        return l.stream().sorted(Comparator.comparing(t -> t.id().toString())).toList();
    }

    @Test
    @DisplayName("REL-2: changes written are read back at the next open: the last state of each TSI ID, a removal removes")
    void readsBackWhatItWrote() throws Exception {
        try (TsiJournal j = TsiJournal.open(dir)) {
            assertThat(j.loaded().tsis()).isEmpty();
            j.changed(vsi(1), List.of(tsi(1, TsiState.ASSOCIATED)));
            j.changed(vsi(2), List.of(tsi(2, TsiState.ACTIVATED)));
            j.changed(vsi(1), List.of(tsi(1, TsiState.ACTIVATED)));
            j.changed(vsi(3), List.of(tsi(3, TsiState.ASSOCIATED)));
            j.changed(vsi(3), List.of());
            drain(j);
        }
        try (TsiJournal j = TsiJournal.open(dir)) {
            assertThat(sorted(j.loaded().tsis())).containsExactly(tsi(1, TsiState.ACTIVATED), tsi(2, TsiState.ACTIVATED));
            assertThat(j.loaded().entries()).isEqualTo(5);
            assertThat(j.loaded().problems()).isEmpty();
        }
    }

    @Test
    @DisplayName("REL-2: a record cut short (the write a kill interrupted) ends the journal: what comes before is used,"
            + " the tail is cut off and reported, and the next records are appended after the last good one")
    void tornTailIsCut() throws Exception {
        try (TsiJournal j = TsiJournal.open(dir)) {
            j.changed(vsi(1), List.of(tsi(1, TsiState.ACTIVATED)));
            j.changed(vsi(2), List.of(tsi(2, TsiState.ACTIVATED)));
            drain(j);
        }
        Path journal = dir.resolve(TsiJournal.JOURNAL);
        byte[] all = Files.readAllBytes(journal);
        Files.write(journal, java.util.Arrays.copyOf(all, all.length - 7));
        try (TsiJournal j = TsiJournal.open(dir)) {
            assertThat(j.loaded().tsis()).containsExactly(tsi(1, TsiState.ACTIVATED));
            assertThat(j.loaded().problems()).singleElement()
                    .satisfies(p -> assertThat(p.reason()).contains("cut short").contains("cut off"));
            j.changed(vsi(3), List.of(tsi(3, TsiState.ASSOCIATED)));
            drain(j);
        }
        try (TsiJournal j = TsiJournal.open(dir)) {
            assertThat(sorted(j.loaded().tsis())).containsExactly(tsi(1, TsiState.ACTIVATED), tsi(3, TsiState.ASSOCIATED));
            assertThat(j.loaded().problems()).isEmpty();
        }
    }

    @Test
    @DisplayName("REL-2: a record whose CRC does not match, or zeros a crash left, end the journal there; reported,"
            + " never thrown")
    void corruptRecordEndsTheJournal() throws Exception {
        try (TsiJournal j = TsiJournal.open(dir)) {
            for (int i = 1; i <= 3; i++) {
                j.changed(vsi(i), List.of(tsi(i, TsiState.ACTIVATED)));
            }
            drain(j);
        }
        Path journal = dir.resolve(TsiJournal.JOURNAL);
        byte[] all = Files.readAllBytes(journal);
        int second = all.length / 3;
        byte[] corrupt = all.clone();
        corrupt[second + 20] ^= 0x40;
        Files.write(journal, corrupt);
        try (TsiJournal j = TsiJournal.open(dir)) {
            assertThat(j.loaded().tsis()).containsExactly(tsi(1, TsiState.ACTIVATED));
            assertThat(j.loaded().problems()).singleElement().satisfies(p -> assertThat(p.reason()).contains("CRC"));
        }
        byte[] zeros = java.util.Arrays.copyOf(all, all.length + 4096);
        Files.write(journal, zeros);
        try (TsiJournal j = TsiJournal.open(dir)) {
            assertThat(j.loaded().tsis()).hasSize(3);
            assertThat(j.loaded().problems()).singleElement().satisfies(p -> assertThat(p.reason()).contains("length"));
        }
        assertThat(Files.size(journal)).as("the zeros cut off").isEqualTo(all.length);
        Files.write(dir.resolve(TsiJournal.SNAPSHOT), "not a snapshot".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try (TsiJournal j = TsiJournal.open(dir)) {
            assertThat(j.loaded().tsis()).hasSize(3);
            assertThat(j.loaded().problems()).singleElement().satisfies(p -> assertThat(p.reason()).contains("snapshot"));
        }
    }

    @Test
    @DisplayName("REL-2: once the journal outgrows the snapshot it is compacted into a new snapshot and emptied; the"
            + " table read back is the same")
    void compaction() throws Exception {
        int rounds = 60_000;
        try (TsiJournal j = TsiJournal.open(dir)) {
            for (int i = 0; i < rounds; i++) {
                int n = i % 50;
                j.changed(vsi(n), i % 7 == 0 ? List.of() : List.of(tsi(n, i % 2 == 0 ? TsiState.ASSOCIATED
                        : TsiState.ACTIVATED)));
            }
            drain(j);
            assertThat(j.counters()[3]).as("compactions").isPositive();
        }
        assertThat(Files.size(dir.resolve(TsiJournal.SNAPSHOT))).isPositive();
        assertThat(Files.size(dir.resolve(TsiJournal.JOURNAL))).isLessThan(TsiJournal.COMPACT_AT);
        List<SavedTsi> expected = new java.util.ArrayList<>();
        for (int n = 0; n < 50; n++) {
            int last = rounds - 1 - Math.floorMod(rounds - 1 - n, 50);
            if (last % 7 != 0) {
                expected.add(tsi(n, last % 2 == 0 ? TsiState.ASSOCIATED : TsiState.ACTIVATED));
            }
        }
        try (TsiJournal j = TsiJournal.open(dir)) {
            assertThat(sorted(j.loaded().tsis())).isEqualTo(sorted(expected));
            assertThat(j.loaded().problems()).isEmpty();
        }
    }

    @Test
    @DisplayName("OPS-4: a second nNVE on the same state directory refuses to start, saying why")
    void oneNnvePerDirectory() throws IOException {
        try (TsiJournal j = TsiJournal.open(dir)) {
            assertThat(j.dir()).isEqualTo(dir);
            assertThatThrownBy(() -> TsiJournal.open(dir)).isInstanceOf(IOException.class)
                    .hasMessageContaining("in use by another nNVE");
        }
    }
}
