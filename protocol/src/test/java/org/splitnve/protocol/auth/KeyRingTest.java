package org.splitnve.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.splitnve.protocol.auth.AuthFixture.psk;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class KeyRingTest {
    @Test
    @DisplayName("one current key to send with, every key in the ring accepted; each step is a new value")
    void rotationSteps() {
        KeyRing one = KeyRing.of(1, psk(1));
        KeyRing two = one.withKey(2, psk(2));
        KeyRing switched = two.withCurrent(2);
        KeyRing retired = switched.without(1);

        assertThat(one.currentId()).isEqualTo(1);
        assertThat(one.ids()).containsExactly(1);
        assertThat(two.currentId()).isEqualTo(1);
        assertThat(two.accepts(2)).isTrue();
        assertThat(switched.currentId()).isEqualTo(2);
        assertThat(switched.accepts(1)).isTrue();
        assertThat(retired.ids()).containsExactly(2);
        assertThat(retired.accepts(1)).isFalse();
        assertThat(retired.currentId()).isEqualTo(2);
        // Immutable: the earlier values did not change.
        assertThat(one.size()).isEqualTo(1);
        assertThat(two.currentId()).isEqualTo(1);
        assertThat(switched.size()).isEqualTo(2);
    }

    @Test
    @DisplayName("SEC-4: short or degenerate key material, duplicate IDs, unknown IDs and retiring the current key are refused")
    void validation() {
        assertThatThrownBy(() -> KeyRing.of(1, new byte[31])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 32");
        assertThatThrownBy(() -> KeyRing.of(1, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeyRing.of(1, new byte[32])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("repeated");
        KeyRing ring = KeyRing.of(1, psk(1));
        assertThatThrownBy(() -> ring.withKey(1, psk(2))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already");
        assertThatThrownBy(() -> ring.withCurrent(9)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ring.without(9)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ring.without(1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("current");
        KeyRing full = ring;
        for (int id = 2; id <= KeyRing.MAX_KEYS; id++) {
            full = full.withKey(id, psk(id));
        }
        KeyRing last = full;
        assertThatThrownBy(() -> last.withKey(100, psk(100))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("key material is copied in and never shown; key IDs are 32-bit, shown unsigned")
    void material() {
        byte[] k = psk(1);
        KeyRing ring = KeyRing.of(0xFFFF_FFFE, k);
        k[0] ^= 1;
        assertThat(ring.sameKey(0xFFFF_FFFE, KeyRing.of(0xFFFF_FFFE, psk(1)))).isTrue();
        assertThat(ring.toString()).isEqualTo("KeyRing[current=4294967294, accepted=4294967294]");
        assertThat(ring.withKey(3, psk(3)).without(3)).hasToString(ring.toString());
    }
}
