package org.splitnve.nnve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LocalTagPoolTest {

    @Test
    @DisplayName("REQ-7, SM-VAP-3: 4094 usable tags, one per VN, VID 1 last, exhaustion, release and reuse")
    void allocateAll() {
        LocalTagPool pool = new LocalTagPool(1, 4094);
        assertThat(pool.size()).isEqualTo(4094);
        Set<Integer> tags = new HashSet<>();
        for (int i = 0; i < 4094; i++) {
            int t = pool.allocate(new VnKey.Id(i));
            assertThat(t).isBetween(1, 4094);
            assertThat(tags.add(t)).as("tag %d given twice", t).isTrue();
            if (i < 4093) {
                // lowest first, from 2: VID 1 only once every other tag is taken
                assertThat(t).as("allocation %d", i).isEqualTo(i + 2);
            } else {
                assertThat(t).as("the last allocation").isEqualTo(1);
            }
        }
        assertThat(tags).contains(1);
        assertThat(pool.allocate(new VnKey.Id(99_999))).isEqualTo(-1);      // exhausted: reason 2
        assertThat(pool.free()).isZero();
        pool.release(100);
        assertThat(pool.owner(100)).isNull();
        assertThat(pool.allocate(new VnKey.Id(99_999))).isEqualTo(100);    // reused
    }

    @Test
    @DisplayName("REQ-7: a tag asked for is bound to its VN; the same VN gets it again, another VN is refused")
    void reserve() {
        LocalTagPool pool = new LocalTagPool(10, 20);
        VnKey blue = new VnKey.Id(1);
        VnKey red = new VnKey.Id(2);
        assertThat(pool.reserve(15, blue)).isEqualTo(LocalTagPool.Outcome.OK);
        assertThat(pool.reserve(15, blue)).isEqualTo(LocalTagPool.Outcome.OK);
        assertThat(pool.reserve(15, red)).isEqualTo(LocalTagPool.Outcome.IN_USE);
        assertThat(pool.reserve(21, red)).isEqualTo(LocalTagPool.Outcome.NOT_IN_POOL);
        assertThat(pool.allocate(red)).isEqualTo(10);
        assertThat(pool.owner(15)).isEqualTo(blue);
    }
}
