package org.splitnve.nva.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.nva.EndDeviceRule;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.LocalTag;
import org.splitnve.nva.NveId;
import org.splitnve.nva.PrefixPolicy;
import org.splitnve.nva.ProvisioningMode;
import org.splitnve.nva.Refusal;
import org.splitnve.nva.TsiInstance;
import org.splitnve.nva.TsiRecord;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.nva.service.Change;
import org.splitnve.nva.service.ChangeEvent;
import org.splitnve.nva.service.Digest;
import org.splitnve.nva.service.DuplicateAddress;
import org.splitnve.nva.service.MappingEntry;
import org.splitnve.nva.service.NveRegistration;
import org.splitnve.nva.service.Poll;
import org.splitnve.nva.service.Receipt;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.ReportOp;
import org.splitnve.nva.service.Resource;
import org.splitnve.nva.service.ResourceKey;
import org.splitnve.nva.service.SessionInfo;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.Parameter;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/** The protocol's JSON (docs/nva-protocol.md sections 3-7) in both directions, and its refusals (NVA-3, NVA-4, NVA-7). */
class NvaJsonTest {
    static final NveId A = NveId.of("nnve-a");
    static final NveId B = NveId.of("nnve/b%");
    static final VsiId TSI = VsiId.uuid("571e867b-46f2-31d9-90dd-2c92be3c454c");
    static final TsiAddress MAC = TsiAddress.mac(MacAddress.parse("52:54:00:6b:3c:01"));
    static final TsiAddress IP = TsiAddress.host(ip("10.1.0.5"), MacAddress.parse("52:54:00:6b:3c:01"));
    static final TsiAddress V6 = TsiAddress.prefix(ip("2001:db8::"), 64);
    static final Instant SINCE = Instant.parse("2026-12-01T10:00:00Z");

    static InetAddress ip(String s) {
        return TsiAddress.parse(s).ip();
    }

    static TsiInstance at(NveId nve, int port) {
        return new TsiInstance(TSI, nve, port, 5000);
    }

    /** One resource of every kind but credentials (never sent). */
    static List<Resource> everyKind() {
        VnRecord vn = VnRecord.of(UUID.fromString("0b5f4bb4-1c55-4c9b-8d0c-3f1ae3c2a001"), 4_000_000_000L, "blue", 500,
                VnService.L3).withMode(ProvisioningMode.VALIDATED).withParameters(List.of(Parameter.mtu(9000)))
                .withPrefixes(new PrefixPolicy(24, 64));
        MappingEntry m = new MappingEntry(at(A, 3), EntryState.FORWARDING, List.of(MAC, IP, V6), List.of(V6),
                List.of(MAC), 4_294_967_295L, SINCE);
        return List.of(new Resource.Vn(vn),
                new Resource.DevicePermit(EndDeviceRule.anyOn(A)),
                new Resource.DevicePermit(EndDeviceRule.exact(B, 2, MacAddress.parse("02:00:00:00:00:01"))),
                new Resource.TsiPermit(TsiRule.anyOn(5000)),
                new Resource.TsiPermit(TsiRule.on(5000, VsiId.mac(MacAddress.parse("02:00:00:00:00:09")))),
                new Resource.ValidatedTsi(new TsiRecord(TSI, 5000, List.of(IP), List.of(Parameter.vnProfile("gold")))),
                new Resource.Nve(new NveRegistration(B, ip("2001:db8::7"), Set.of(5000, -1))),
                new Resource.Mapping(m),
                new Resource.Tag(new LocalTag(A, 2, 100, 5000)),
                new Resource.Duplicate(new DuplicateAddress(5000, MAC, DuplicateAddress.Reason.FLAPPING, true, 6,
                        List.of(new DuplicateAddress.Claim(at(A, 3), 7), new DuplicateAddress.Claim(at(B, 1), 8)),
                        SINCE)));
    }

    @Test
    @DisplayName("NVA-3/NVA-4: every resource kind, change event, report op, receipt, session, acknowledgement with its digest and verdict, own digest and line round-trips")
    void roundTrips() throws Exception {
        for (Resource r : everyKind()) {
            String text = NvaJson.text(NvaJson.resource(r));
            assertThat((Object) NvaJson.read(text, NvaJson::resource)).as(text).isEqualTo(r);
            assertThat((Object) NvaJson.read(text, NvaJson::line)).isEqualTo(new NvaJson.Line.Item(r));
        }
        Change c = new Change(1043, "nnve-b", List.of(new ChangeEvent.Put(everyKind().get(7)),
                new ChangeEvent.Removed(ResourceKey.localTag(A, 2, 100)),
                new ChangeEvent.Withdrawal(A, at(A, 3), List.of(MAC), at(B, 1), 8)));
        assertThat((Object) NvaJson.read(NvaJson.text(NvaJson.change(c)), NvaJson::change)).isEqualTo(c);
        Report rep = new Report(318, List.of(
                new ReportOp.Bind(at(A, 3), EntryState.FORWARDING, List.of(MAC, IP), List.of(IP), 7, false),
                ReportOp.Bind.associated(at(A, 4), List.of(MAC), 0).inMigration(),
                new ReportOp.Unbind(at(A, 1)), new ReportOp.MovePort(at(A, 1), 9),
                new ReportOp.RecordTag(new LocalTag(A, 2, 100, 5000)),
                new ReportOp.ReleaseTag(new LocalTag(A, 2, 101, 5001)), new ReportOp.Serve(Set.of(5000, 5001))));
        assertThat((Object) NvaJson.read(NvaJson.text(NvaJson.report(rep)), NvaJson::report)).isEqualTo(rep);
        for (Receipt r : List.of(new Receipt(318, 1043, List.of(Receipt.Result.CHANGED, Receipt.Result.UNCHANGED,
                        Receipt.Result.refused(Refusal.TAG_IN_USE, "tag 100 on nnve-a:2 is VN 5001")),
                        Receipt.Status.APPLIED, null, ""),
                new Receipt(320, 1043, List.of(), Receipt.Status.REFUSED, Refusal.REPORT_OUT_OF_ORDER, "expected 319"))) {
            assertThat((Object) NvaJson.read(NvaJson.text(NvaJson.receipt(r)), NvaJson::receipt)).isEqualTo(r);
        }
        SessionInfo s = new SessionInfo("5b0e", 1042, 88120, 317, 1040,
                new NveRegistration(A, ip("192.0.2.1"), Set.of(5000)));
        assertThat((Object) NvaJson.read(NvaJson.text(NvaJson.session(s)), NvaJson::session)).isEqualTo(s);
        SessionInfo none = new SessionInfo("5b0e", 0, 0, 0, 0, null);
        assertThat((Object) NvaJson.read(NvaJson.text(NvaJson.session(none)), NvaJson::session)).isEqualTo(none);
        // section 12: the ack's digest (a hash with its top bit set: unsigned hex), its verdict, the own digest
        NvaJson.Ack ack = new NvaJson.Ack("5b0e", 1042, new Digest(20517, 0x9f3c_0000_0000_0001L));
        assertThat(NvaJson.text(NvaJson.ack(ack))).contains("\"hash\":\"9f3c000000000001\"");
        assertThat((Object) NvaJson.read(NvaJson.text(NvaJson.ack(ack)), NvaJson::ack)).isEqualTo(ack);
        NvaJson.Ack bare = new NvaJson.Ack("5b0e", 1042);
        assertThat((Object) NvaJson.read(NvaJson.text(NvaJson.ack(bare)), NvaJson::ack)).isEqualTo(bare);
        assertThatThrownBy(() -> NvaJson.read("{\"history\":\"h\",\"revision\":1,\"digest\":{\"count\":1,"
                + "\"hash\":\"9F3C\"}}", NvaJson::ack)).isInstanceOf(NvaJson.Bad.class).hasMessageContaining("digest.hash");
        for (Digest.Audit a : List.of(Digest.Audit.MATCHES, Digest.Audit.UNCHECKED)) {
            assertThat((Object) NvaJson.read(NvaJson.text(NvaJson.audit(a)), NvaJson::audit)).isEqualTo(a);
        }
        Digest.At own = new Digest.At(1042, new Digest(3, -5));
        assertThat((Object) NvaJson.read(NvaJson.text(NvaJson.ownDigest(own)), NvaJson::ownDigest)).isEqualTo(own);
        Poll.TooOld t = new Poll.TooOld("5b0e", 88120, 190455);
        assertThat((Object) NvaJson.read(NvaJson.text(NvaJson.tooOld(t)), NvaJson::line)).isEqualTo(new NvaJson.Line.TooOld(t));
        assertThat((Object) NvaJson.read(NvaJson.text(NvaJson.progress(1050)), NvaJson::line))
                .isEqualTo(new NvaJson.Line.Progress(1050));
        assertThat((Object) NvaJson.read(NvaJson.text(NvaJson.listStart("h", 4, 2)), NvaJson::line))
                .isEqualTo(new NvaJson.Line.ListStart("h", 4, 2));
        assertThat((Object) NvaJson.read(NvaJson.text(NvaJson.listEnd(4)), NvaJson::line)).isEqualTo(new NvaJson.Line.ListEnd(4));
    }

    @Test
    @DisplayName("NVA-7: a credential is never encoded, and one received is refused")
    void credentialsNeverTravel() {
        Resource cred = new Resource.Credential(A, "0".repeat(64));
        assertThatThrownBy(() -> NvaJson.resource(cred)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NvaJson.read("{\"kind\":\"credential\",\"key\":\"credential/nnve-a\",\"value\":{}}",
                NvaJson::resource)).isInstanceOf(NvaJson.Bad.class).hasMessageContaining("never sent");
    }

    /** The literal examples of docs/nva-protocol.md. */
    @Test
    @DisplayName("NVA-3/NVA-4: the JSON examples of docs/nva-protocol.md decode to what they say")
    void docExamples() throws Exception {
        Resource r = NvaJson.read("""
                {"kind": "mapping", "key": "mapping/5000/UUID:571e867b46f231d990dd2c92be3c454c/nnve-a/3",
                 "value": {"tsi": "571e867b-46f2-31d9-90dd-2c92be3c454c", "vn": 5000, "nve": "nnve-a", "port": 3,
                           "state": "forwarding",
                           "addresses": [{"mac": "52:54:00:6b:3c:01"}, {"ip": "10.1.0.5", "mac": "52:54:00:6b:3c:01"}],
                           "held": [], "withdrawn": [], "mobility_seq": 7, "since": "2026-12-01T10:00:00Z"}}
                """, NvaJson::resource);
        assertThat(r).isEqualTo(new Resource.Mapping(new MappingEntry(at(A, 3), EntryState.FORWARDING,
                List.of(MAC, IP), List.of(), List.of(), 7, SINCE)));
        Report rep = NvaJson.read("""
                {"seq": 318, "ops": [
                  {"op": "bind", "instance": {"tsi": "571e867b-46f2-31d9-90dd-2c92be3c454c", "vn": 5000, "nve": "nnve-a", "port": 3},
                   "state": "forwarding", "addresses": [{"mac": "52:54:00:6b:3c:01"}, {"ip": "10.1.0.5", "mac": "52:54:00:6b:3c:01"}],
                   "held": [], "mobility_seq": 7, "migration": false},
                  {"op": "unbind", "instance": {"tsi": "571e867b-46f2-31d9-90dd-2c92be3c454c", "vn": 5000, "nve": "nnve-a", "port": 1}},
                  {"op": "record_tag", "tag": {"nve": "nnve-a", "scope": 2, "tag": 100, "vn": 5000}}]}
                """, NvaJson::report);
        assertThat(rep).isEqualTo(new Report(318, List.of(ReportOp.Bind.activated(at(A, 3), List.of(MAC, IP), 7),
                new ReportOp.Unbind(at(A, 1)), new ReportOp.RecordTag(new LocalTag(A, 2, 100, 5000)))));
        Receipt rc = NvaJson.read("""
                {"seq": 318, "status": "applied", "revision": 1043,
                 "results": [{"ok": true, "changed": true},
                             {"ok": true, "changed": false},
                             {"ok": false, "reason": "TAG_IN_USE", "code": 1025, "detail": "tag 100 on nnve-a:2 is VN 5001"}]}
                """, NvaJson::receipt);
        assertThat(rc).isEqualTo(new Receipt(318, 1043, List.of(Receipt.Result.CHANGED, Receipt.Result.UNCHANGED,
                Receipt.Result.refused(Refusal.TAG_IN_USE, "tag 100 on nnve-a:2 is VN 5001")), Receipt.Status.APPLIED,
                null, ""));
        assertThat((Object) NvaJson.read("{\"type\": \"too_old\", \"history\": \"5b0e\", \"compacted_through\": 88120,"
                + " \"revision\": 190455}", NvaJson::line))
                .isEqualTo(new NvaJson.Line.TooOld(new Poll.TooOld("5b0e", 88120, 190455)));
        assertThat((Object) NvaJson.read("{\"type\": \"list\", \"history\": \"5b0e\", \"revision\": 1042, \"count\": 20517}",
                NvaJson::line)).isEqualTo(new NvaJson.Line.ListStart("5b0e", 1042, 20517));
        assertThat((Object) NvaJson.read("{\"op\": \"removed\", \"key\": \"mapping/5000/UUID:571e867b46f231d990dd2c92be3c454c/nnve-b/1\"}",
                n -> NvaJson.event(n, ""))).isEqualTo(new ChangeEvent.Removed(ResourceKey.mapping(5000, TSI, NveId.of("nnve-b"), 1)));
    }

    @Test
    @DisplayName("NVA-3: bad input is a typed error naming the member, never another exception")
    void badInputIsTyped() {
        String good = NvaJson.text(NvaJson.report(Report.of(1, ReportOp.Bind.activated(at(A, 3), List.of(MAC), 7))));
        List<String> bad = List.of("", "nope", "[]", "{\"seq\": 1}", "{\"seq\": 0, \"ops\": []}",
                good.replace("\"port\":3", "\"port\":\"3\""),
                good.replace("\"port\":3", "\"port\":-1"),
                good.replace("\"mobility_seq\":7", "\"mobility_seq\":4294967296"),
                good.replace("\"state\":\"forwarding\"", "\"state\":\"up\""),
                good.replace("\"mac\":\"52:54:00:6b:3c:01\"", "\"mac\":\"01:00:5e:00:00:01\""),
                good.replace("\"op\":\"bind\"", "\"op\":\"bind\",\"extra\":1"),
                good.replace("571e867b-46f2-31d9-90dd-2c92be3c454c", "not-a-uuid"),
                "{\"seq\": 1, \"ops\": [null]}", "{\"seq\": 1, \"ops\": [{\"op\": \"serve\", \"vns\": [1.5]}]}");
        for (String s : bad) {
            assertThatThrownBy(() -> NvaJson.read(s, NvaJson::report)).as(s).isInstanceOf(NvaJson.Bad.class);
        }
        assertThatThrownBy(() -> NvaJson.read(good.replace("\"port\":3", "\"port\":\"3\""), NvaJson::report))
                .hasMessageContaining("ops[0].instance.port");
        // a key that is not its value's key
        String m = NvaJson.text(NvaJson.resource(everyKind().get(7))).replace("/nnve-a/3\"", "/nnve-a/4\"");
        assertThatThrownBy(() -> NvaJson.read(m, NvaJson::resource)).isInstanceOf(NvaJson.Bad.class)
                .hasMessageContaining("not the key");
        // every truncation of every line of every kind is refused with Bad, never another exception
        for (Resource r : everyKind()) {
            String t = NvaJson.text(NvaJson.resource(r));
            for (int i = 0; i < t.length(); i++) {
                String cut = t.substring(0, i);
                assertThatThrownBy(() -> NvaJson.read(cut, NvaJson::line)).isInstanceOf(NvaJson.Bad.class);
            }
        }
    }
}
