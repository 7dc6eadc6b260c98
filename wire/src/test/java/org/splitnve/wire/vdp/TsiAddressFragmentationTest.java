package org.splitnve.wire.vdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.constraints.IntRange;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.testing.WireArbitraries;

/**
 * REQ-10, GAP-10 (add, remove, replace TSI addresses, however many), ID-3, ID-4 (IPv4, IPv6 and
 * MAC addresses and prefixes, bound to a MAC and a VN): a change split into fragments is joined back
 * into the same list, every fragment fits one TLV and travels in a VDP PDU, and join refuses
 * fragments that are reordered, missing, duplicated or foreign.
 */
@Label("TSI address fragmentation")
class TsiAddressFragmentationTest {

    private static final VsiTlv CARRIER = new VsiTlv(VsiMode.ASSOCIATE, VsiStatus.Request.PLAIN, 7, 1,
            VsiId.uuid("0b1b2b3b-0000-4000-8000-00000000000a"),
            Filter.of(FilterFormat.GROUP_MAC_VID, FilterEntry.groupMacVid(5000,
                    org.splitnve.wire.MacAddress.parse("02:00:00:00:00:0a"), 0)));
    private static final ManagerId MANAGER = ManagerId.ofText("prop");

    @Provide
    Arbitrary<List<TsiAddress>> addressLists() {
        return WireArbitraries.tsiAddresses().list().ofMaxSize(3000).withSizeDistribution(RandomDistribution.uniform());
    }

    @Provide
    Arbitrary<Integer> fragmentSizes() {
        return Arbitraries.oneOf(Arbitraries.just(ExtensionTlv.MAX_BODY), Arbitraries.integers().between(37, ExtensionTlv.MAX_BODY));
    }

    @Property(tries = 100)
    @Label("split then join gives back up to 3000 addresses; every fragment fits a TLV and "
            + "survives the codec inside a VDP PDU")
    void splitThenJoinIsIdentity(@ForAll("addressLists") List<TsiAddress> addresses,
            @ForAll TsiAddressTlv.Operation op, @ForAll @IntRange(max = 0xFFFF) int transaction,
            @ForAll("fragmentSizes") int maxBody) throws DecodeException {
        List<TsiAddressTlv> fragments = TsiAddressTlv.split(op, transaction, addresses, maxBody);

        assertThat(fragments).isNotEmpty();
        assertThat(TsiAddressTlv.join(fragments)).isEqualTo(addresses);
        List<TsiAddress> viaWire = new ArrayList<>();
        for (int i = 0; i < fragments.size(); i++) {
            TsiAddressTlv f = fragments.get(i);
            assertThat(f.fragment()).isEqualTo(i);
            assertThat(f.last()).isEqualTo(i == fragments.size() - 1);
            assertThat(f.operation()).isEqualTo(op);
            assertThat(f.transaction()).isEqualTo(transaction);
            assertThat(f.bodyLength()).isLessThanOrEqualTo(maxBody).isLessThanOrEqualTo(ExtensionTlv.MAX_BODY);
            if (!addresses.isEmpty()) {
                assertThat(f.addresses()).as("fragment %d of a non-empty change", i).isNotEmpty();
            }
            // each fragment rides in its own ECPDU, attached to the TSI's VSI TLV
            VdpPdu pdu = VdpPdu.of(MANAGER, CARRIER.withAttached(List.of(f)));
            byte[] wire = VdpCodec.DEFAULT.encode(pdu);
            VdpPdu back = VdpCodec.DEFAULT.decode(wire, 0, wire.length);
            assertThat(back).isEqualTo(pdu);
            viaWire.addAll(back.items().getFirst().attached(TsiAddressTlv.class).addresses());
        }
        assertThat(viaWire).isEqualTo(addresses);
        int total = addresses.stream().mapToInt(TsiAddress::encodedLength).sum();
        assertThat(fragments.stream().mapToInt(f -> f.bodyLength() - 8).sum()).isEqualTo(total);
    }

    enum Tampering { SWAP, DROP, DUPLICATE, FOREIGN_TRANSACTION, FOREIGN_OPERATION, LAST_CLEARED, LAST_EARLY }

    record Tamper(Tampering kind, int i, int j) {
        List<TsiAddressTlv> apply(List<TsiAddressTlv> fragments) {
            List<TsiAddressTlv> l = new ArrayList<>(fragments);
            int n = l.size();
            int a = i % n;
            int b = j % n;
            switch (kind) {
                case SWAP -> {
                    if (a == b) {
                        b = (a + 1) % n;
                    }
                    TsiAddressTlv t = l.get(a);
                    l.set(a, l.get(b));
                    l.set(b, t);
                }
                case DROP -> l.remove(a);
                case DUPLICATE -> l.add(j % (n + 1), l.get(a));
                case FOREIGN_TRANSACTION -> {
                    TsiAddressTlv f = l.get(a);
                    l.set(a, new TsiAddressTlv(f.operation(), (f.transaction() + 1 + j % 0xFFFF) & 0xFFFF, f.fragment(),
                            f.last(), f.addresses()));
                }
                case FOREIGN_OPERATION -> {
                    TsiAddressTlv f = l.get(a);
                    // one of the two other operations, chosen by j
                    List<TsiAddressTlv.Operation> others =
                            EnumSet.complementOf(EnumSet.of(f.operation())).stream().toList();
                    TsiAddressTlv.Operation other = others.get(j % others.size());
                    l.set(a, new TsiAddressTlv(other, f.transaction(), f.fragment(), f.last(), f.addresses()));
                }
                case LAST_CLEARED -> {
                    TsiAddressTlv f = l.getLast();
                    l.set(n - 1, new TsiAddressTlv(f.operation(), f.transaction(), f.fragment(), false, f.addresses()));
                }
                case LAST_EARLY -> {
                    int k = a % (n - 1);
                    TsiAddressTlv f = l.get(k);
                    l.set(k, new TsiAddressTlv(f.operation(), f.transaction(), f.fragment(), true, f.addresses()));
                }
            }
            return l;
        }
    }

    /** Changes of at least 40 addresses in fragments of at most 150 octets: always two fragments or more. */
    @Provide
    Arbitrary<List<TsiAddressTlv>> fragmentedChanges() {
        return Combinators.combine(WireArbitraries.tsiAddresses().list().ofMinSize(40).ofMaxSize(300),
                        Arbitraries.of(TsiAddressTlv.Operation.class), Arbitraries.integers().between(0, 0xFFFF),
                        Arbitraries.integers().between(37, 150))
                .as((addresses, op, txn, max) -> TsiAddressTlv.split(op, txn, addresses, max));
    }

    @Provide
    Arbitrary<Tamper> tampers() {
        return Combinators.combine(Arbitraries.of(Tampering.class), Arbitraries.integers().between(0, 100_000),
                Arbitraries.integers().between(0, 100_000)).as(Tamper::new);
    }

    @Property(tries = 300)
    @Label("SEC-4: join refuses reordered, missing, duplicated or foreign fragments and a misplaced LAST flag")
    void joinRefusesTamperedFragments(@ForAll("fragmentedChanges") List<TsiAddressTlv> fragments,
            @ForAll("tampers") Tamper tamper) {
        assertThat(fragments.size()).isGreaterThanOrEqualTo(2);
        assertThat(TsiAddressTlv.join(fragments)).hasSize(fragments.stream().mapToInt(f -> f.addresses().size()).sum());
        List<TsiAddressTlv> tampered = tamper.apply(fragments);
        assertThatThrownBy(() -> TsiAddressTlv.join(tampered))
                .as("join of %s fragments after %s", fragments.size(), tamper)
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Example
    @Label("REPLACE with no addresses is one empty LAST fragment; join refuses no fragments at all")
    void emptyChange() {
        List<TsiAddressTlv> fragments = TsiAddressTlv.split(TsiAddressTlv.Operation.REPLACE, 9, List.of());
        assertThat(fragments).containsExactly(new TsiAddressTlv(TsiAddressTlv.Operation.REPLACE, 9, 0, true, List.of()));
        assertThat(TsiAddressTlv.join(fragments)).isEmpty();
        assertThatThrownBy(() -> TsiAddressTlv.join(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
