package org.splitnve.daemon.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitnve.api.JsonCodec;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.VmState;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;
import tools.jackson.databind.JsonNode;

/** REL-1: the tNVE's VM records on disk: what is written is what is read back, in order, atomically. */
class VmStoreTest {
    @TempDir
    Path dir;

    static TsiAddress ip(String s) throws IOException {
        return TsiAddress.host(InetAddress.getByName(s));   // literals only: no name lookup
    }

    static VmStore.VmRecord record(String name, VmState state) throws IOException {
        TsiSpec a = TsiSpec.of(VsiId.uuid(UUID.fromString("7510a000-0000-4000-8000-000000000001")), 5000,
                MacAddress.parse("52:54:00:00:00:01"), List.of(ip("10.0.0.1"), ip("2001:db8::1"),
                        TsiAddress.prefix(InetAddress.getByName("10.9.0.0"), 16)));
        TsiSpec b = new TsiSpec(VsiId.mac(MacAddress.parse("52:54:00:00:00:02")), 0xFFFF_FFFFL,
                MacAddress.parse("52:54:00:00:00:02"), List.of(), 0xABCDEF, 7);
        TsiSpec c = TsiSpec.of(VsiId.ipv4((java.net.Inet4Address) InetAddress.getByName("192.0.2.7")), 1,
                MacAddress.parse("52:54:00:00:00:03"), List.of());
        TsiSpec d = TsiSpec.of(VsiId.local(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}), 2,
                MacAddress.parse("52:54:00:00:00:04"), List.of());
        return new VmStore.VmRecord(name, state, TnveEngine.TsiState.ASSOCIATED,
                UUID.fromString("1b2c3d4e-0000-4000-8000-0000000000a1"), List.of(a, b, c, d));
    }

    @Test
    @DisplayName("REL-1: a record (TSI IDs of every format, hosts, prefixes, VSI types, a migration) reads back equal; "
            + "the JSON names its version, state and announced TSI state")
    void roundTrip() throws Exception {
        try (VmStore s = VmStore.open(dir)) {
            VmStore.VmRecord r = record("vm1", VmState.MIGRATING_OUT);
            s.write(new VmStore.Snapshot("vm1", 1, r));
            JsonNode j = JsonCodec.tree(Files.readString(dir.resolve("vms/vm1.json")));
            assertThat(j.get("version").asLong()).isEqualTo(1);
            assertThat(j.get("state").asString()).isEqualTo("MIGRATING_OUT");
            assertThat(j.get("announce").asString()).isEqualTo("ASSOCIATED");
            VmStore.Loaded l = s.load();
            assertThat(l.problems()).isEmpty();
            assertThat(l.records()).containsExactly(r);
        }
    }

    /** A VM file as the hand-written JSON writer before Jackson wrote it (record("vm1", MIGRATING_OUT)), byte for byte. */
    static final String BEFORE_JACKSON = "{\"version\":1,\"name\":\"vm1\",\"state\":\"MIGRATING_OUT\",\"announce\":\"ASSOCIATED\","
            + "\"migration\":\"1b2c3d4e-0000-4000-8000-0000000000a1\","
            + "\"tsis\":[{\"id\":\"7510a000-0000-4000-8000-000000000001\",\"idFormat\":\"UUID\",\"vn\":5000,"
            + "\"mac\":\"52:54:00:00:00:01\",\"ips\":[\"10.0.0.1\",\"2001:db8:0:0:0:0:0:1\",\"10.9.0.0/16\"],"
            + "\"typeId\":1,\"typeVersion\":1},{\"id\":\"52:54:00:00:00:02\",\"idFormat\":\"MAC\",\"vn\":4294967295,"
            + "\"mac\":\"52:54:00:00:00:02\",\"ips\":[],\"typeId\":11259375,\"typeVersion\":7},{\"id\":\"192.0.2.7\","
            + "\"idFormat\":\"IPV4\",\"vn\":1,\"mac\":\"52:54:00:00:00:03\",\"ips\":[],\"typeId\":1,\"typeVersion\":1},"
            + "{\"id\":\"0102030405060708090a0b0c0d0e0f10\",\"idFormat\":\"LOCAL\",\"vn\":2,"
            + "\"mac\":\"52:54:00:00:00:04\",\"ips\":[],\"typeId\":1,\"typeVersion\":1}]}";

    @Test
    @DisplayName("REL-1: the VM files already on disk load after the move to Jackson (a file the hand-written writer "
            + "wrote, byte for byte), and Jackson writes the same bytes for the same VM")
    void filesOfTheHandWrittenWriterLoad() throws Exception {
        Files.createDirectories(dir.resolve("vms"));
        Files.writeString(dir.resolve("vms/vm1.json"), BEFORE_JACKSON);
        try (VmStore s = VmStore.open(dir)) {
            VmStore.Loaded l = s.load();
            assertThat(l.problems()).isEmpty();
            assertThat(l.records()).containsExactly(record("vm1", VmState.MIGRATING_OUT));
            s.write(new VmStore.Snapshot("vm1", 1, record("vm1", VmState.MIGRATING_OUT)));
            assertThat(Files.readString(dir.resolve("vms/vm1.json"))).isEqualTo(BEFORE_JACKSON);
        }
    }

    @Test
    @DisplayName("REL-1: a snapshot older than the one written (a late write) changes nothing; a VM that is gone "
            + "removes its file; names become safe file names, long ones their SHA-256")
    void orderAndNames() throws Exception {
        try (VmStore s = VmStore.open(dir)) {
            s.write(new VmStore.Snapshot("vm1", 5, record("vm1", VmState.RUNNING)));
            s.write(new VmStore.Snapshot("vm1", 4, record("vm1", VmState.SHUTDOWN)));
            assertThat(s.load().records()).singleElement().satisfies(r -> assertThat(r.state()).isEqualTo(VmState.RUNNING));
            s.write(new VmStore.Snapshot("vm1", 6, null));
            assertThat(dir.resolve("vms/vm1.json")).doesNotExist();
            s.write(new VmStore.Snapshot("vm1", 3, record("vm1", VmState.RUNNING)));
            assertThat(s.load().records()).as("an old record does not come back after the VM went").isEmpty();

            assertThat(VmStore.fileName("web-1.prod_a")).isEqualTo("web-1.prod_a.json");
            assertThat(VmStore.fileName(".x")).isEqualTo("%2Ex.json");
            assertThat(VmStore.fileName("a%b:é")).isEqualTo("a%25b%3A%C3%A9.json");
            assertThat(VmStore.fileName("v".repeat(128))).isEqualTo("v".repeat(128) + ".json");
            assertThat(VmStore.fileName("é".repeat(100))).startsWith("sha256-").hasSize(7 + 64 + 5);
            String odd = "é".repeat(100);
            s.write(new VmStore.Snapshot(odd, 7, record(odd, VmState.SUSPENDED)));
            assertThat(s.load().records()).singleElement().satisfies(r -> assertThat(r.name()).isEqualTo(odd));
        }
    }

    @Test
    @DisplayName("REL-1, SEC-4: a crash's temporary file is removed; a record under another VM's file name, or with a "
            + "name, state or TSI that is not valid, is a problem naming the file; the others load")
    void problems() throws Exception {
        try (VmStore s = VmStore.open(dir)) {
            s.write(new VmStore.Snapshot("ok", 1, record("ok", VmState.RUNNING)));
            String ok = Files.readString(dir.resolve("vms/ok.json"));
            Path vms = dir.resolve("vms");
            Files.writeString(vms.resolve("ok.json.tmp"), "{");
            Files.writeString(vms.resolve("moved.json"), ok);
            Files.writeString(vms.resolve("prep.json"), ok.replace("\"RUNNING\"", "\"PREPARING\"")
                    .replace("\"name\":\"ok\"", "\"name\":\"prep\""));
            Files.writeString(vms.resolve("none.json"), ok.replaceAll("\"tsis\":\\[.*\\]}$", "\"tsis\":[]}")
                    .replace("\"name\":\"ok\"", "\"name\":\"none\""));
            Files.writeString(vms.resolve("badip.json"), ok.replace("10.0.0.1", "10.0.0.300")
                    .replace("\"name\":\"ok\"", "\"name\":\"badip\""));
            Files.writeString(vms.resolve("array.json"), "[]");
            Files.writeString(vms.resolve("notes.txt"), "not a record: left alone");
            VmStore.Loaded l = s.load();
            assertThat(l.records()).extracting(VmStore.VmRecord::name).containsExactly("ok");
            assertThat(l.problems()).extracting(p -> p.file().getFileName() + ": " + p.reason()).containsExactlyInAnyOrder(
                    "moved.json: holds VM 'ok', whose record is ok.json",
                    "prep.json: state: PREPARING is never recorded",
                    "none.json: tsis: a non-empty list",
                    "badip.json: tsis[0].ips: \"10.0.0.300\" is not an IP address or prefix",
                    "array.json: not a JSON object");
            assertThat(vms.resolve("ok.json.tmp")).doesNotExist();
            assertThat(vms.resolve("notes.txt")).exists();
        }
    }

    @Test
    @DisplayName("OPS-4: the directory is locked while a store has it open: a second one is refused, naming it; "
            + "closed, it opens again")
    void locked() throws Exception {
        VmStore first = VmStore.open(dir);
        assertThatThrownBy(() -> VmStore.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("state directory " + dir + " is in use by another tNVE");
        first.close();
        VmStore.open(dir).close();
    }
}
