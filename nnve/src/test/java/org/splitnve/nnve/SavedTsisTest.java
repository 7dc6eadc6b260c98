package org.splitnve.nnve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.ecp.EcpOperation;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.SessionTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * REL-2: an engine restored from another's exported TSI table (through the binary form a journal keeps) answers a
 * station's keep-alive and De-Associate, and expires an unrefreshed TSI, exactly as the original engine does: the same
 * answers, the same effects, the same table.
 */
class SavedTsisTest {
    private static final FrameCodec CODEC = FrameCodec.DEFAULT;
    private static final MacAddress S1 = new MacAddress(0x02_00_00_00_00_0AL);
    private static final MacAddress S2 = new MacAddress(0x02_00_00_00_00_0BL);
    private static final int GROUP = 5000;

    private final PartsFixture a = new PartsFixture(NnveConfig.simple("n", 2));
    private final Map<MacAddress, Integer> seq = new LinkedHashMap<>();

    private static VsiId vsi(int n) {
        return VsiId.uuid(new java.util.UUID(0x5157L, n));
    }

    private static MacAddress vmMac(int n) {
        return new MacAddress(0x52_54_00_00_10_00L + n);
    }

    private byte[] request(MacAddress station, VsiMode mode, int n) {
        VsiTlv t = new VsiTlv(mode, VsiStatus.Request.PLAIN, 5, 1, vsi(n),
                Filter.of(FilterFormat.GROUP_MAC_VID, FilterEntry.groupMacVid(GROUP, vmMac(n), 0)));
        int s = seq.merge(station, 1, Integer::sum);
        return CODEC.encode(new Frame.Vdp(new EthernetHeader(MacAddress.NEAREST_CUSTOMER_BRIDGE, station,
                EcpHeader.ETHERTYPE), EcpHeader.request(s), new VdpPdu(ManagerId.ofText("blade"), List.of(),
                List.of(t), null)), true);
    }

    /**
     * Hands the frame to the engine as a station on {@code port} sends it, acknowledges what the engine sends back
     * (as a station does), and returns the VDP items the engine sent, in order.
     */
    private static List<VdpItem> exchange(PartsFixture f, int port, byte[] frame) throws DecodeException {
        f.sent.clear();
        f.engine.onFrame(port, frame, 0, frame.length);
        return settle(f);
    }

    /**
     * Acknowledges what the engine sent and runs its timers due within 50 ms (ECP paces its frames) until it has
     * nothing more to send: the answers a station gets for what it sent.
     */
    private static List<VdpItem> settle(PartsFixture f) throws DecodeException {
        List<VdpItem> items = new ArrayList<>(acknowledge(f));
        for (int i = 0; i < 100; i++) {
            long next = f.engine.nextDeadline();
            if (next - f.clock.nanos() > 50_000_000L) {
                break;
            }
            f.clock.set(Math.max(next, f.clock.nanos()));
            f.engine.onTimer();
            items.addAll(acknowledge(f));
        }
        return items;
    }

    /** Both engines' clocks at the later of the two. */
    private static void align(PartsFixture a, PartsFixture b) {
        long t = Math.max(a.clock.nanos(), b.clock.nanos());
        a.clock.set(t);
        b.clock.set(t);
    }

    private static List<VdpItem> acknowledge(PartsFixture f) throws DecodeException {
        List<VdpItem> items = new ArrayList<>();
        for (int round = 0; round < 8 && !f.sent.isEmpty(); round++) {
            List<PartsFixture.Sent> out = List.copyOf(f.sent);
            f.sent.clear();
            for (PartsFixture.Sent s : out) {
                byte[] b = s.frame().toArray();
                if (CODEC.decode(b) instanceof Frame.Vdp v && v.ecp().operation() == EcpOperation.REQUEST) {
                    items.addAll(v.vdp().items());
                    if (!v.ethernet().destination().isMulticast()) {
                        byte[] ack = CODEC.encode(new Frame.Vdp(new EthernetHeader(v.ethernet().source(),
                                v.ethernet().destination(), EcpHeader.ETHERTYPE), new EcpHeader(EcpOperation.ACK,
                                EcpHeader.SUBTYPE_VDP, v.ecp().sequence()), VdpPdu.EMPTY), true);
                        f.engine.onFrame(s.port(), ack, 0, ack.length);
                    }
                }
            }
        }
        return items;
    }

    /** What a TSI is, engine-independently: the saved form without the time since its refresh. */
    private static List<SavedTsi> table(PartsFixture f) {
        List<SavedTsi> out = new ArrayList<>();
        for (SavedTsi s : f.engine.export()) {
            out.add(new SavedTsi(s.id(), s.port(), s.station(), s.vn(), s.tag(), s.state(), s.typeId(), s.typeVersion(),
                    s.manager(), s.filter(), s.addresses(), s.parameters(), s.held(), s.ownsNva(), s.departing(), 0,
                    s.extensions()));
        }
        out.sort(java.util.Comparator.comparing((SavedTsi s) -> s.id().toString()).thenComparing(SavedTsi::station));
        return out;
    }

    /** The export through its binary form, one entry per TSI ID, as a journal keeps it. */
    private static List<SavedTsi> throughCodec(List<SavedTsi> saved) throws SavedTsiCodec.Invalid {
        Map<VsiId, List<SavedTsi>> byId = new LinkedHashMap<>();
        saved.forEach(s -> byId.computeIfAbsent(s.id(), k -> new ArrayList<>()).add(s));
        List<SavedTsi> out = new ArrayList<>();
        for (Map.Entry<VsiId, List<SavedTsi>> e : byId.entrySet()) {
            byte[] b = SavedTsiCodec.encode(new SavedTsiCodec.Entry(e.getKey(), e.getValue()));
            out.addAll(SavedTsiCodec.decode(b, 0, b.length).instances());
        }
        return out;
    }

    @Test
    @DisplayName("REL-2: a restored engine has the original's table (states, tags, filters, NVA ownership, peer digests) "
            + "and answers a keep-alive and a De-Associate with the same answers and effects as the original; an unrefreshed "
            + "TSI counts as refreshed at the restart and expires one whole keep-alive timeout after it")
    void restoredAnswersAsTheOriginal() throws Exception {
        // the original: two stations, an activated and an associated TSI behind S1, one activated behind S2
        exchange(a, 0, request(S1, VsiMode.ASSOCIATE, 1));
        exchange(a, 0, request(S1, VsiMode.PRE_ASSOCIATE_RR, 2));
        a.clock.advance(50_000_000L);
        exchange(a, 1, request(S2, VsiMode.ASSOCIATE, 3));
        a.clock.advance(100_000_000L);
        assertThat(a.engine.tsis()).hasSize(3);

        List<SavedTsi> saved = throughCodec(a.engine.export());
        assertThat(saved).hasSize(3);

        PartsFixture b = new PartsFixture(NnveConfig.simple("n", 2));
        align(a, b);
        b.effects.clear();
        assertThat(b.engine.restore(saved)).isEqualTo(3);
        assertThat(table(b)).isEqualTo(table(a));
        for (Peer p : a.engine.peers()) {
            Peer q = b.engine.peers.get(EnginePart.key(p.port, p.station));
            assertThat(q.tsiCount).isEqualTo(p.tsiCount);
            assertThat(q.digest).as("the session digest of %s", p.station).isEqualTo(p.digest);
        }
        long restoredAt = b.clock.nanos();
        for (Tsi t : a.engine.tsis()) {
            assertThat(b.engine.instances(t.id).getFirst().refreshedAt)
                    .as("%s counts as refreshed at the restart (its end device could not refresh it meanwhile)", t.id)
                    .isEqualTo(restoredAt);
        }
        assertThat(b.engine.tsisIn(TsiState.ACTIVATED)).isEqualTo(2);
        assertThat(b.engine.tsisIn(TsiState.ASSOCIATED)).isEqualTo(1);
        assertThat(b.engine.vap(0, new VnKey.Id(GROUP)).tag()).isEqualTo(a.engine.vap(0, new VnKey.Id(GROUP)).tag());
        assertThat(b.effectsOf(Effect.NvaEntries.class)).as("the NVA learns the entries again").hasSize(3);
        assertThat(b.events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(NnveEvent.TsiState.class,
                s -> assertThat(s.cause()).isEqualTo("restored")));

        // a keep-alive of TSI 1: the same answer
        byte[] keepAlive = request(S1, VsiMode.ASSOCIATE, 1);
        List<VdpItem> fromA = exchange(a, 0, keepAlive);
        List<VdpItem> fromB = exchange(b, 0, keepAlive);
        align(a, b);
        assertThat(fromA).singleElement().satisfies(i -> assertThat(((VsiTlv) i).status())
                .isEqualTo(VsiStatus.Response.SUCCESS));
        assertThat(fromB).isEqualTo(fromA);

        // a De-Associate of TSI 3: the same answer, the same effects, the same table after
        a.effects.clear();
        b.effects.clear();
        byte[] deassociate = request(S2, VsiMode.DE_ASSOCIATE, 3);
        fromA = exchange(a, 1, deassociate);
        fromB = exchange(b, 1, deassociate);
        align(a, b);
        assertThat(fromA).hasSize(1);
        assertThat(fromB).isEqualTo(fromA);
        assertThat(b.effects).isEqualTo(a.effects).isNotEmpty();
        assertThat(table(b)).isEqualTo(table(a)).hasSize(2);

        // TSI 2 was not refreshed since before the export: the original expires it at its deadline; the restored
        // engine gives it (a standard station's) its response timeout and one keep-alive timeout from the restart, then
        // expires it the same way
        Tsi two = a.engine.instances(vsi(2)).getFirst();
        long timeout = two.peer.ecp.timers().bridgeKeepAliveTimeoutNanos();
        long deadline = two.refreshedAt + timeout;
        assertThat(deadline).isGreaterThan(a.clock.nanos()).isLessThan(restoredAt + timeout);
        a.clock.set(deadline);
        a.engine.onTimer();
        settle(a);
        assertThat(table(a)).extracting(SavedTsi::id).containsExactly(vsi(1));
        long wait = two.peer.ecp.timers().responseTimeoutNanos();
        b.clock.set(restoredAt + wait + timeout - 1);
        b.effects.clear();
        b.engine.onTimer();
        assertThat(table(b)).as("not expired before its response timeout and a keep-alive timeout from the restart")
                .extracting(SavedTsi::id).contains(vsi(2));
        b.clock.set(restoredAt + wait + 2 * timeout);
        b.engine.onTimer();
        assertThat(settle(b)).isNotEmpty();
        assertThat(b.effects).isNotEmpty();
        assertThat(table(b)).extracting(SavedTsi::id).doesNotContain(vsi(2));
    }

    @Test
    @DisplayName("REL-2: a restored standard station's TSIs are kept through its response timeout (lldpad asks again only"
            + " then when its ECP gave up on a keep-alive sent while the nNVE was away), then step down one keep-alive"
            + " timeout after their last refresh")
    void standardStationKeptThroughItsResponseTimeout() throws Exception {
        org.splitnve.protocol.Timers timers = new org.splitnve.protocol.Timers(3, 8, 20, 16);
        PartsFixture x = new PartsFixture(NnveConfig.simple("n", 2).withTimers(timers));
        exchange(x, 0, request(S1, VsiMode.ASSOCIATE, 1));
        PartsFixture y = new PartsFixture(NnveConfig.simple("n", 2).withTimers(timers));
        align(x, y);
        assertThat(y.engine.restore(throughCodec(x.engine.export()))).isEqualTo(1);
        assertThat(y.engine.export()).allSatisfy(t -> assertThat(t.extensions()).as("a standard station").isFalse());
        long restoredAt = y.clock.nanos();
        long timeout = timers.bridgeKeepAliveTimeoutNanos();
        long wait = timers.responseTimeoutNanos();
        assertThat(wait).as("lldpad's response timeout against the bridge's keep-alive timeout").isGreaterThan(10 * timeout);
        y.clock.set(restoredAt + 5 * timeout);
        y.engine.onTimer();
        settle(y);
        assertThat(y.engine.tsisIn(TsiState.ACTIVATED)).as("five keep-alive timeouts after the restart").isEqualTo(1);
        y.clock.set(restoredAt + wait + timeout / 2);
        y.engine.onTimer();
        settle(y);
        assertThat(y.engine.tsisIn(TsiState.ACTIVATED)).as("its response timeout and half a keep-alive timeout after: a"
                + " station late by less than a keep-alive timeout (lldpad under load, 0.24 s) is kept").isEqualTo(1);
        y.clock.set(restoredAt + wait + 2 * timeout + 1);
        y.engine.onTimer();
        settle(y);
        assertThat(y.engine.tsisIn(TsiState.ACTIVATED)).as("a keep-alive timeout after that slack").isZero();
    }

    /** Trusts everything, but is ready only when {@code ready[0]} is (an NVA's replica before its first list: not). */
    private static Authority readyWhen(boolean[] ready) {
        Authority all = Authority.trustAll();
        return new Authority() {
            @Override
            public Decision authoriseEndDevice(int port, MacAddress station) {
                return ready[0] ? all.authoriseEndDevice(port, station)
                        : Decision.refuse(4, "the end device is not authorised to use this nNVE (nothing loaded yet)");
            }

            @Override
            public VnResolution resolveVn(ManagerId manager, int typeId, int typeVersion, long groupId,
                    java.util.UUID vnName, int vid) {
                return all.resolveVn(manager, typeId, typeVersion, groupId, vnName, vid);
            }

            @Override
            public TsiGrant authoriseTsi(int port, MacAddress station, VsiId tsi, Vn vn, List<TsiAddress> requested) {
                return ready[0] ? all.authoriseTsi(port, station, tsi, vn, requested)
                        : TsiGrant.refuse(4, "the end device is not authorised to use this nNVE (nothing loaded yet)");
            }

            @Override
            public boolean ready() {
                return ready[0];
            }
        };
    }

    @Test
    @DisplayName("REL-2, REL-7: a request that comes while the authority is not ready (an NVA's replica before its first"
            + " list, just after a restart: it would refuse every end device) is held, not refused, and answered once the"
            + " authority is ready; held no longer than HOLD_NANOS, then taken as it is")
    void requestsHeldUntilTheAuthorityIsReady() throws Exception {
        boolean[] ready = {false};
        PartsFixture f = new PartsFixture(NnveConfig.simple("n", 2), readyWhen(ready));
        assertThat(exchange(f, 0, request(S1, VsiMode.ASSOCIATE, 1))).as("answers while not ready").isEmpty();
        ready[0] = true;
        f.clock.advance(10_000_000L);
        f.engine.onTimer();
        assertThat(settle(f)).as("answers once ready").singleElement().satisfies(i -> assertThat(((VsiTlv) i).status())
                .isEqualTo(VsiStatus.Response.SUCCESS));
        assertThat(f.engine.tsisIn(TsiState.ACTIVATED)).isEqualTo(1);
        assertThat(f.events).anySatisfy(e -> assertThat(e).isInstanceOf(NnveEvent.Held.class));

        boolean[] never = {false};
        PartsFixture g = new PartsFixture(NnveConfig.simple("n", 2), readyWhen(never));
        long t0 = g.clock.nanos();
        byte[] frame = request(S1, VsiMode.ASSOCIATE, 1);
        g.engine.onFrame(0, frame, 0, frame.length);
        g.clock.set(t0 + NnveEngine.HOLD_NANOS - 1);
        g.engine.onTimer();
        assertThat(g.events).as("held until the hold's end").noneSatisfy(e -> assertThat(e).isInstanceOf(NnveEvent.Held.class));
        g.clock.set(t0 + NnveEngine.HOLD_NANOS);
        g.engine.onTimer();
        assertThat(g.events).anySatisfy(e -> assertThat(e).isInstanceOf(NnveEvent.Held.class));
        assertThat(settle(g)).as("at the hold's end: taken as it is, refused").singleElement()
                .satisfies(i -> assertThat(((VsiTlv) i).status()).isNotEqualTo(VsiStatus.Response.SUCCESS));
    }

    @Test
    @DisplayName("REL-2 (issue 13's chaos run): a TSI restored Activated whose deactivation the journal's last batch lost"
            + " is announced Associated at the end device's resync (a plain Pre-Associate-RR): the announcement is the"
            + " truth (Activated to Associated, answered success), not refused as 'needs the deactivate extension'")
    void resyncAnnouncementOfADeactivationTheJournalLost() throws Exception {
        exchange(a, 0, request(S1, VsiMode.ASSOCIATE, 1));
        List<SavedTsi> saved = new ArrayList<>();
        for (SavedTsi t : throughCodec(a.engine.export())) {
            saved.add(new SavedTsi(t.id(), t.port(), t.station(), t.vn(), t.tag(), t.state(), t.typeId(),
                    t.typeVersion(), t.manager(), t.filter(), t.addresses(), t.parameters(), t.held(), t.ownsNva(),
                    t.departing(), t.sinceRefreshNanos(), true));
        }
        PartsFixture b = new PartsFixture(NnveConfig.simple("n", 2));
        assertThat(b.engine.restore(saved)).isEqualTo(1);
        b.engine.announceStart();
        settle(b);
        VsiTlv announce = new VsiTlv(VsiMode.PRE_ASSOCIATE_RR, VsiStatus.Request.PLAIN, 5, 1, vsi(1),
                Filter.of(FilterFormat.GROUP_MAC_VID, FilterEntry.groupMacVid(GROUP, vmMac(1), 0)));
        int s = seq.merge(S1, 1, Integer::sum);
        SessionTlv session = new SessionTlv(0, 0x5C21_9700, 0, 1, 0,
                org.splitnve.wire.Bytes.wrap(new byte[SessionTlv.NONCE_LENGTH]));
        byte[] frame = CODEC.encode(new Frame.Vdp(new EthernetHeader(MacAddress.NEAREST_CUSTOMER_BRIDGE, S1,
                EcpHeader.ETHERTYPE), EcpHeader.request(s), new VdpPdu(ManagerId.ofText("blade"), List.of(
                CapabilityTlv.of(java.util.EnumSet.allOf(CapabilityTlv.Feature.class)), session), List.of(announce),
                null)), true);
        List<VdpItem> answers = exchange(b, 0, frame);
        assertThat(answers).filteredOn(i -> i instanceof VsiTlv v && v.isResponse()).singleElement().satisfies(
                i -> assertThat(((VsiTlv) i).status()).isEqualTo(VsiStatus.Response.SUCCESS));
        assertThat(b.engine.tsisIn(TsiState.ASSOCIATED)).isEqualTo(1);
        assertThat(b.engine.tsisIn(TsiState.ACTIVATED)).isZero();
    }

    @Test
    @DisplayName("REL-2: once the restored engine runs, each restored TSI of a standard station is answered once as its"
            + " keep-alive would have been (Associate for an Activated one, Pre-Associate-RR for an Associated one, its"
            + " filter as accepted): the station may be waiting for the answer to a request it sent while the nNVE was"
            + " away")
    void standardStationsAnsweredOnceAtStart() throws Exception {
        exchange(a, 0, request(S1, VsiMode.ASSOCIATE, 1));
        exchange(a, 0, request(S1, VsiMode.PRE_ASSOCIATE_RR, 2));
        PartsFixture b = new PartsFixture(NnveConfig.simple("n", 2));
        assertThat(b.engine.restore(throughCodec(a.engine.export()))).isEqualTo(2);
        assertThat(b.engine.export()).allSatisfy(s -> assertThat(s.extensions()).isFalse());
        b.sent.clear();
        b.engine.announceStart();
        List<VdpItem> answers = settle(b);
        assertThat(answers).hasSize(2).allSatisfy(i -> assertThat(((VsiTlv) i).status())
                .isEqualTo(VsiStatus.Response.SUCCESS));
        VsiTlv one = answers.stream().map(VsiTlv.class::cast).filter(v -> v.vsiId().equals(vsi(1))).findFirst()
                .orElseThrow();
        VsiTlv two = answers.stream().map(VsiTlv.class::cast).filter(v -> v.vsiId().equals(vsi(2))).findFirst()
                .orElseThrow();
        assertThat(one.mode()).isEqualTo(VsiMode.ASSOCIATE);
        assertThat(one.filter()).isEqualTo(a.engine.instances(vsi(1)).getFirst().filter());
        assertThat(two.mode()).isEqualTo(VsiMode.PRE_ASSOCIATE_RR);
        b.sent.clear();
        b.engine.announceStart();
        assertThat(settle(b)).as("answered once only").isEmpty();
    }

    @Test
    @DisplayName("REL-2: a restored standard station's TSI not refreshed since the first answer is answered again 1, 3 and"
            + " 7 s after it (the first may not have reached lldpad's VDP, which keeps one received ECPDU for 2 ms: on a"
            + " loaded machine a later one takes its place, issue 14's stress run); one the station refreshed is not;"
            + " then no more")
    void standardStationsAnsweredAgainUntilRefreshed() throws Exception {
        exchange(a, 0, request(S1, VsiMode.ASSOCIATE, 1));
        exchange(a, 0, request(S1, VsiMode.ASSOCIATE, 2));
        PartsFixture b = new PartsFixture(NnveConfig.simple("n", 2));
        align(a, b);
        assertThat(b.engine.restore(throughCodec(a.engine.export()))).isEqualTo(2);
        b.sent.clear();
        long t0 = b.clock.nanos();
        b.engine.announceStart();
        assertThat(settle(b)).as("the first answers").hasSize(2);
        // the station refreshes TSI 1 (its keep-alive), not TSI 2 (it never had the first answer)
        b.clock.set(t0 + 500_000_000L);
        assertThat(exchange(b, 0, request(S1, VsiMode.ASSOCIATE, 1))).as("TSI 1's keep-alive answered").hasSize(1);
        for (long at : SavedTsis.ANSWER_AGAIN_NANOS) {
            b.clock.set(t0 + at);
            b.engine.onTimer();
            assertThat(settle(b)).as("the round %d ms after the first answer", at / 1_000_000).singleElement()
                    .satisfies(i -> {
                        assertThat(((VsiTlv) i).vsiId()).isEqualTo(vsi(2));
                        assertThat(((VsiTlv) i).mode()).isEqualTo(VsiMode.ASSOCIATE);
                        assertThat(((VsiTlv) i).status()).isEqualTo(VsiStatus.Response.SUCCESS);
                    });
        }
        b.clock.set(t0 + 12_000_000_000L);
        b.engine.onTimer();
        assertThat(settle(b)).as("no round after the last").isEmpty();
    }

    @Test
    @DisplayName("REL-2: restoring is for a new engine only; a saved TSI this configuration cannot hold (a port it "
            + "lacks, a tag outside the pool) is left out and logged, the others restored")
    void restoreRefusesWhatDoesNotFit() throws Exception {
        exchange(a, 0, request(S1, VsiMode.ASSOCIATE, 1));
        exchange(a, 1, request(S2, VsiMode.ASSOCIATE, 2));
        assertThatThrownBy(() -> a.engine.restore(a.engine.export())).isInstanceOf(IllegalStateException.class);

        PartsFixture one = new PartsFixture(NnveConfig.simple("n", 1));
        assertThat(one.engine.restore(a.engine.export())).isEqualTo(1);
        assertThat(one.engine.tsis()).extracting(Tsi::id).containsExactly(vsi(1));
        assertThat(one.events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(NnveEvent.Refused.class,
                r -> assertThat(r.detail()).contains("port 1 is not configured")));
    }

    @Test
    @DisplayName("REL-2: the binary form decodes what it encodes, and anything else (cut short, a bad value, octets "
            + "left over) is a typed error, never another exception")
    void codecIsTotal() throws Exception {
        exchange(a, 0, request(S1, VsiMode.ASSOCIATE, 1));
        List<SavedTsi> one = a.engine.export(vsi(1));
        byte[] b = SavedTsiCodec.encode(new SavedTsiCodec.Entry(vsi(1), one));
        assertThat(SavedTsiCodec.decode(b, 0, b.length).instances()).isEqualTo(one);
        byte[] gone = SavedTsiCodec.encode(new SavedTsiCodec.Entry(vsi(1), List.of()));
        assertThat(SavedTsiCodec.decode(gone, 0, gone.length).instances()).isEmpty();
        for (int len = 0; len < b.length; len++) {
            int l = len;
            assertThatThrownBy(() -> SavedTsiCodec.decode(b, 0, l)).isInstanceOf(SavedTsiCodec.Invalid.class);
        }
        byte[] longer = java.util.Arrays.copyOf(b, b.length + 1);
        assertThatThrownBy(() -> SavedTsiCodec.decode(longer, 0, longer.length))
                .isInstanceOf(SavedTsiCodec.Invalid.class).hasMessageContaining("after the entry");
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        for (int i = 0; i < 2000; i++) {
            byte[] x = b.clone();
            x[r.nextInt(x.length)] ^= (byte) (1 + r.nextInt(255));
            try {
                SavedTsiCodec.decode(x, 0, x.length);
            } catch (SavedTsiCodec.Invalid e) {
                // typed: fine
            }
        }
    }
}
