package org.splitnve.nnve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.CapabilityTlv.Feature;
import org.splitnve.wire.vdp.TsiAddress;

/** The nNVE's own initiative alone: what the operator's deactivate and disconnect do to the TSIs and VAPs. */
class OwnInitiativeTest {

    private final PartsFixture f = new PartsFixture(NnveConfig.simple("n", 2));

    private Peer extended(int port, long station) {
        Peer p = f.peer(port, station);
        p.common = CapabilityTlv.of(EnumSet.of(Feature.DEACTIVATE, Feature.TSI_ADDRESSES));
        return p;
    }

    @Test
    @DisplayName("REQ-9, SM-TSI-4: deactivate takes an end device with the extension from Activated to Associated "
            + "and tells it; a standard peer's TSI is de-associated instead (SM-TSI-5)")
    void deactivate() {
        Peer ext = extended(0, 0x02_00_00_00_00_0AL);
        Tsi t = f.tsi(ext, f.vap(ext, 10), 1, 0x02_00_00_00_10_01L);
        f.engine.tsm.transition(t, TsiState.ACTIVATED, "test");
        f.sent.clear();
        assertThat(f.engine.deactivate(t.id(), "maintenance")).isEqualTo(1);
        assertThat(t.state()).isEqualTo(TsiState.ASSOCIATED);
        assertThat(f.sent).as("the end device is told").hasSize(1);
        assertThat(f.engine.deactivate(t.id(), "again")).as("nothing activated left").isZero();

        Peer std = f.peer(1, 0x02_00_00_00_00_0BL);
        Tsi s = f.tsi(std, f.vap(std, 10), 2, 0x02_00_00_00_10_02L);
        f.engine.tsm.transition(s, TsiState.ACTIVATED, "test");
        assertThat(f.engine.deactivate(s.id(), "maintenance")).isEqualTo(1);
        assertThat(s.state()).isEqualTo(TsiState.INIT);
        assertThat(f.engine.instances(s.id())).isEmpty();
    }

    @Test
    @DisplayName("REQ-8, REQ-9: deactivating some addresses holds them (NVA mapping entries, ACL disabled for them "
            + "alone), the TSI stays Activated; all of them is a whole deactivation")
    void deactivateSome() {
        Peer ext = extended(0, 0x02_00_00_00_00_0AL);
        Tsi t = f.tsi(ext, f.vap(ext, 10), 1, 0x02_00_00_00_10_01L);
        TsiAddress mac = t.addresses.getFirst();
        TsiAddress ip = TsiAddress.parse("10.0.0.5");
        t.addresses = List.of(mac, ip);
        f.engine.tsm.transition(t, TsiState.ACTIVATED, "test");
        f.effects.clear();
        assertThat(f.engine.deactivate(t.id(), List.of(ip), "one address")).isEqualTo(1);
        assertThat(t.state()).isEqualTo(TsiState.ACTIVATED);
        assertThat(t.held()).containsExactly(ip);
        assertThat(f.effects).containsExactly(
                new Effect.NvaHeld(t.instance(), List.of(ip)),
                new Effect.Acl(t.instance(), List.of(ip), t.vap.tag(), Effect.AclState.DISABLED));
        assertThat(f.engine.deactivate(t.id(), List.of(mac), "the other")).isEqualTo(1);
        assertThat(t.state()).isEqualTo(TsiState.ASSOCIATED);
        assertThat(t.held()).isEmpty();
    }

    @Test
    @DisplayName("REQ-6, SM-VAP-3: disconnecting a VN de-associates its TSIs on every port and returns its tags; "
            + "another VN's TSIs stay")
    void disconnectVn() {
        Peer a = f.peer(0, 0x02_00_00_00_00_0AL);
        Peer b = f.peer(1, 0x02_00_00_00_00_0BL);
        Tsi a1 = f.tsi(a, f.vap(a, 10), 1, 0x02_00_00_00_10_01L);
        Tsi b1 = f.tsi(b, f.vap(b, 10), 2, 0x02_00_00_00_10_02L);
        Tsi other = f.tsi(a, f.vap(a, 11), 3, 0x02_00_00_00_10_03L);
        for (Tsi t : List.of(a1, b1, other)) {
            f.engine.tsm.transition(t, TsiState.ACTIVATED, "test");
        }
        assertThat(f.engine.disconnectVn(new VnKey.Id(10), "retired")).isEqualTo(2);
        assertThat(a1.state()).isEqualTo(TsiState.INIT);
        assertThat(b1.state()).isEqualTo(TsiState.INIT);
        assertThat(other.state()).isEqualTo(TsiState.ACTIVATED);
        assertThat(f.engine.vap(0, new VnKey.Id(10))).isNull();
        assertThat(f.engine.vap(1, new VnKey.Id(10))).isNull();
        assertThat(f.engine.vaps()).extracting(v -> v.vn().key()).containsExactly(new VnKey.Id(11));
        assertThat(f.engine.tagsHeldBy(1, new MacAddress(0x02_00_00_00_00_0BL))).isZero();
        assertThat(f.engine.tagsHeldBy(0, new MacAddress(0x02_00_00_00_00_0AL))).isEqualTo(1);
    }
}
