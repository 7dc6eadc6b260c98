package org.splitnve.nnve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.wire.MacAddress;

/** The TSI state machine part alone: each SM-TSI transition and the effects it emits, in order. */
class TsiStateMachineTest {

    private final PartsFixture f = new PartsFixture(NnveConfig.simple("n", 2));
    private final Peer p = f.peer(0, 0x02_00_00_00_00_0AL);
    private final Vap vap = f.vap(p, 10);
    private final TsiStateMachine tsm = f.engine.tsm;

    @Test
    @DisplayName("SM-TSI-1, SM-TSI-2: Associate (Init to Associated) provisions the tag, creates the ACL not allowing, "
            + "reports mapping entries")
    void associate() {
        Tsi t = f.tsi(p, vap, 1, 0x02_00_00_00_10_01L);
        f.effects.clear();
        tsm.transition(t, TsiState.ASSOCIATED, "test");
        Effect.Instance i = t.instance();
        assertThat(f.effects).containsExactly(
                new Effect.TagProvision(0, vap.vn.key(), vap.tag(), true),
                new Effect.Acl(i, t.addresses, vap.tag(), Effect.AclState.CREATED_DISABLED),
                new Effect.NvaEntries(i, t.addresses, Effect.EntryState.MAPPING));
        assertThat(t.state()).isEqualTo(TsiState.ASSOCIATED);
        assertThat(f.engine.tsisIn(TsiState.ASSOCIATED)).isEqualTo(1);
        assertThat(vap.tsiAssociated()).isEqualTo(1);
    }

    @Test
    @DisplayName("SM-TSI-3, SM-TSI-4: Activate gives forwarding entries and enables the ACL; Deactivate gives mapping "
            + "entries back and disables it, the tag staying provisioned")
    void activateDeactivate() {
        Tsi t = f.tsi(p, vap, 1, 0x02_00_00_00_10_01L);
        tsm.transition(t, TsiState.ASSOCIATED, "test");
        f.effects.clear();
        tsm.transition(t, TsiState.ACTIVATED, "test");
        Effect.Instance i = t.instance();
        assertThat(f.effects).containsExactly(
                new Effect.NvaEntries(i, t.addresses, Effect.EntryState.FORWARDING),
                new Effect.Acl(i, t.addresses, vap.tag(), Effect.AclState.ENABLED));
        assertThat(f.engine.tsisIn(TsiState.ACTIVATED)).isEqualTo(1);
        assertThat(f.engine.tsisIn(TsiState.ASSOCIATED)).isZero();
        f.effects.clear();
        tsm.transition(t, TsiState.ASSOCIATED, "test");
        assertThat(f.effects).containsExactly(
                new Effect.NvaEntries(i, t.addresses, Effect.EntryState.MAPPING),
                new Effect.Acl(i, t.addresses, vap.tag(), Effect.AclState.DISABLED));
        assertThat(vap.tsiAssociated()).isEqualTo(1);
    }

    @Test
    @DisplayName("SM-TSI-1: Activate from Init reserves, creates the ACL, then forwards: one call, no Associated step")
    void activateFromInit() {
        Tsi t = f.tsi(p, vap, 1, 0x02_00_00_00_10_01L);
        f.effects.clear();
        tsm.transition(t, TsiState.ACTIVATED, "test");
        Effect.Instance i = t.instance();
        assertThat(f.effects).containsExactly(
                new Effect.TagProvision(0, vap.vn.key(), vap.tag(), true),
                new Effect.Acl(i, t.addresses, vap.tag(), Effect.AclState.CREATED_DISABLED),
                new Effect.NvaEntries(i, t.addresses, Effect.EntryState.FORWARDING),
                new Effect.Acl(i, t.addresses, vap.tag(), Effect.AclState.ENABLED));
    }

    @Test
    @DisplayName("SM-TSI-5, SM-VAP-3: De-Associate removes the entries and the ACL, clears the tag from the port only "
            + "with the VN's last TSI there, and the VAP with its last TSI returns its tag to the pool")
    void deassociate() {
        Tsi a = f.tsi(p, vap, 1, 0x02_00_00_00_10_01L);
        Tsi b = f.tsi(p, vap, 2, 0x02_00_00_00_10_02L);
        tsm.transition(a, TsiState.ACTIVATED, "test");
        tsm.transition(b, TsiState.ASSOCIATED, "test");
        int tag = vap.tag();
        f.effects.clear();
        tsm.release(a, "test");
        assertThat(f.effects).containsExactly(
                new Effect.NvaRemove(a.instance()),
                new Effect.Acl(a.instance(), a.addresses, tag, Effect.AclState.REMOVED));
        assertThat(f.engine.instances(a.id())).isEmpty();
        assertThat(p.tsiCount()).isEqualTo(1);
        f.effects.clear();
        tsm.release(b, "test");
        assertThat(f.effects).containsExactly(
                new Effect.NvaRemove(b.instance()),
                new Effect.Acl(b.instance(), b.addresses, tag, Effect.AclState.REMOVED),
                new Effect.TagProvision(0, vap.vn.key(), tag, false),
                new Effect.NvaVnTag(vap.vn.key(), vap.vn.vni(), vap.scope(), -1));
        assertThat(vap.state()).isEqualTo(Vap.State.VN_DISCONNECTED);
        assertThat(f.engine.vaps()).isEmpty();
        assertThat(f.engine.tagsHeldBy(0, p.station)).isZero();
        assertThat(f.engine.tsisIn(TsiState.ASSOCIATED) + f.engine.tsisIn(TsiState.ACTIVATED)).isZero();
    }

    @Test
    @DisplayName("SM-TSI-7, REL-4: a second instance on another port of the scope waits without the entries; "
            + "activated with a migration hint it takes them over by a move, and its old instance's release "
            + "removes nothing")
    void moveWithinScope() {
        PartsFixture g = new PartsFixture(NnveConfig.simple("n", 2).withPorts(List.of(
                NnveConfig.PortConfig.of("lag"), NnveConfig.PortConfig.of("lag"))));
        Peer p0 = g.peer(0, 0x02_00_00_00_00_0AL);
        Peer p1 = g.peer(1, 0x02_00_00_00_00_0BL);
        Vap v = g.vap(p0, 10);
        assertThat(g.vap(p1, 10)).isSameAs(v);
        Tsi old = g.tsi(p0, v, 1, 0x02_00_00_00_10_01L);
        g.engine.tsm.transition(old, TsiState.ACTIVATED, "test");
        Tsi moving = g.tsi(p1, v, 1, 0x02_00_00_00_10_01L);
        g.effects.clear();
        g.engine.tsm.transition(moving, TsiState.ACTIVATED, "test");
        assertThat(g.effectsOf(Effect.NvaEntries.class)).isEmpty(); // no hint: the NVA keeps the old instance
        assertThat(g.engine.instances(old.id())).containsExactlyInAnyOrder(old, moving);
        g.engine.tsm.transition(moving, TsiState.ASSOCIATED, "test");
        moving.arrivalHinted = true;
        g.effects.clear();
        g.engine.tsm.transition(moving, TsiState.ACTIVATED, "test");
        assertThat(g.effectsOf(Effect.NvaMove.class)).containsExactly(
                new Effect.NvaMove(old.instance(), moving.instance()));
        assertThat(moving.ownsNva).isTrue();
        assertThat(old.ownsNva).isFalse();
        g.effects.clear();
        g.engine.tsm.release(old, "test");
        assertThat(g.effectsOf(Effect.NvaRemove.class)).isEmpty();
        assertThat(g.effectsOf(Effect.NvaMove.class)).isEmpty();
    }

    @Test
    @DisplayName("DP-5, LC-MIGRATE: the data plane's first frame of a migration's destination (associated by ARRIVAL, "
            + "the only instance here: the source is behind another nNVE) makes its NVA entries forward at once, as a "
            + "migration's, ahead of the activation; logged; a TSI not arriving, or on another port, changes nothing")
    void firstFrameForwardsTheDestination() {
        Tsi dest = f.tsi(p, vap, 1, 0x02_00_00_00_10_01L);
        dest.arrival = java.util.UUID.fromString("0000d905-0000-4000-8000-000000000005");
        tsm.transition(dest, TsiState.ASSOCIATED, "test");
        Tsi other = f.tsi(p, vap, 2, 0x02_00_00_00_10_02L);
        tsm.transition(other, TsiState.ASSOCIATED, "test");
        f.effects.clear();
        f.events.clear();
        assertThat(f.engine.firstFrame(other.id(), 0)).as("not a migration's destination").isFalse();
        assertThat(f.engine.firstFrame(dest.id(), 1)).as("not on that port").isFalse();
        assertThat(f.effects).isEmpty();
        assertThat(f.engine.firstFrame(dest.id(), 0)).isTrue();
        assertThat(f.effects).containsExactly(new Effect.NvaEntries(dest.instance(), dest.addresses,
                Effect.EntryState.FORWARDING, true));
        assertThat(dest.state()).as("VDP's state is the tNVE's to change").isEqualTo(TsiState.ASSOCIATED);
        assertThat(f.events).singleElement().isInstanceOfSatisfying(NnveEvent.FirstFrame.class,
                e -> assertThat(e.tsi()).isEqualTo(dest.id().toString()));
    }

    @Test
    @DisplayName("LC-MIGRATE, DP-5: an instance associated before and associated again with the ARRIVAL indication"
            + " becomes a migration's destination without a change of state; tsi.migration_announced says so (the data"
            + " plane's model follows the TSIs events name); announced again, it says nothing more")
    void migrationAnnounced() {
        Tsi t = f.tsi(p, vap, 1, 0x02_00_00_00_10_01L);
        tsm.transition(t, TsiState.ASSOCIATED, "test");
        f.events.clear();
        java.util.UUID m = java.util.UUID.fromString("0000d905-0000-4000-8000-000000000006");
        org.splitnve.wire.vdp.VsiTlv req = new org.splitnve.wire.vdp.VsiTlv(org.splitnve.wire.vdp.VsiMode.PRE_ASSOCIATE_RR,
                org.splitnve.wire.vdp.VsiStatus.Request.PLAIN, 5, 1, t.id(), t.filter(),
                List.of(org.splitnve.wire.vdp.MigrationTlv.arrival(m)));
        assertThat(t.arriving()).isFalse();
        f.engine.requests.noteMigration(t, req);
        assertThat(t.arriving()).isTrue();
        assertThat(t.state()).isEqualTo(TsiState.ASSOCIATED);
        assertThat(f.events).singleElement().isInstanceOfSatisfying(NnveEvent.MigrationAnnounced.class, e -> {
            assertThat(e.tsi()).isEqualTo(t.id());
            assertThat(e.port()).isZero();
            assertThat(e.migrationId()).isEqualTo(m.toString());
        });
        f.events.clear();
        f.engine.requests.noteMigration(t, req);
        assertThat(f.events).isEmpty();
    }

    @Test
    @DisplayName("DP-5, SM-TSI-7: the first frame of a destination on another port of this nNVE leaves the NVA entries "
            + "with the source instance until the commit (no departure announced, another port scope)")
    void firstFrameLeavesALocalSourceItsEntries() {
        Peer p1 = f.peer(1, 0x02_00_00_00_00_0BL);
        Vap v1 = f.vap(p1, 10);
        Tsi source = f.tsi(p, vap, 1, 0x02_00_00_00_10_01L);
        tsm.transition(source, TsiState.ACTIVATED, "test");
        Tsi dest = f.tsi(p1, v1, 1, 0x02_00_00_00_10_01L);
        dest.arrival = java.util.UUID.fromString("0000d905-0000-4000-8000-000000000005");
        tsm.transition(dest, TsiState.ASSOCIATED, "test");
        f.effects.clear();
        assertThat(f.engine.firstFrame(dest.id(), 1)).isFalse();
        assertThat(f.effectsOf(Effect.NvaMove.class)).isEmpty();
        assertThat(f.effectsOf(Effect.NvaEntries.class)).isEmpty();
        assertThat(source.ownsNva).isTrue();
    }

    @Test
    @DisplayName("the peer's session digest (what the tNVE compares, docs/protocol.md 5.2) is the XOR of its instances' (TSI, state) digests, zero with none left")
    void digest() {
        Tsi a = f.tsi(p, vap, 1, 0x02_00_00_00_10_01L);
        Tsi b = f.tsi(p, vap, 2, 0x02_00_00_00_10_02L);
        tsm.transition(a, TsiState.ACTIVATED, "test");
        tsm.transition(b, TsiState.ASSOCIATED, "test");
        assertThat(p.digest).isEqualTo(org.splitnve.protocol.SessionIdentity.tsiDigest(a.id(),
                org.splitnve.protocol.SessionIdentity.ACTIVATED)
                ^ org.splitnve.protocol.SessionIdentity.tsiDigest(b.id(), org.splitnve.protocol.SessionIdentity.ASSOCIATED));
        tsm.release(a, "test");
        tsm.release(b, "test");
        assertThat(p.digest).isZero();
    }

    @Test
    @DisplayName("OPS-6: a MAC another TSI of the VN holds is refused (reason 5, detail DUPLICATE_MAC), free again once "
            + "that TSI is released")
    void duplicateMac() {
        Tsi a = f.tsi(p, vap, 1, 0x02_00_00_00_10_01L);
        tsm.transition(a, TsiState.ASSOCIATED, "test");
        Tsi other = f.tsi(p, vap, 2, 0x02_00_00_00_10_09L);
        Refusal r = tsm.duplicateMac(other.id, vap.vn.key(), a.addresses);
        assertThat(r).isNotNull();
        assertThat(r.code()).isEqualTo(5);
        assertThat(r.detail()).isEqualTo(ReasonDetail.DUPLICATE_MAC.wire()).isEqualTo(7);
        tsm.release(a, "test");
        assertThat(tsm.duplicateMac(other.id, vap.vn.key(), a.addresses)).isNull();
    }

    @Test
    @DisplayName("Issue 13: the MAC index's keys (a MAC in a VN) for 100,000 TSIs with sequential MACs over 64 VNs use as"
            + " many buckets of a 2^17 table as random keys would (about 69,000; the record's 31 * vn + mac: 6,500, so"
            + " chains of 15 that HashMap made trees of, the largest part of a restore at 100,000 TSIs)")
    void macKeysSpread() {
        java.util.BitSet used = new java.util.BitSet();
        for (int i = 0; i < 100_000; i++) {
            int h = new TsiStateMachine.MacInVn(new VnKey.Id(5000 + i % 64), new MacAddress(0x5254_0000_0000L + i))
                    .hashCode();
            used.set((h ^ (h >>> 16)) & ((1 << 17) - 1));
        }
        assertThat(used.cardinality()).isGreaterThan(65_000);
    }
}
