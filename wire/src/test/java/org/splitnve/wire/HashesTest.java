package org.splitnve.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.BitSet;
import java.util.function.IntFunction;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.wire.vdp.TsiAddress;

/**
 * Keys handed out in sequence spread over a hash table (issue 13: at 100,000 TSIs a record's {@code 31 * a + b} hash
 * filled a 32nd of the buckets, and the nNVE's restore spent most of its time in the trees HashMap made of them).
 */
class HashesTest {
    /** Buckets a HashMap of 2^17 entries would use for {@code n} keys (its spreading of the hash included). */
    static int buckets(int n, IntFunction<Object> key) {
        BitSet used = new BitSet();
        for (int i = 0; i < n; i++) {
            int h = key.apply(i).hashCode();
            used.set((h ^ (h >>> 16)) & ((1 << 17) - 1));
        }
        return used.cardinality();
    }

    @Test
    @DisplayName("Issue 13: 100,000 TSI addresses with sequential MACs and IPv4 addresses, each bound to its MAC, "
            + "use as many buckets of a 2^17 table as random keys would (about 69,000; the record's own hash: 51,490)")
    void sequentialAddressesSpread() throws Exception {
        int n = 100_000;
        int used = buckets(n, i -> {
            try {
                byte[] ip = {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i};
                return TsiAddress.host(InetAddress.getByAddress(ip), new MacAddress(0x5254_0000_0000L + i));
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        });
        // random keys: 2^17 * (1 - e^(-n / 2^17)), about 69,000
        assertThat(used).as("buckets used by %d sequential addresses", n).isGreaterThan(65_000);
        int macs = buckets(n, i -> TsiAddress.mac(new MacAddress(0x5254_0000_0000L + i)));
        assertThat(macs).as("MAC entries").isGreaterThan(65_000);
    }

    @Test
    @DisplayName("Issue 13: 100,000 MACs in sequence over 64 VNs, combined and mixed, give (nearly) as many distinct hashes")
    void mixSpreadsSequences() {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (long i = 0; i < 100_000; i++) {
            seen.add(Hashes.mix(Hashes.combine(Hashes.combine(0, 5000 + (i % 64)), 0x5254_0000_0000L + i)));
        }
        assertThat(seen).hasSizeGreaterThan(99_990); // 32-bit results: a collision or two among 100,000 is chance
    }

    @Test
    @DisplayName("Issue 13: one VN's MACs when a range is spread over 64 VNs (every 64th MAC, 1,563 of them) use as many"
            + " buckets of a 2^12 table as random keys would (about 1,300; Long.hashCode: 64)")
    void stridedMacsSpread() {
        java.util.BitSet used = new java.util.BitSet();
        for (int i = 0; i < 100_000; i += 64) {
            int h = new MacAddress(0x5254_0000_0000L | (i + 1)).hashCode();
            used.set((h ^ (h >>> 16)) & ((1 << 12) - 1));
        }
        assertThat(used.cardinality()).isGreaterThan(1_100);
    }
}
