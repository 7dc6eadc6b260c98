package org.splitnve.nnve;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The VAP and local tag part alone: VN connect and disconnect, tag choice, the tag quotas. */
class VapTagsTest {

    private final PartsFixture f = new PartsFixture(NnveConfig.simple("n", 2));
    private final Peer p = f.peer(0, 0x02_00_00_00_00_0AL);

    private Vap vap(int vn) {
        return new Vap(f.engine.scopeOfPort[0], Vn.trusted(new VnKey.Id(vn), 5000 + vn));
    }

    @Test
    @DisplayName("SM-VAP-1, SM-VAP-2: VN_Connect binds the lowest free tag (VID 1 last), tells the NVA which tag maps "
            + "to the VN, and charges the tag to the end device (SEC-5)")
    void connect() {
        Vap v = vap(10);
        assertThat(f.engine.vapTags.connect(p, v, 0)).isNull();
        assertThat(v.state()).isEqualTo(Vap.State.VN_CONNECTED);
        assertThat(v.tag()).isEqualTo(2);
        assertThat(f.engine.vap(0, new VnKey.Id(10))).isSameAs(v);
        assertThat(f.effects).containsExactly(new Effect.NvaVnTag(new VnKey.Id(10), 5010, "n/0", 2));
        assertThat(f.engine.tagsHeldBy(0, p.station)).isEqualTo(1);
        Vap w = vap(11);
        assertThat(f.engine.vapTags.connect(p, w, 0)).isNull();
        assertThat(w.tag()).isEqualTo(3);
    }

    @Test
    @DisplayName("SM-VAP-3: VN_Disconnect returns the tag to the pool and uncharges it; another VN then gets it")
    void disconnect() {
        Vap v = vap(10);
        f.engine.vapTags.connect(p, v, 0);
        f.effects.clear();
        f.engine.vapTags.disconnect(v, "test");
        assertThat(v.state()).isEqualTo(Vap.State.VN_DISCONNECTED);
        assertThat(v.tags()).isEmpty();
        assertThat(f.effects).containsExactly(new Effect.NvaVnTag(new VnKey.Id(10), 5010, "n/0", -1));
        assertThat(f.engine.vaps()).isEmpty();
        assertThat(f.engine.tagsHeldBy(0, p.station)).isZero();
        Vap w = vap(11);
        f.engine.vapTags.connect(p, w, 0);
        assertThat(w.tag()).isEqualTo(2);
    }

    @Test
    @DisplayName("REQ-7, SM-REASON: a tag asked for is bound; one another VN holds, or outside the pool, is refused "
            + "(reason 5, detail TAG) and nothing is charged")
    void wantedTag() {
        Vap v = vap(10);
        assertThat(f.engine.vapTags.connect(p, v, 100)).isNull();
        assertThat(v.tag()).isEqualTo(100);
        Refusal taken = f.engine.vapTags.connect(p, vap(11), 100);
        assertThat(taken).isNotNull();
        assertThat(taken.code()).isEqualTo(5);
        assertThat(taken.detail()).isEqualTo(ReasonDetail.TAG.wire()).isEqualTo(2);
        Refusal outside = f.engine.vapTags.connect(p, vap(12), 4095);
        assertThat(outside).isNotNull();
        assertThat(outside.code()).isEqualTo(5);
        assertThat(f.engine.tagsHeldBy(0, p.station)).isEqualTo(1);
    }

    @Test
    @DisplayName("SEC-5: past its tag quota an end device is refused (reason 2, detail LIMIT), checked before anything is "
            + "reserved; another end device on the port is not affected")
    void quota() {
        PartsFixture g = new PartsFixture(NnveConfig.simple("n", 1)
                .withLimits(NnveConfig.Limits.DEFAULT.withTags(1, 10)));
        Peer a = g.peer(0, 0x02_00_00_00_00_0AL);
        Peer b = g.peer(0, 0x02_00_00_00_00_0BL);
        Scope s = g.engine.scopeOfPort[0];
        assertThat(g.engine.vapTags.connect(a, new Vap(s, Vn.trusted(new VnKey.Id(1), 1)), 0)).isNull();
        int free = s.tags.free();
        Refusal r = g.engine.vapTags.connect(a, new Vap(s, Vn.trusted(new VnKey.Id(2), 2)), 0);
        assertThat(r).isNotNull();
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.detail()).isEqualTo(ReasonDetail.LIMIT.wire()).isEqualTo(3);
        assertThat(s.tags.free()).isEqualTo(free);
        assertThat(g.engine.vapTags.connect(b, new Vap(s, Vn.trusted(new VnKey.Id(3), 3)), 0)).isNull();
        assertThat(g.engine.tagsHeldBy(0, a.station)).isEqualTo(1);
        assertThat(g.engine.tagsHeldBy(0, b.station)).isEqualTo(1);
    }
}
