package org.splitnve.nva.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.nva.service.NvaFixture.A;
import static org.splitnve.nva.service.NvaFixture.B;
import static org.splitnve.nva.service.NvaFixture.VN;
import static org.splitnve.nva.service.NvaFixture.active;
import static org.splitnve.nva.service.NvaFixture.at;
import static org.splitnve.nva.service.NvaFixture.mac;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.nva.LocalTag;
import org.splitnve.nva.NveId;
import org.splitnve.nva.Refusal;

/** NVA-7: the NVA authenticates each nNVE, and an nNVE changes only its own entries. */
class OwnershipTest {

    @Test
    @DisplayName("NVA-7: an nNVE's report naming another nNVE's instance or tag is refused operation by operation "
            + "(bind, unbind, port move, tag record and release), and changes nothing of the other's")
    void onlyOwnEntries() {
        NvaFixture f = new NvaFixture();
        f.one(A, active(A, 1, 0));
        LocalTag tagA = new LocalTag(A, 0, 100, VN);
        f.one(A, new ReportOp.RecordTag(tagA));
        var before = f.nva.list(Interest.operator());

        Receipt r = f.report(B,
                ReportOp.Bind.associated(at(A, 1), List.of(mac(1)), 7),
                new ReportOp.Unbind(at(A, 1)),
                new ReportOp.MovePort(at(A, 1), 2),
                new ReportOp.ReleaseTag(tagA),
                new ReportOp.RecordTag(new LocalTag(A, 0, 101, VN)),
                active(B, 2, 0));
        assertThat(r.results().subList(0, 5)).allSatisfy(x -> {
            assertThat(x.refusal()).isEqualTo(Refusal.NOT_OWNER);
            assertThat(x.detail()).contains("belongs to nnve-a");
        });
        assertThat(r.results().get(5).changed()).isTrue(); // its own entry
        var after = f.nva.list(Interest.operator()).resources();
        assertThat(after).containsAll(before.resources());
        assertThat(after).hasSize(before.resources().size() + 1);
        assertThat(f.events.of(ServiceEvent.Refused.class)).hasSize(5);
    }

    @Test
    @DisplayName("NVA-7: an nNVE that is not in the NVE registry, or does not serve the VN, changes nothing")
    void registeredAndServing() {
        NvaFixture f = new NvaFixture();
        NveId stranger = NveId.of("stranger");
        assertThat(f.one(stranger, ReportOp.Bind.activated(new org.splitnve.nva.TsiInstance(NvaFixture.vsi(1),
                stranger, 1, VN), List.of(mac(1)), 0)).refusal()).isEqualTo(Refusal.UNKNOWN_NVE);
        assertThat(f.one(stranger, new ReportOp.Serve(Set.of(VN))).refusal()).isEqualTo(Refusal.UNKNOWN_NVE);
        var red = new org.splitnve.nva.TsiInstance(NvaFixture.vsi(1), A, 1, NvaFixture.VN2);
        assertThat(f.one(A, ReportOp.Bind.activated(red, List.of(mac(1)), 0)).refusal())
                .isEqualTo(Refusal.VN_NOT_SERVED);
    }

    @Test
    @DisplayName("NVA-7: the NVA authenticates an nNVE by its token, keeps only the token's SHA-256, and never "
            + "lists nor sends credentials, not even to the operator's watch")
    void authentication() {
        NvaFixture f = new NvaFixture();
        long rev = f.nva.revision();
        Watch w = f.nva.watch(Interest.operator(), f.nva.historyId(), rev);
        NvaFixture.ok(f.nva.setCredential(A, "a-token-of-32-characters-or-so!!"));
        assertThat(f.nva.authenticate(A, "a-token-of-32-characters-or-so!!")).isTrue();
        assertThat(f.nva.authenticate(A, "a-token-of-32-characters-or-so!?")).isFalse();
        assertThat(f.nva.authenticate(B, "a-token-of-32-characters-or-so!!")).isFalse();
        assertThat(f.nva.authenticate(A, null)).isFalse();
        assertThat(f.nva.list(Interest.operator()).resources()).noneMatch(r -> r instanceof Resource.Credential);
        assertThat(f.nva.list(Interest.of(A, Set.of(VN))).resources())
                .noneMatch(r -> r instanceof Resource.Credential);
        Poll p = w.poll(Duration.ZERO);
        assertThat(((Poll.Changes) p).changes()).isEmpty();
        assertThat(((Poll.Changes) p).revision()).isEqualTo(rev + 1);
        Resource.Credential stored = (Resource.Credential) f.nva.resource(ResourceKey.credential(A)).orElseThrow();
        assertThat(stored.tokenSha256()).doesNotContain("token").hasSize(64);
        assertThat(stored.toString()).doesNotContain(stored.tokenSha256());
    }
}
