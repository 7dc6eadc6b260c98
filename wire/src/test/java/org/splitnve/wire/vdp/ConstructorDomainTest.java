package org.splitnve.wire.vdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.WireReader;
import org.splitnve.wire.lldp.EvbTlv;
import org.splitnve.wire.lldp.ExtensionCapabilityTlv;
import org.splitnve.wire.lldp.LldpCodec;
import org.splitnve.wire.lldp.LldpPdu;
import org.splitnve.wire.lldp.LldpTlv;
import org.splitnve.wire.lldp.OtherLldpTlv;
import org.splitnve.wire.testing.WireArbitraries;

/**
 * A value a public constructor accepts is a value the codec can carry: whatever fields the
 * constructor takes, over their whole range (not only the values a well-behaved sender picks),
 * encoding then decoding gives the value back. A constructor that accepts what its own decoder
 * refuses lets a sender emit frames every peer rejects (SEC-4 on the sending side).
 */
@Label("every value a constructor accepts survives encode and decode")
class ConstructorDomainTest {
    private static final VsiTlv VSI = new VsiTlv(VsiMode.ASSOCIATE, VsiStatus.Request.PLAIN, 1, 1,
            VsiId.mac(MacAddress.parse("02:00:00:00:00:01")), Filter.of(FilterFormat.VID, FilterEntry.vid(10)));

    /** The value, or null (the try is skipped) if the constructor refuses the arguments. */
    private static <T> T constructed(java.util.function.Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException refused) {
            return null;
        }
    }

    private static VdpPdu roundTrip(VdpPdu pdu) throws DecodeException {
        byte[] b = VdpCodec.DEFAULT.encode(pdu);
        return VdpCodec.DEFAULT.decode(b, 0, b.length);
    }

    @Property(tries = 300)
    @Label("a capability TLV of any version and feature bits, in a VDP PDU and in an LLDPDU")
    void capability(@ForAll @IntRange(max = 255) int version, @ForAll int bits) throws DecodeException {
        CapabilityTlv cap = constructed(() -> new CapabilityTlv(version, bits));
        Assume.that(cap != null);
        VdpPdu pdu = new VdpPdu(null, List.of(cap), List.of(), null);
        assertThat(roundTrip(pdu)).isEqualTo(pdu);
        LldpPdu lldp = LldpPdu.ofMac(MacAddress.parse("02:00:00:00:00:01"), 120, List.of(new ExtensionCapabilityTlv(cap)));
        assertThat(LldpCodec.DEFAULT.decode(new WireReader(LldpCodec.DEFAULT.encode(lldp)))).isEqualTo(lldp);
    }

    @Property(tries = 300, maxDiscardRatio = 50)
    @Label("a session TLV with any flags octet and any non-zero epoch")
    void session(@ForAll @IntRange(max = 255) int flags, @ForAll int epoch, @ForAll int peerEpoch, @ForAll int count,
            @ForAll long digest) throws DecodeException {
        SessionTlv s = constructed(() -> new SessionTlv(flags, epoch, peerEpoch, count, digest, Bytes.wrap(new byte[16])));
        Assume.that(s != null);
        VdpPdu pdu = new VdpPdu(null, List.of(s), List.of(), null);
        assertThat(roundTrip(pdu)).isEqualTo(pdu);
    }

    @Example
    @Label("SEC-4: the constructors refuse exactly what the decoders refuse, and accept the boundary values")
    void constructorsRefuseWhatDecodersRefuse() {
        Bytes nonce = Bytes.wrap(new byte[16]);
        assertThatThrownBy(() -> new CapabilityTlv(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SessionTlv(0x08, 1, 0, 0, 0, nonce)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SessionTlv(0x80, 1, 0, 0, 0, nonce)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Parameter(Parameter.VN_PROFILE, Bytes.ofHex("c328")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Parameter(Parameter.VN_ALIAS, Bytes.ofHex("eda080")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReasonDetailTlv(1, "a\ud800b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReasonDetailTlv(1, "\udc00")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OtherLldpTlv(127, Bytes.ofHex("0080c2"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OtherLldpTlv(127, Bytes.EMPTY)).isInstanceOf(IllegalArgumentException.class);

        assertThat(new CapabilityTlv(255, -1).version()).isEqualTo(255);
        assertThat(new CapabilityTlv(1, 0).features()).isEmpty();
        assertThat(new SessionTlv(SessionTlv.KEEPALIVE | SessionTlv.RESYNC_REQUEST | SessionTlv.RESTARTING, -1, 0, 0, 0, nonce)
                .has(SessionTlv.RESTARTING)).isTrue();
        assertThat(new Parameter(Parameter.VN_ALIAS, Bytes.ofHex("c3a9f09f9880")).describe()).isEqualTo("VN alias \"\u00e9\ud83d\ude00\"");
        assertThat(new Parameter(200, Bytes.ofHex("ff")).value()).isEqualTo(Bytes.ofHex("ff"));
        assertThat(new ReasonDetailTlv(1, "\ud83d\ude00").bodyLength()).isEqualTo(2 + 4);
        assertThat(new OtherLldpTlv(127, Bytes.ofHex("00aabb01")).encodedLength()).isEqualTo(6);
        assertThat(new OtherLldpTlv(126, Bytes.EMPTY).encodedLength()).isEqualTo(2);
    }

    @Provide
    Arbitrary<Bytes> parameterValues() {
        return WireArbitraries.bytes(0, 255);
    }

    @Property(tries = 1000)
    @Label("a parameter of any type with any value octets")
    void parameter(@ForAll @IntRange(min = 1, max = 255) int type, @ForAll("parameterValues") Bytes value)
            throws DecodeException {
        Parameter p = constructed(() -> new Parameter(type, value));
        Assume.that(p != null);
        VdpPdu pdu = VdpPdu.of(ManagerId.NONE, VSI.withAttached(List.of(ParameterTlv.of(p))));
        assertThat(roundTrip(pdu)).isEqualTo(pdu);
    }

    @Provide
    Arbitrary<Integer> textParameterTypes() {
        return Arbitraries.of(Parameter.VN_PROFILE, Parameter.VN_ALIAS);
    }

    /** Any octets, or (two times in three) UTF-8 text, so that enough values pass the constructor. */
    @Provide
    Arbitrary<Bytes> textValues() {
        return Arbitraries.oneOf(WireArbitraries.bytes(0, 255),
                WireArbitraries.utf8Text(255).map(t -> Bytes.wrap(t.getBytes(java.nio.charset.StandardCharsets.UTF_8))),
                WireArbitraries.utf8Text(255).map(t -> Bytes.wrap(t.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    }

    @Property(tries = 600, maxDiscardRatio = 20)
    @Label("a VN profile or alias parameter with any value octets")
    void textParameter(@ForAll("textParameterTypes") int type, @ForAll("textValues") Bytes value)
            throws DecodeException {
        parameter(type, value);
    }

    @Provide
    Arbitrary<String> anyStrings() {
        return Arbitraries.strings().all().ofMaxLength(40);
    }

    @Property(tries = 500)
    @Label("a reason detail TLV with any Java string that fits 255 octets")
    void reasonDetail(@ForAll @IntRange(max = 0xFFFF) int detail, @ForAll("anyStrings") String text)
            throws DecodeException {
        ReasonDetailTlv r = constructed(() -> new ReasonDetailTlv(detail, text));
        Assume.that(r != null);
        VdpPdu pdu = VdpPdu.of(ManagerId.NONE, VSI.withAttached(List.of(r)));
        assertThat(roundTrip(pdu)).isEqualTo(pdu);
    }

    @Provide
    Arbitrary<Bytes> lldpValues() {
        return Arbitraries.oneOf(WireArbitraries.bytes(0, 8), WireArbitraries.bytes(0, 511));
    }

    @Property(tries = 500)
    @Label("an optional LLDP TLV of any type 4..127 with any value (type 127: other than the typed EVB and "
            + "capability TLVs)")
    void otherLldpTlv(@ForAll @IntRange(min = 4, max = 127) int type, @ForAll("lldpValues") Bytes value)
            throws DecodeException {
        OtherLldpTlv t = constructed(() -> new OtherLldpTlv(type, value));
        Assume.that(t != null);
        if (type == 127 && value.length() >= 4) {
            int oui = (value.get(0) << 16) | (value.get(1) << 8) | value.get(2);
            // documented: these two decode as the typed TLVs they are
            Assume.that(!(oui == EvbTlv.OUI_8021 && value.get(3) == EvbTlv.SUBTYPE));
            Assume.that(!(oui == VdpCodec.DEFAULT_OUI && value.get(3) == ExtensionType.CAPABILITY.subtype()));
        }
        LldpPdu lldp = LldpPdu.ofMac(MacAddress.parse("02:00:00:00:00:01"), 120, List.<LldpTlv>of(t));
        assertThat(LldpCodec.DEFAULT.decode(new WireReader(LldpCodec.DEFAULT.encode(lldp)))).isEqualTo(lldp);
    }
}
