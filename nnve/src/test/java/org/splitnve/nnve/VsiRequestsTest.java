package org.splitnve.nnve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.TsiAddressTlv;
import org.splitnve.wire.vdp.TsiAddressTlv.Operation;
import org.splitnve.wire.vdp.VsiId;

/** The VSI request path alone: the staging of TSI address fragments until LAST, and its limits. */
class VsiRequestsTest {

    private final PartsFixture f = new PartsFixture(NnveConfig.simple("n", 1).withLimits(
            NnveConfig.Limits.DEFAULT.withFragments(2, 96 * 1024, 256, 192 * 1024, 1024 * 1024)));
    private final Peer p = f.peer(0, 0x02_00_00_00_00_0AL);
    private final VsiId id = VsiId.uuid(new java.util.UUID(1, 2));
    private final long timeout = p.ecp.timers().bridgeKeepAliveTimeoutNanos();

    private static TsiAddressTlv fragment(int transaction, int index) {
        return new TsiAddressTlv(Operation.REPLACE, transaction, index, false,
                List.of(TsiAddress.parse("10.0.0." + (index + 1))));
    }

    @Test
    @DisplayName("SEC-5: staged fragments are counted per end device and per port; the one past the change's limit "
            + "is refused (reason 2, detail LIMIT) and the whole change is given back")
    void fragmentsPerChange() {
        TsiAddressTlv a = fragment(7, 0);
        TsiAddressTlv b = fragment(7, 1);
        assertThat(f.engine.requests.stage(p, id, List.of(a), f.clock.nanos())).isNull();
        assertThat(f.engine.requests.stage(p, id, List.of(b), f.clock.nanos())).isNull();
        assertThat(p.stagedFragments).isEqualTo(2);
        assertThat(p.stagedOctets).isEqualTo(a.bodyLength() + b.bodyLength());
        assertThat(f.engine.stagedOctetsOfPort[0]).isEqualTo(a.bodyLength() + b.bodyLength());
        assertThat(f.engine.requests.stage(p, id, List.of(b), f.clock.nanos())).as("a fragment sent again").isNull();
        assertThat(p.stagedFragments).isEqualTo(2);
        Refusal r = f.engine.requests.stage(p, id, List.of(fragment(7, 2)), f.clock.nanos());
        assertThat(r).isNotNull();
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.detail()).isEqualTo(ReasonDetail.LIMIT.wire());
        assertThat(p.fragments).isEmpty();
        assertThat(p.stagedFragments).isZero();
        assertThat(p.stagedOctets).isZero();
        assertThat(f.engine.stagedOctetsOfPort[0]).isZero();
    }

    @Test
    @DisplayName("SEC-5: a new transaction replaces an unfinished one; a change whose LAST never comes is dropped "
            + "after a keep-alive timeout, not before, and its counts given back")
    void expiry() {
        f.engine.requests.stage(p, id, List.of(fragment(7, 0), fragment(7, 1)), f.clock.nanos());
        f.engine.requests.stage(p, id, List.of(fragment(8, 0)), f.clock.nanos());
        assertThat(p.fragments.get(id).transaction).isEqualTo(8);
        assertThat(p.stagedFragments).isEqualTo(1);
        f.clock.advance(timeout - 1);
        f.engine.requests.expireStaged(p, f.clock.nanos());
        assertThat(p.fragments).containsKey(id);
        f.clock.advance(1);
        f.engine.requests.expireStaged(p, f.clock.nanos());
        assertThat(p.fragments).isEmpty();
        assertThat(p.stagedFragments).isZero();
        assertThat(f.engine.stagedOctetsOfPort[0]).isZero();
        assertThat(f.events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(NnveEvent.Refused.class,
                r -> assertThat(r.detail()).contains("transaction 8 dropped")));
    }
}
