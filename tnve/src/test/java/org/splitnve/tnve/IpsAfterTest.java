package org.splitnve.tnve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.tnve.TnveEngine.TsiState;
import org.splitnve.wire.vdp.CapabilityTlv.Feature;
import org.splitnve.wire.vdp.DeactivateTlv;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.TsiAddressTlv;
import org.splitnve.wire.vdp.VsiMode;

/** OPS-1: the addresses the nNVE holds for a TSI once a request succeeds ({@link Requests#ipsAfter}). */
class IpsAfterTest {
    private static final List<TsiAddress> IPS = Parts.ips(4);

    private static Link link(TsiState confirmed, List<TsiAddress> acked) {
        Parts t = new Parts(EnumSet.allOf(Feature.class));
        Link l = t.link(Parts.tsi(1, IPS));
        l.confirmed = confirmed;
        l.ackedIps = acked;
        return l;
    }

    private static List<TsiAddressTlv> change(TsiAddressTlv.Operation op, List<TsiAddress> addresses) {
        return TsiAddressTlv.split(op, 7, addresses, Requests.FRAGMENT_BUDGET);
    }

    @Test
    @DisplayName("OPS-1: after a De-Associate the nNVE holds no address of the TSI")
    void deAssociate() {
        assertThat(Requests.ipsAfter(link(TsiState.ACTIVATED, IPS), VsiMode.DE_ASSOCIATE, List.of(), List.of()))
                .isEmpty();
    }

    @Test
    @DisplayName("OPS-1: an association without addresses (a standard peer's) leaves none; a request without "
            + "addresses of a TSI already held leaves them as they are (null)")
    void noFragments() {
        assertThat(Requests.ipsAfter(link(TsiState.INIT, List.of()), VsiMode.PRE_ASSOCIATE_RR, List.of(), List.of()))
                .isEmpty();
        assertThat(Requests.ipsAfter(link(TsiState.ASSOCIATED, IPS), VsiMode.ASSOCIATE, List.of(), List.of())).isNull();
    }

    @Test
    @DisplayName("OPS-1, REQ-10: ADD and REMOVE apply to what the nNVE acknowledged, not to what was asked before")
    void addAndRemoveApplyToTheAcknowledged() {
        List<TsiAddress> acked = IPS.subList(0, 2);
        Link l = link(TsiState.ACTIVATED, acked);
        assertThat(Requests.ipsAfter(l, VsiMode.ASSOCIATE, change(TsiAddressTlv.Operation.ADD, IPS.subList(1, 4)),
                List.of())).containsExactlyElementsOf(IPS);
        assertThat(Requests.ipsAfter(l, VsiMode.ASSOCIATE, change(TsiAddressTlv.Operation.REMOVE, IPS.subList(0, 1)),
                List.of())).containsExactly(IPS.get(1));
    }

    @Test
    @DisplayName("OPS-1, REQ-10: REPLACE holds the named addresses once each; on a TSI at INIT nothing earlier counts")
    void replace() {
        List<TsiAddress> twice = List.of(IPS.get(3), IPS.get(2), IPS.get(3));
        assertThat(Requests.ipsAfter(link(TsiState.ACTIVATED, IPS), VsiMode.ASSOCIATE,
                change(TsiAddressTlv.Operation.REPLACE, twice), List.of())).containsExactly(IPS.get(3), IPS.get(2));
        assertThat(Requests.ipsAfter(link(TsiState.INIT, IPS), VsiMode.PRE_ASSOCIATE_RR,
                change(TsiAddressTlv.Operation.ADD, IPS.subList(0, 1)), List.of())).containsExactly(IPS.getFirst());
    }

    @Test
    @DisplayName("REQ-8, OPS-1: a partial (de)activation names addresses to switch, not the TSI's: they stay as they are")
    void partialDeactivation() {
        List<OrgTlv> ext = List.of(new DeactivateTlv(true, DeactivateTlv.Cause.ADMINISTRATIVE));
        assertThat(Requests.ipsAfter(link(TsiState.ACTIVATED, IPS), VsiMode.PRE_ASSOCIATE_RR,
                change(TsiAddressTlv.Operation.REPLACE, IPS.subList(0, 1)), ext)).isNull();
    }
}
