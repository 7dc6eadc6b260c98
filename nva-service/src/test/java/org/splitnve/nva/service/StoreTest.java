package org.splitnve.nva.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.splitnve.nva.service.NvaFixture.A;
import static org.splitnve.nva.service.NvaFixture.B;
import static org.splitnve.nva.service.NvaFixture.C;
import static org.splitnve.nva.service.NvaFixture.VN;
import static org.splitnve.nva.service.NvaFixture.active;
import static org.splitnve.nva.service.NvaFixture.ip;
import static org.splitnve.nva.service.NvaFixture.mac;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitnve.nva.EndDeviceRule;
import org.splitnve.nva.LocalTag;
import org.splitnve.nva.PrefixPolicy;
import org.splitnve.nva.ProvisioningMode;
import org.splitnve.nva.TsiRecord;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.nva.service.store.Codec;
import org.splitnve.nva.service.store.SqliteStore;
import org.splitnve.nva.service.store.StoreException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.Parameter;
import org.splitnve.wire.vdp.TsiAddress;

/** The SQLite store holds what the NVA committed, every kind of resource, the log and the receipts. */
class StoreTest {

    @Test
    @DisplayName("NVA-2: an NVA on the SQLite store, closed and opened again, has the same state, revision, "
            + "history, change log and receipts: every kind of resource survives")
    void reopenKeepsEverything(@TempDir Path dir) {
        Path file = dir.resolve("nva.db");
        NvaFixture f = new NvaFixture(SqliteStore.open(file), Options.DEFAULT);
        VnRecord green = new VnRecord(NvaFixture.vnName("green"), 6000, "green", 600, VnService.L3,
                ProvisioningMode.VALIDATED, List.of(Parameter.vnProfile("gold"), Parameter.mtu(9000)),
                new PrefixPolicy(28, 96));
        NvaFixture.ok(f.nva.addVn(green));
        NvaFixture.ok(f.nva.putTsiRecord(new TsiRecord(NvaFixture.vsi(9), 6000,
                List.of(TsiAddress.host(ip("2001:db8::9"), new MacAddress(0x525400000009L))),
                List.of(Parameter.vnProfile("silver")))));
        NvaFixture.ok(f.nva.permitTsi(TsiRule.on(6000, NvaFixture.vsi(10))));
        NvaFixture.ok(f.nva.permitEndDevice(EndDeviceRule.exact(A, 3, new MacAddress(0x020000000001L))));
        NvaFixture.ok(f.nva.permitEndDevice(EndDeviceRule.anyOn(B)));
        NvaFixture.ok(f.nva.setCredential(A, "0123456789abcdef-token"));
        f.report(A, ReportOp.Bind.activated(NvaFixture.at(A, 1), List.of(mac(1),
                TsiAddress.host(ip("10.0.0.1"), mac(1).mac()), TsiAddress.prefix(ip("10.9.0.0"), 24)), 7));
        f.report(A, new ReportOp.RecordTag(new LocalTag(A, 2, 100, VN)));
        f.report(B, active(B, 1, 8)); // withdraws from A
        f.report(C, active(C, 1, 8)); // a duplicate
        Snapshot before = f.nva.list(Interest.operator());
        long revision = f.nva.revision();
        String history = f.nva.historyId();
        Receipt lastOfC = f.nva.lastReceipt(C).orElseThrow();
        f.nva.close();

        f.nva = RevisionedNva.open(SqliteStore.open(file), Options.DEFAULT, f.clock, f.events);
        assertThat(f.nva.list(Interest.operator())).isEqualTo(before);
        assertThat(before.resources()).extracting(r -> r.key().kind()).contains(ResourceKey.Kind.VN,
                ResourceKey.Kind.DEVICE_PERMIT, ResourceKey.Kind.TSI_PERMIT, ResourceKey.Kind.TSI_RECORD,
                ResourceKey.Kind.NVE, ResourceKey.Kind.MAPPING, ResourceKey.Kind.LOCAL_TAG,
                ResourceKey.Kind.DUPLICATE);
        assertThat(f.nva.resource(ResourceKey.credential(A))).isPresent();
        assertThat(f.nva.authenticate(A, "0123456789abcdef-token")).isTrue();
        assertThat(f.nva.revision()).isEqualTo(revision);
        assertThat(f.nva.historyId()).isEqualTo(history);
        assertThat(f.nva.lastReceipt(C)).contains(lastOfC);
        assertThat(f.nva.whereIs(VN, mac(1)).orElseThrow().instance()).isEqualTo(NvaFixture.at(B, 1));
        Poll p = f.nva.watch(Interest.operator(), history, 0).poll(Duration.ZERO);
        // every change is in the stored log but the credential's (never watched)
        assertThat(((Poll.Changes) p).changes()).hasSize((int) revision - 1)
                .noneMatch(c -> c.events().stream().anyMatch(e -> e.key().kind() == ResourceKey.Kind.CREDENTIAL));
        f.nva.close();
    }

    @Test
    @DisplayName("NVA-2: one NVA per store: a second open of the same file fails while the first holds it")
    void exclusive(@TempDir Path dir) {
        Path file = dir.resolve("nva.db");
        try (SqliteStore first = SqliteStore.open(file)) {
            first.load();
            assertThatThrownBy(() -> {
                try (SqliteStore second = SqliteStore.open(file)) {
                    second.load();
                }
            }).isInstanceOf(StoreException.class);
        }
    }

    @Test
    @DisplayName("the store's codec: a change written with its puts encoded beforehand (as the SQLite store writes "
            + "rows and log once) is the same bytes as the change written whole, and reads back equal")
    void changeWithEncodedPuts() {
        Change c = new Change(7, "nnve-a", List.of(
                new ChangeEvent.Put(new Resource.Tag(new LocalTag(A, 1, 5, VN))),
                new ChangeEvent.Removed(ResourceKey.vn(VN)),
                new ChangeEvent.Put(new Resource.Mapping(new MappingEntry(NvaFixture.at(A, 1),
                        org.splitnve.nva.EntryState.FORWARDING, List.of(mac(1)), List.of(), List.of(mac(1)), 3,
                        java.time.Instant.EPOCH)))));
        List<byte[]> puts = c.events().stream().filter(e -> e instanceof ChangeEvent.Put)
                .map(e -> Codec.resource(((ChangeEvent.Put) e).resource())).toList();
        assertThat(Codec.change(c, puts)).isEqualTo(Codec.change(c));
        assertThat(Codec.change(Codec.change(c, puts))).isEqualTo(c);
    }

    @Test
    @DisplayName("the store's codec refuses bytes of another format, and truncated ones, with a typed error")
    void codecRefusesBadBytes() {
        byte[] ok = Codec.resource(new Resource.Tag(new LocalTag(A, 1, 5, VN)));
        assertThat(Codec.resource(ok)).isEqualTo(new Resource.Tag(new LocalTag(A, 1, 5, VN)));
        byte[] other = ok.clone();
        other[0] = 9;
        assertThatThrownBy(() -> Codec.resource(other)).isInstanceOf(StoreException.class).hasMessageContaining("format 9");
        byte[] cut = java.util.Arrays.copyOf(ok, ok.length - 2);
        assertThatThrownBy(() -> Codec.resource(cut)).isInstanceOf(StoreException.class).hasMessageContaining("ends early");
    }
}
