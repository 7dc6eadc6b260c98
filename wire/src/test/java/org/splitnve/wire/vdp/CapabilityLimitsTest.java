package org.splitnve.wire.vdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Arbitrary;
import org.splitnve.wire.DecodeError;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.WireReader;
import org.splitnve.wire.lldp.ExtensionCapabilityTlv;
import org.splitnve.wire.lldp.LldpCodec;
import org.splitnve.wire.lldp.LldpPdu;
import org.splitnve.wire.testing.WireArbitraries;

/**
 * OPS-3, SEC-5: the limits an nNVE advertises in its capability TLV (docs/protocol.md 5.1.1), octet by octet,
 * both ways; and backward compatibility: a version-2 body is read by the released version-1 decoder as version
 * 2 with the same feature bits (it skips what follows them), and this decoder reads a version-1 body.
 */
@Label("OPS-3, SEC-5: capability limits on the wire")
class CapabilityLimitsTest {
    private static final List<CapabilityTlv.Limit> NNVE_DEFAULTS = List.of(
            new CapabilityTlv.Limit(CapabilityTlv.Limit.ADDRESSES_PER_TSI, 4096),
            new CapabilityTlv.Limit(CapabilityTlv.Limit.TSIS_PER_PEER, 100_000),
            new CapabilityTlv.Limit(CapabilityTlv.Limit.VNS_PER_PEER, 4094));

    private static byte[] body(CapabilityTlv c) {
        byte[] b = new byte[c.bodyLength()];
        c.encodeBody(new org.splitnve.wire.WireWriter(b, 0));
        return b;
    }

    /** The capability body decoder as released before limits existed (version 1): what older peers run. */
    private static CapabilityTlv releasedVersion1Decoder(WireReader r) throws DecodeException {
        int version = r.u8("capability version");
        if (version == 0) {
            throw r.error(DecodeError.UNSUPPORTED_VERSION, "capability version 0");
        }
        int bits = r.u32("capability features");
        if (version > 1) {
            r.skip(r.remaining(), "capability extension");
        }
        return new CapabilityTlv(version, bits);
    }

    @Example
    @Label("OPS-3: the body octet by octet: version 2, feature bits, count, then kind and value per limit")
    void octets() {
        CapabilityTlv c = CapabilityTlv.all().withLimits(NNVE_DEFAULTS);
        assertThat(HexFormat.of().formatHex(body(c))).isEqualTo("02" + "000003ff" + "03" + "0100001000" + "02000186a0"
                + "0300000ffe");
        assertThat(c.encodedLength()).isEqualTo(6 + 6 + 15);
        assertThat(c.limit(CapabilityTlv.Limit.ADDRESSES_PER_TSI)).hasValue(4096);
        assertThat(c.limit(99)).isEmpty();
        // without limits, version 2 still carries the count (0); version 1 ends after the feature bits
        assertThat(HexFormat.of().formatHex(body(CapabilityTlv.all()))).isEqualTo("02000003ff00");
        assertThat(HexFormat.of().formatHex(body(new CapabilityTlv(1, 0x3ff)))).isEqualTo("01000003ff");
    }

    @Example
    @Label("OPS-3: backward compatible: the released version-1 decoder reads a version-2 body (limits skipped), this "
            + "decoder reads a version-1 body (no limits) and skips fields a later version appends after the limits")
    void compatible() throws DecodeException {
        CapabilityTlv c = CapabilityTlv.all().withLimits(NNVE_DEFAULTS);
        WireReader old = new WireReader(body(c));
        CapabilityTlv seenByOld = releasedVersion1Decoder(old);
        assertThat(seenByOld.featureBits()).isEqualTo(c.featureBits());
        assertThat(seenByOld.features()).isEqualTo(c.features());
        assertThat(old.hasRemaining()).isFalse();

        CapabilityTlv v1 = CapabilityTlv.decodeBody(new WireReader(HexFormat.of().parseHex("01000003ff")));
        assertThat(v1).isEqualTo(new CapabilityTlv(1, 0x3ff));
        assertThat(v1.limits()).isEmpty();

        WireReader later = new WireReader(HexFormat.of().parseHex("03000003ff01010000100000aabbcc"));
        CapabilityTlv v3 = CapabilityTlv.decodeBody(later);
        assertThat(v3.version()).isEqualTo(3);
        assertThat(v3.limit(CapabilityTlv.Limit.ADDRESSES_PER_TSI)).hasValue(4096);
        assertThat(later.hasRemaining()).isFalse();
    }

    @Provide
    Arbitrary<CapabilityTlv> capabilities() {
        return WireArbitraries.capabilityTlvs();
    }

    @Property(tries = 300)
    @Label("OPS-3, REQ-12: any capability TLV with limits survives a VDP PDU and an LLDPDU unchanged")
    void roundTrip(@ForAll("capabilities") CapabilityTlv c) throws DecodeException {
        VdpPdu pdu = new VdpPdu(null, List.of(c), List.of(), null);
        byte[] b = VdpCodec.DEFAULT.encode(pdu);
        assertThat(VdpCodec.DEFAULT.decode(b, 0, b.length)).isEqualTo(pdu);
        LldpPdu lldp = LldpPdu.ofMac(MacAddress.parse("02:00:00:00:00:01"), 120, List.of(new ExtensionCapabilityTlv(c)));
        assertThat(LldpCodec.DEFAULT.decode(new WireReader(LldpCodec.DEFAULT.encode(lldp)))).isEqualTo(lldp);
    }

    @Example
    @Label("OPS-3, SEC-4: the constructor refuses what the decoder refuses: limits before version 2, a kind twice, "
            + "kind 0, values beyond 32 bits, more limits than a body holds")
    void constructorDomain() {
        CapabilityTlv.Limit l = new CapabilityTlv.Limit(1, 1);
        assertThatThrownBy(() -> new CapabilityTlv(1, 0, List.of(l))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CapabilityTlv(2, 0, List.of(l, l))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CapabilityTlv.Limit(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CapabilityTlv.Limit(256, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CapabilityTlv.Limit(1, 0x1_0000_0000L)).isInstanceOf(IllegalArgumentException.class);
        List<CapabilityTlv.Limit> many = new java.util.ArrayList<>();
        for (int k = 1; k <= CapabilityTlv.MAX_LIMITS + 1; k++) {
            many.add(new CapabilityTlv.Limit(k, k));
        }
        assertThatThrownBy(() -> new CapabilityTlv(2, 0, many)).isInstanceOf(IllegalArgumentException.class);
        CapabilityTlv full = new CapabilityTlv(2, 0, many.subList(0, CapabilityTlv.MAX_LIMITS));
        assertThat(full.bodyLength()).isLessThanOrEqualTo(ExtensionTlv.MAX_BODY);
        assertThat(new CapabilityTlv.Limit(7, 0xFFFF_FFFFL).value()).isEqualTo(0xFFFF_FFFFL);
    }
}
