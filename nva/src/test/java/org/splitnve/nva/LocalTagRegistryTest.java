package org.splitnve.nva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.splitnve.nva.Fixtures.BLUE;
import static org.splitnve.nva.Fixtures.NVE_A;
import static org.splitnve.nva.Fixtures.NVE_B;
import static org.splitnve.nva.Fixtures.RED;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LocalTagRegistryTest {
    private final InMemoryNva nva = Fixtures.nvaWithVns();

    @Test
    @DisplayName("the NVA keeps which local tag maps to a VN in which port scope and answers both ways")
    void recordAndQuery() {
        LocalTag blueOnA1 = new LocalTag(NVE_A, 1, 10, BLUE);
        LocalTag blueOnA2 = new LocalTag(NVE_A, 2, 20, BLUE);
        LocalTag blueOnB1 = new LocalTag(NVE_B, 1, 10, BLUE);

        assertThat(nva.recordLocalTag(blueOnA1).orElseThrow()).isEqualTo(blueOnA1);
        assertThat(nva.recordLocalTag(blueOnA2).isAllowed()).isTrue();
        assertThat(nva.recordLocalTag(blueOnB1).isAllowed()).isTrue();

        assertThat(nva.localTag(NVE_A, 1, 10)).contains(blueOnA1);
        assertThat(nva.localTag(NVE_A, 2, 10)).isEmpty();
        assertThat(nva.localTags(BLUE)).containsExactly(blueOnA1, blueOnA2, blueOnB1);
        assertThat(nva.localTags(RED)).isEmpty();
    }

    @Test
    @DisplayName("REQ-7: in one port scope a tag maps to one VN; the same tag in another scope may map to another VN")
    void tagUniquePerScope() {
        nva.recordLocalTag(new LocalTag(NVE_A, 1, 10, BLUE)).orElseThrow();
        assertThat(nva.recordLocalTag(new LocalTag(NVE_A, 1, 10, RED)).refusal()).isEqualTo(Refusal.TAG_IN_USE);
        assertThat(nva.recordLocalTag(new LocalTag(NVE_A, 1, 10, BLUE)).isAllowed()).isTrue(); // again: idempotent
        assertThat(nva.recordLocalTag(new LocalTag(NVE_A, 2, 10, RED)).isAllowed()).isTrue();
        assertThat(nva.recordLocalTag(new LocalTag(NVE_A, 1, 11, BLUE)).isAllowed()).isTrue(); // REQ-7: one or more tags
        assertThat(nva.recordLocalTag(new LocalTag(NVE_A, 1, 12, 7)).refusal()).isEqualTo(Refusal.UNKNOWN_VN);
        assertThatThrownBy(() -> new LocalTag(NVE_A, 1, 0, BLUE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LocalTag(NVE_A, 1, 4095, BLUE)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("SM-VAP-3: a released tag is free for another VN in that scope")
    void release() {
        LocalTag blue = new LocalTag(NVE_A, 1, 10, BLUE);
        nva.recordLocalTag(blue).orElseThrow();
        assertThat(nva.releaseLocalTag(new LocalTag(NVE_A, 1, 10, RED))).isFalse();
        assertThat(nva.releaseLocalTag(blue)).isTrue();
        assertThat(nva.releaseLocalTag(blue)).isFalse();
        assertThat(nva.localTag(NVE_A, 1, 10)).isEmpty();
        assertThat(nva.localTags(BLUE)).isEmpty();
        assertThat(nva.recordLocalTag(new LocalTag(NVE_A, 1, 10, RED)).isAllowed()).isTrue();
    }
}
