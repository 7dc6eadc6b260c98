package org.splitnve.nva.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.PrefixPolicy;
import org.splitnve.nva.ProvisioningMode;
import org.splitnve.nva.Refusal;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.nva.service.store.Codec;
import org.splitnve.nva.service.store.StoreException;

/**
 * The store's format does not depend on the declaration order of the enums it holds: each is stored as a fixed
 * code, the ordinal it had when format 1 was written, so stores written before still read (NVA-2).
 */
class StoreFormatTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    @DisplayName("NVA-2: every enum the store holds has a fixed code, the ordinal of store format 1; a code reads "
            + "back as its value and an unknown code is refused")
    void codesAreStable() {
        assertCodes(VnService.values(), VnService::code, VnService::ofCode, Map.of("L2", 0, "L3", 1));
        assertCodes(ProvisioningMode.values(), ProvisioningMode::code, ProvisioningMode::ofCode,
                Map.of("TRUSTED", 0, "VALIDATED", 1));
        assertCodes(EntryState.values(), EntryState::code, EntryState::ofCode, Map.of("MAPPING", 0, "FORWARDING", 1));
        assertCodes(DuplicateAddress.Reason.values(), DuplicateAddress.Reason::code, DuplicateAddress.Reason::ofCode,
                Map.of("ANOTHER_TSI", 0, "UNORDERED_CLAIM", 1, "FLAPPING", 2));
        assertCodes(Receipt.Status.values(), Receipt.Status::code, Receipt.Status::ofCode,
                Map.of("APPLIED", 0, "REPEATED", 1, "REFUSED", 2));
    }

    /** Every value is in {@code expected} (a new value needs a code chosen here), with that code. */
    private static <E extends Enum<E>> void assertCodes(E[] values, ToIntFunction<E> code, IntFunction<E> ofCode,
            Map<String, Integer> expected) {
        assertThat(Arrays.stream(values).collect(Collectors.toMap(Enum::name, code::applyAsInt))).isEqualTo(expected);
        for (E v : values) {
            assertThat(ofCode.apply(code.applyAsInt(v))).isSameAs(v);
        }
        assertThatThrownBy(() -> ofCode.apply(values.length)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("code " + values.length);
    }

    // Bytes written by store format 1 before the enums had codes (their ordinals), one per enum value that is not
    // its type's first: what a store already on disk holds.
    private static final String VN_L3_VALIDATED =
            "01010000000000000001000000000000000200001770000167000002580101000000001c60";
    private static final String MAPPING_FORWARDING = "0106051111000040008000000000000000000100066e6e76652d61000000010000"
            + "1388010000000102000052540000000100000000000000000000000700000000000003e800000000";
    private static final String DUPLICATE_FLAPPING =
            "010800001388020000525400000001020100000000000000030000000000000000000003e800000000";
    private static final String DUPLICATE_UNORDERED =
            "010800001388020000525400000001010000000000000000020000000000000000000003e800000000";
    private static final String RECEIPT_REFUSED = "0100000000000000040000000000000009020000010100016400000000";
    private static final String RECEIPT_REPEATED =
            "010000000000000004000000000000000901ffffffff000000000001ffffffff000001";

    private static final Instant SINCE = Instant.ofEpochSecond(1000);

    @Test
    @DisplayName("NVA-2: resources and receipts a store of format 1 already holds read as the same values, and "
            + "are written as the same bytes")
    void storedBytesStillRead() {
        Resource vn = new Resource.Vn(new VnRecord(new UUID(1, 2), 6000, "g", 600, VnService.L3,
                ProvisioningMode.VALIDATED, List.of(), new PrefixPolicy(28, 96)));
        Resource mapping = new Resource.Mapping(new MappingEntry(NvaFixture.at(NvaFixture.A, 1),
                EntryState.FORWARDING, List.of(NvaFixture.mac(1)), List.of(), List.of(), 7, SINCE));
        Resource flapping = new Resource.Duplicate(new DuplicateAddress(NvaFixture.VN, NvaFixture.mac(1),
                DuplicateAddress.Reason.FLAPPING, true, 3, List.of(), SINCE));
        Resource unordered = new Resource.Duplicate(new DuplicateAddress(NvaFixture.VN, NvaFixture.mac(1),
                DuplicateAddress.Reason.UNORDERED_CLAIM, false, 2, List.of(), SINCE));
        Receipt refused = new Receipt(4, 9, List.of(), Receipt.Status.REFUSED, Refusal.UNKNOWN_VN, "d");
        Receipt repeated = new Receipt(4, 9, List.of(Receipt.Result.CHANGED), Receipt.Status.REPEATED, null, "");

        Map<String, Resource> resources = Map.of(VN_L3_VALIDATED, vn, MAPPING_FORWARDING, mapping,
                DUPLICATE_FLAPPING, flapping, DUPLICATE_UNORDERED, unordered);
        resources.forEach((hex, r) -> {
            assertThat(Codec.resource(HEX.parseHex(hex))).isEqualTo(r);
            assertThat(HEX.formatHex(Codec.resource(r))).isEqualTo(hex);
        });
        Map<String, Receipt> receipts = Map.of(RECEIPT_REFUSED, refused, RECEIPT_REPEATED, repeated);
        receipts.forEach((hex, r) -> {
            assertThat(Codec.receipt(HEX.parseHex(hex))).isEqualTo(r);
            assertThat(HEX.formatHex(Codec.receipt(r))).isEqualTo(hex);
        });
    }

    @Test
    @DisplayName("NVA-2: a stored enum code the NVA does not know is a StoreException naming it, not another value")
    void unknownCodeIsRefused() {
        byte[] vn = HEX.parseHex(VN_L3_VALIDATED);
        vn[29] = 7; // the VN service: format, kind, VN Name (16), VN ID (4), alias (2 + 1), context (4)
        assertThatThrownBy(() -> Codec.resource(vn)).isInstanceOf(StoreException.class)
                .hasMessageContaining("unknown VN service code 7");
        byte[] receipt = HEX.parseHex(RECEIPT_REPEATED);
        receipt[17] = 3; // the status: format, seq (8), revision (8)
        assertThatThrownBy(() -> Codec.receipt(receipt)).isInstanceOf(StoreException.class)
                .hasMessageContaining("unknown receipt status code 3");
    }
}
