package org.splitnve.wire.testing;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.ToIntFunction;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.ecp.EcpOperation;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.ethernet.VlanTag;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.lldp.EvbMode;
import org.splitnve.wire.lldp.EvbTlv;
import org.splitnve.wire.lldp.ExtensionCapabilityTlv;
import org.splitnve.wire.lldp.LldpPdu;
import org.splitnve.wire.lldp.LldpTlv;
import org.splitnve.wire.lldp.OtherLldpTlv;
import org.splitnve.wire.pcap.PcapRecord;
import org.splitnve.wire.vdp.AuthTlv;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.DeactivateTlv;
import org.splitnve.wire.vdp.ExtensionTlv;
import org.splitnve.wire.vdp.ExtensionType;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.MigrationTlv;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.Parameter;
import org.splitnve.wire.vdp.ParameterTlv;
import org.splitnve.wire.vdp.ReasonCode;
import org.splitnve.wire.vdp.ReasonDetailTlv;
import org.splitnve.wire.vdp.SessionTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.TsiAddressTlv;
import org.splitnve.wire.vdp.UnknownOrgTlv;
import org.splitnve.wire.vdp.VdpCodec;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VnConnectTlv;
import org.splitnve.wire.vdp.VnId;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiIdFormat;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * jqwik generators for every value type of the wire module, shared with higher layers through the
 * module's test-jar. Every generated value is valid: its constructor accepts it, it fits where it
 * goes (a VDP PDU within {@link VdpPdu#MAX_LENGTH}, a frame within {@link EthernetHeader#MAX_FRAME}),
 * and the codecs configured with {@link #PROJECT_OUI} decode its encoding back to an equal value.
 *
 * <p>Type-127 TLVs that are not this project's extensions ({@link UnknownOrgTlv}, {@link OtherLldpTlv})
 * never look like one of the typed TLVs the codecs recognise, so they survive a round trip as what
 * they are.
 */
public final class WireArbitraries {
    /** The OUI of the project's extension TLVs the generated values assume (the codecs' default). */
    public static final int PROJECT_OUI = VdpCodec.DEFAULT_OUI;
    /** Octets of an LLDPDU's fixed part besides the chassis and port ID values: headers, subtypes, TTL, End. */
    private static final int LLDP_FIXED = 2 + 1 + 2 + 1 + 4 + 2;
    private static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;
    private static final long GROUP_BIT = 0x0100_0000_0000L;

    private WireArbitraries() {
    }

    // ------------------------------------------------------------------ plumbing

    /**
     * Keeps, in order, the elements that still fit in {@code budget} octets: an element too large for
     * what is left is dropped and the next one tried. The way generated lists are made to fit a PDU.
     */
    public static <T> List<T> fit(List<T> elements, ToIntFunction<? super T> length, int budget) {
        List<T> out = new ArrayList<>(elements.size());
        int used = 0;
        for (T t : elements) {
            int len = length.applyAsInt(t);
            if (used + len <= budget) {
                out.add(t);
                used += len;
            }
        }
        return out;
    }

    public static Arbitrary<Boolean> booleans() {
        return Arbitraries.of(true, false);
    }

    /** Octet strings of {@code min..max} octets, sizes biased towards the small end. */
    public static Arbitrary<byte[]> octets(int min, int max) {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(min).ofMaxSize(max);
    }

    /** Octet strings of {@code min..max} octets, sizes uniformly distributed. */
    public static Arbitrary<byte[]> octetsUniform(int min, int max) {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(min).ofMaxSize(max)
                .withSizeDistribution(RandomDistribution.uniform());
    }

    public static Arbitrary<Bytes> bytes(int min, int max) {
        return octets(min, max).map(Bytes::wrap);
    }

    public static Arbitrary<UUID> nonNilUuids() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.longs())
                .filter((hi, lo) -> hi != 0 || lo != 0)
                .as(UUID::new);
    }

    /**
     * Well-formed text of at most {@code maxOctets} UTF-8 octets: mostly printable ASCII, with 2-, 3-
     * and 4-octet characters (no lone surrogates: they have no UTF-8 form).
     */
    @SuppressWarnings("unchecked")
    public static Arbitrary<String> utf8Text(int maxOctets) {
        Arbitrary<Integer> codePoints = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.integers().between(0x20, 0x7E)),
                Tuple.of(1, Arbitraries.integers().between(0x00, 0x7F)),
                Tuple.of(2, Arbitraries.integers().between(0x80, 0x7FF)),
                Tuple.of(2, Arbitraries.integers().between(0x800, 0xFFFF)
                        .filter(c -> c < Character.MIN_SURROGATE || c > Character.MAX_SURROGATE)),
                Tuple.of(1, Arbitraries.integers().between(0x10000, Character.MAX_CODE_POINT)));
        return codePoints.list().ofMaxSize(maxOctets).map(cps -> {
            StringBuilder sb = new StringBuilder();
            int octets = 0;
            for (int cp : cps) {
                int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
                if (octets + n > maxOctets) {
                    break;
                }
                sb.appendCodePoint(cp);
                octets += n;
            }
            return sb.toString();
        });
    }

    // ------------------------------------------------------------------ MAC addresses

    /** Any 48-bit value. */
    public static Arbitrary<MacAddress> macs() {
        return Arbitraries.longs().between(0, MAC_MASK).map(MacAddress::new);
    }

    /** Unicast, non-zero: what a station, a TSI, a filter entry or a MAC VSIID may carry. */
    public static Arbitrary<MacAddress> unicastMacs() {
        return Arbitraries.longs().between(1, MAC_MASK)
                .map(v -> v & ~GROUP_BIT)
                .filter(v -> v != 0)
                .map(MacAddress::new);
    }

    /** Group addresses: the reserved 01-80-C2-00-00-0X ones, broadcast, and any other. */
    public static Arbitrary<MacAddress> multicastMacs() {
        return Arbitraries.oneOf(
                Arbitraries.of(MacAddress.NEAREST_CUSTOMER_BRIDGE, MacAddress.NEAREST_BRIDGE,
                        new MacAddress(MAC_MASK)),
                Arbitraries.integers().between(0, 15).map(i -> new MacAddress(0x0180C2000000L | i)),
                Arbitraries.longs().between(0, MAC_MASK).map(v -> new MacAddress(v | GROUP_BIT)));
    }

    /** Frame destinations: unicast (a peer's own address) or multicast (GAP-1). */
    public static Arbitrary<MacAddress> destinationMacs() {
        return Arbitraries.oneOf(unicastMacs(), multicastMacs());
    }

    // ------------------------------------------------------------------ VSI TLV parts

    public static Arbitrary<VsiId> vsiIds() {
        return Arbitraries.of(VsiIdFormat.class).flatMap(WireArbitraries::vsiIds);
    }

    /** Valid VSIIDs of one format ({@link VsiId#problem} holds nothing against them). */
    public static Arbitrary<VsiId> vsiIds(VsiIdFormat format) {
        return switch (format) {
            case IPV4 -> Arbitraries.longs().between(1, 0xFFFF_FFFFL)
                    .map(a -> new VsiId(VsiIdFormat.IPV4, 0, 0xFFFF_0000_0000L | a));
            case IPV6 -> Combinators.combine(Arbitraries.longs(), Arbitraries.longs())
                    .filter((hi, lo) -> hi != 0 || lo != 0)
                    .as((hi, lo) -> new VsiId(VsiIdFormat.IPV6, hi, lo));
            case MAC -> unicastMacs().map(VsiId::mac);
            case LOCAL -> Combinators.combine(Arbitraries.longs(), Arbitraries.longs())
                    .as((hi, lo) -> new VsiId(VsiIdFormat.LOCAL, hi, lo));
            case UUID -> nonNilUuids().map(VsiId::uuid);
        };
    }

    public static Arbitrary<ManagerId> managerIds() {
        return Arbitraries.oneOf(
                Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(ManagerId::new),
                utf8Text(16).map(ManagerId::ofText));
    }

    /** VIDs 0 (the null VID, REQ-7) to 4094; never the reserved 4095. */
    public static Arbitrary<Integer> vids() {
        return Arbitraries.integers().between(0, FilterEntry.MAX_VID);
    }

    public static Arbitrary<FilterEntry> filterEntries(FilterFormat format) {
        Arbitrary<Integer> group = format.hasGroup() ? Arbitraries.integers() : Arbitraries.just(0);
        Arbitrary<MacAddress> mac = format.hasMac() ? unicastMacs() : Arbitraries.<MacAddress>just(null);
        return Combinators.combine(group, mac, booleans(), Arbitraries.integers().between(0, 7), vids())
                .as(FilterEntry::new);
    }

    /** Filters of one format with at most {@code maxEntries} entries. */
    public static Arbitrary<Filter> filters(FilterFormat format, int maxEntries) {
        return filterEntries(format).list().ofMaxSize(maxEntries).map(l -> new Filter(format, l));
    }

    /** Filters of every format, each with at most as many entries as one VSI TLV holds. */
    public static Arbitrary<Filter> filters() {
        return Arbitraries.of(FilterFormat.class).flatMap(f -> filters(f, VsiTlv.maxEntries(f)));
    }

    public static Arbitrary<ReasonCode> reasonCodes() {
        return Arbitraries.integers().between(0, 15).map(ReasonCode::of);
    }

    public static Arbitrary<VsiStatus.Request> requestStatuses() {
        return Combinators.combine(booleans(), booleans(), Arbitraries.integers().between(0, 15))
                .as(VsiStatus.Request::new);
    }

    public static Arbitrary<VsiStatus.Response> responseStatuses() {
        return Combinators.combine(booleans(), booleans(), reasonCodes()).as(VsiStatus.Response::new);
    }

    public static Arbitrary<VsiStatus> vsiStatuses() {
        return Arbitraries.oneOf(requestStatuses(), responseStatuses());
    }

    // ------------------------------------------------------------------ extension TLVs

    public static Arbitrary<CapabilityTlv> capabilityTlvs() {
        Arbitrary<Integer> version = Arbitraries.oneOf(Arbitraries.just(CapabilityTlv.VERSION),
                Arbitraries.integers().between(1, 255));
        Arbitrary<CapabilityTlv.Limit> limit = Combinators.combine(Arbitraries.integers().between(1, 255),
                Arbitraries.longs().between(0, 0xFFFF_FFFFL)).as(CapabilityTlv.Limit::new);
        Arbitrary<List<CapabilityTlv.Limit>> limits = limit.list().ofMaxSize(CapabilityTlv.MAX_LIMITS)
                .uniqueElements(CapabilityTlv.Limit::kind);
        return Combinators.combine(version, Arbitraries.integers(), limits).as((v, bits, l) ->
                new CapabilityTlv(v, bits, v >= CapabilityTlv.LIMITS_VERSION ? l : List.of()));
    }

    public static Arbitrary<SessionTlv> sessionTlvs() {
        Arbitrary<Integer> flags = Arbitraries.integers().between(0, 7);
        Arbitrary<Integer> epoch = Arbitraries.integers().filter(e -> e != 0);
        return Combinators.combine(flags, epoch, Arbitraries.integers(), Arbitraries.integers(), Arbitraries.longs(),
                        bytes(SessionTlv.NONCE_LENGTH, SessionTlv.NONCE_LENGTH))
                .as(SessionTlv::new);
    }

    public static Arbitrary<VnId> vnIds() {
        return Arbitraries.oneOf(Arbitraries.integers().map(VnId.Group::new), nonNilUuids().map(VnId.Name::new));
    }

    /** A TSI address of every family (MAC, IPv4, IPv6), host or prefix, with or without bound MAC and GroupID. */
    public static Arbitrary<TsiAddress> tsiAddresses() {
        Arbitrary<Integer> group = Arbitraries.integers().injectNull(0.5);
        Arbitrary<MacAddress> boundMac = unicastMacs().injectNull(0.5);
        Arbitrary<TsiAddress> mac = Combinators.combine(unicastMacs(), group)
                .as((m, g) -> new TsiAddress(null, 48, m, g));
        Arbitrary<TsiAddress> v4 = Combinators.combine(octets(4, 4), Arbitraries.integers().between(0, 32), boundMac, group)
                .as((a, p, m, g) -> new TsiAddress(inet(a), p, m, g));
        Arbitrary<TsiAddress> v6 = Combinators.combine(octets(16, 16), Arbitraries.integers().between(0, 128), boundMac, group)
                .as((a, p, m, g) -> new TsiAddress(inet(a), p, m, g));
        return Arbitraries.oneOf(mac, v4, v6);
    }

    /** An IPv4 address for 4 octets, an IPv6 one (never an {@code Inet4Address}) for 16. */
    public static InetAddress inet(byte[] octets) {
        try {
            return octets.length == 4 ? InetAddress.getByAddress(octets) : Inet6Address.getByAddress(null, octets, -1);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** One fragment's worth of addresses, as many as one TLV holds at most. */
    public static Arbitrary<TsiAddressTlv> tsiAddressTlvs() {
        Arbitrary<List<TsiAddress>> addresses = tsiAddresses().list().ofMaxSize(40)
                .map(l -> fit(l, TsiAddress::encodedLength, ExtensionTlv.MAX_BODY - 8));
        return Combinators.combine(Arbitraries.of(TsiAddressTlv.Operation.class),
                        Arbitraries.integers().between(0, 0xFFFF), Arbitraries.integers().between(0, 0xFFFF),
                        booleans(), addresses)
                .as(TsiAddressTlv::new);
    }

    public static Arbitrary<DeactivateTlv> deactivateTlvs() {
        return Combinators.combine(booleans(), Arbitraries.of(DeactivateTlv.Cause.class)).as(DeactivateTlv::new);
    }

    public static Arbitrary<MigrationTlv> migrationTlvs() {
        return Arbitraries.of(MigrationTlv.Indication.class).flatMap(ind -> ind.isMigration()
                ? nonNilUuids().map(id -> new MigrationTlv(ind, id))
                : Arbitraries.just(new MigrationTlv(ind, MigrationTlv.NIL)));
    }

    /** Parameters of the known types with valid values, and of unknown types with any value. */
    public static Arbitrary<Parameter> parameters() {
        Arbitrary<Parameter> text = Combinators.combine(Arbitraries.of(Parameter.VN_PROFILE, Parameter.VN_ALIAS), utf8Text(255))
                .as((t, s) -> t == Parameter.VN_PROFILE ? Parameter.vnProfile(s) : Parameter.vnAlias(s));
        Arbitrary<Parameter> qos = Combinators.combine(Arbitraries.longs().between(0, 0xFFFF_FFFFL),
                        Arbitraries.longs().between(0, 0xFFFF_FFFFL), Arbitraries.integers().between(0, 7))
                .as(Parameter::qos);
        Arbitrary<Parameter> context = Arbitraries.integers().between(0, 0xFFFFFF).map(Parameter::vnContext);
        Arbitrary<Parameter> name = nonNilUuids().map(Parameter::vnName);
        Arbitrary<Parameter> mtu = Arbitraries.integers().between(0, 0xFFFF).map(Parameter::mtu);
        Arbitrary<Parameter> unknown = Combinators.combine(Arbitraries.integers().between(Parameter.MTU + 1, 255), bytes(0, 255))
                .as(Parameter::new);
        return Arbitraries.oneOf(text, qos, context, name, mtu, unknown);
    }

    public static Arbitrary<ParameterTlv> parameterTlvs() {
        return parameters().list().ofMaxSize(6)
                .map(l -> new ParameterTlv(fit(l, p -> 2 + p.value().length(), ExtensionTlv.MAX_BODY)));
    }

    public static Arbitrary<ReasonDetailTlv> reasonDetailTlvs() {
        return Combinators.combine(Arbitraries.integers().between(0, 0xFFFF), utf8Text(ReasonDetailTlv.MAX_TEXT))
                .as(ReasonDetailTlv::new);
    }

    public static Arbitrary<AuthTlv> authTlvs() {
        return Combinators.combine(Arbitraries.integers(), Arbitraries.longs(),
                        bytes(AuthTlv.HMAC_SHA256_TAG, AuthTlv.HMAC_SHA256_TAG))
                .as((key, counter, tag) -> new AuthTlv(AuthTlv.HMAC_SHA256, key, counter, tag));
    }

    /**
     * Another organization's TLV (any OUI but the project's), or one of the project's with a subtype
     * this codec does not know (0, 10..255): kept as it arrived.
     */
    public static Arbitrary<UnknownOrgTlv> unknownOrgTlvs() {
        Arbitrary<Integer> foreignOui = Arbitraries.oneOf(
                Arbitraries.of(EvbTlv.OUI_8021, 0x000000, 0xFFFFFF),
                Arbitraries.integers().between(0, 0xFFFFFF)).filter(o -> o != PROJECT_OUI);
        Arbitrary<UnknownOrgTlv> foreign = Combinators.combine(foreignOui, Arbitraries.integers().between(0, 255),
                bytes(0, ExtensionTlv.MAX_BODY)).as(UnknownOrgTlv::new);
        Arbitrary<Integer> unknownSubtype = Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(10, 255));
        Arbitrary<UnknownOrgTlv> ours = Combinators.combine(unknownSubtype, bytes(0, ExtensionTlv.MAX_BODY))
                .as((s, info) -> new UnknownOrgTlv(PROJECT_OUI, s, info));
        return Arbitraries.oneOf(foreign, ours);
    }

    // ------------------------------------------------------------------ items and PDUs

    private static <T extends OrgTlv> Arbitrary<List<OrgTlv>> upTo(Arbitrary<T> tlv, int n) {
        return tlv.list().ofMaxSize(n).map(l -> new ArrayList<OrgTlv>(l));
    }

    /** Concatenates the parts, shuffles them and keeps what fits in {@code budget} octets. */
    private static Arbitrary<List<OrgTlv>> mixed(int budget, List<Arbitrary<List<OrgTlv>>> parts) {
        return Combinators.combine(parts)
                .as(lists -> {
                    List<OrgTlv> all = new ArrayList<>();
                    lists.forEach(all::addAll);
                    return all;
                })
                .flatMap(Arbitraries::shuffle)
                .map(l -> fit(l, OrgTlv::lengthOf, budget));
    }

    /** TLVs attached to a VSI TLV: addresses, parameters and others' TLVs (any number), deactivate, migration, reason detail (at most one each). */
    public static Arbitrary<List<OrgTlv>> vsiAttached() {
        return mixed(900, List.of(upTo(tsiAddressTlvs(), 2), upTo(deactivateTlvs(), 1), upTo(migrationTlvs(), 1),
                upTo(parameterTlvs(), 2), upTo(reasonDetailTlvs(), 1), upTo(unknownOrgTlvs(), 2)));
    }

    /** TLVs attached to a VN connect TLV: parameters and others' TLVs (any number), reason detail (at most one). */
    public static Arbitrary<List<OrgTlv>> vnConnectAttached() {
        return mixed(900, List.of(upTo(parameterTlvs(), 2), upTo(reasonDetailTlvs(), 1), upTo(unknownOrgTlvs(), 2)));
    }

    /** The PDU header after the Manager ID: at most one capability and one session TLV, others' TLVs. */
    public static Arbitrary<List<OrgTlv>> headerTlvs() {
        return mixed(600, List.of(upTo(capabilityTlvs(), 1), upTo(sessionTlvs(), 1), upTo(unknownOrgTlvs(), 2)));
    }

    /** VSI TLVs of every mode, status, VSIID and filter format, without attached TLVs. */
    public static Arbitrary<VsiTlv> bareVsiTlvs() {
        return Combinators.combine(Arbitraries.of(VsiMode.class), vsiStatuses(),
                        Arbitraries.integers().between(0, 0xFFFFFF), Arbitraries.integers().between(0, 0xFF),
                        vsiIds(), filters())
                .as(VsiTlv::new);
    }

    /** VSI TLVs with attached extension TLVs obeying the placement rules. */
    public static Arbitrary<VsiTlv> vsiTlvs() {
        return Combinators.combine(bareVsiTlvs(), vsiAttached()).as(VsiTlv::withAttached);
    }

    /** VN connect, disconnect and disconnected (REQ-5, REQ-6) with local tags, null ones included (REQ-7). */
    public static Arbitrary<VnConnectTlv> vnConnectTlvs() {
        return Combinators.combine(vsiStatuses(), Arbitraries.of(VnConnectTlv.Operation.class), vnIds(),
                        vids().list().ofMaxSize(VnConnectTlv.MAX_TAGS), vnConnectAttached())
                .as(VnConnectTlv::new);
    }

    public static Arbitrary<VdpItem> vdpItems() {
        return Arbitraries.frequencyOf(Tuple.of(3, vsiTlvs()), Tuple.of(1, vnConnectTlvs()));
    }

    /**
     * VDP PDUs: header TLVs, up to 8 items (as many as fit), an optional authentication TLV, and a
     * Manager ID whenever a VSI TLV is present (and sometimes without one).
     */
    public static Arbitrary<VdpPdu> vdpPdus() {
        return Combinators.combine(managerIds(), booleans(), headerTlvs(), vdpItems().list().ofMaxSize(8),
                        authTlvs().injectNull(0.6))
                .as(WireArbitraries::pdu);
    }

    private static VdpPdu pdu(ManagerId managerId, boolean sendManagerId, List<OrgTlv> header, List<VdpItem> items,
            AuthTlv auth) {
        int budget = VdpPdu.MAX_LENGTH - VdpPdu.MANAGER_ID_LENGTH - VdpItem.attachedLength(header)
                - (auth == null ? 0 : auth.encodedLength());
        List<VdpItem> kept = fit(items, VdpItem::encodedLength, budget);
        boolean vsi = kept.stream().anyMatch(i -> i instanceof VsiTlv);
        return new VdpPdu(sendManagerId || vsi ? managerId : null, header, kept, auth);
    }

    // ------------------------------------------------------------------ ECP, Ethernet

    public static Arbitrary<EcpHeader> ecpHeaders() {
        return Combinators.combine(Arbitraries.of(EcpOperation.class), Arbitraries.integers().between(0, 0x3FF),
                Arbitraries.integers().between(0, 0xFFFF)).as(EcpHeader::new);
    }

    public static Arbitrary<EcpHeader> vdpEcpHeaders() {
        return Combinators.combine(Arbitraries.of(EcpOperation.class), Arbitraries.integers().between(0, 0xFFFF))
                .as((op, seq) -> new EcpHeader(op, EcpHeader.SUBTYPE_VDP, seq));
    }

    public static Arbitrary<VlanTag> vlanTags() {
        return Combinators.combine(Arbitraries.of(VlanTag.CTAG, VlanTag.STAG), Arbitraries.integers().between(0, 7),
                booleans(), Arbitraries.integers().between(0, 4095)).as(VlanTag::new);
    }

    /** Ethernet headers of one EtherType, to unicast or multicast destinations, with or without a tag. */
    public static Arbitrary<EthernetHeader> ethernetHeaders(int etherType) {
        return Combinators.combine(destinationMacs(), Arbitraries.oneOf(unicastMacs(), macs()), vlanTags().injectNull(0.5))
                .as((dst, src, tag) -> new EthernetHeader(dst, src, tag, etherType));
    }

    /** EtherTypes that are neither ECP, LLDP nor a VLAN tag. */
    public static Arbitrary<Integer> otherEtherTypes() {
        return Arbitraries.oneOf(Arbitraries.of(0x0800, 0x0806, 0x86DD, 0x88B5, 0x0600, 0xFFFF),
                        Arbitraries.integers().between(0x0600, 0xFFFF))
                .filter(t -> t != EcpHeader.ETHERTYPE && t != LldpPdu.ETHERTYPE && t != VlanTag.CTAG && t != VlanTag.STAG);
    }

    public static Arbitrary<EthernetHeader> ethernetHeaders() {
        return Arbitraries.oneOf(Arbitraries.of(EcpHeader.ETHERTYPE, LldpPdu.ETHERTYPE), otherEtherTypes())
                .flatMap(WireArbitraries::ethernetHeaders);
    }

    // ------------------------------------------------------------------ LLDP

    public static Arbitrary<EvbTlv> evbTlvs() {
        return Combinators.combine(Arbitraries.integers().between(0, 31), Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(0, 7), Arbitraries.integers().between(0, 31),
                        Arbitraries.of(EvbMode.class), Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(0, 31), Arbitraries.integers().between(0, 31))
                .as((bits, rrstat, r, rte, mode, rol, rwd, rka) -> new EvbTlv((bits & 1) != 0, (bits & 2) != 0,
                        (bits & 4) != 0, (bits & 8) != 0, (bits & 16) != 0, rrstat, r, rte, mode, (rol & 1) != 0, rwd,
                        (rol & 2) != 0, rka));
    }

    public static Arbitrary<ExtensionCapabilityTlv> extensionCapabilityTlvs() {
        return capabilityTlvs().map(ExtensionCapabilityTlv::new);
    }

    /**
     * Optional LLDP TLVs kept as they are: types 4..126 with any value, and type 127 with an OUI and
     * subtype that are neither the EVB TLV (00-80-C2/0x0D) nor the project's capability (subtype 1).
     */
    public static Arbitrary<OtherLldpTlv> otherLldpTlvs() {
        Arbitrary<OtherLldpTlv> plain = Combinators.combine(Arbitraries.integers().between(4, 126), bytes(0, 511))
                .as(OtherLldpTlv::new);
        Arbitrary<Integer> oui = Arbitraries.oneOf(Arbitraries.of(EvbTlv.OUI_8021, PROJECT_OUI),
                Arbitraries.integers().between(0, 0xFFFFFF));
        Arbitrary<OtherLldpTlv> org = Combinators.combine(oui, Arbitraries.integers().between(0, 255), octets(0, 507))
                .filter((o, s, info) -> !(o == EvbTlv.OUI_8021 && s == EvbTlv.SUBTYPE)
                        && !(o == PROJECT_OUI && s == ExtensionType.CAPABILITY.subtype()))
                .as((o, s, info) -> {
                    byte[] v = new byte[4 + info.length];
                    v[0] = (byte) (o >>> 16);
                    v[1] = (byte) (o >>> 8);
                    v[2] = (byte) (int) o;
                    v[3] = (byte) (int) s;
                    System.arraycopy(info, 0, v, 4, info.length);
                    return new OtherLldpTlv(127, Bytes.wrap(v));
                });
        return Arbitraries.oneOf(plain, org);
    }

    public static Arbitrary<LldpTlv> lldpTlvs() {
        return Arbitraries.oneOf(evbTlvs(), extensionCapabilityTlvs(), otherLldpTlvs());
    }

    /** LLDPDUs that fit an untagged Ethernet payload (1500 octets). */
    public static Arbitrary<LldpPdu> lldpPdus() {
        Arbitrary<Integer> subtypes = Arbitraries.integers().between(1, 7);
        return Combinators.combine(subtypes, bytes(1, 255), subtypes, bytes(1, 255),
                        Arbitraries.integers().between(0, 0xFFFF), lldpTlvs().list().ofMaxSize(8))
                .as((cs, chassis, ps, port, ttl, tlvs) -> new LldpPdu(cs, chassis, ps, port, ttl,
                        fit(tlvs, LldpTlv::encodedLength,
                                EthernetHeader.MAX_PAYLOAD - LLDP_FIXED - chassis.length() - port.length())));
    }

    // ------------------------------------------------------------------ frames

    public static Arbitrary<Frame.Vdp> vdpFrames() {
        return Combinators.combine(ethernetHeaders(EcpHeader.ETHERTYPE), vdpEcpHeaders(), vdpPdus()).as(Frame.Vdp::new);
    }

    /** ECP acknowledgements: the empty PDU, or only an authentication TLV. */
    public static Arbitrary<Frame.Vdp> vdpAckFrames() {
        return Combinators.combine(ethernetHeaders(EcpHeader.ETHERTYPE), Arbitraries.integers().between(0, 0xFFFF),
                        authTlvs().injectNull(0.5))
                .as((eth, seq, auth) -> new Frame.Vdp(eth, new EcpHeader(EcpOperation.ACK, EcpHeader.SUBTYPE_VDP, seq),
                        VdpPdu.EMPTY.withAuth(auth)));
    }

    public static Arbitrary<Frame.OtherEcp> otherEcpFrames() {
        Arbitrary<EcpHeader> ecp = ecpHeaders().filter(h -> h.subtype() != EcpHeader.SUBTYPE_VDP);
        return Combinators.combine(ethernetHeaders(EcpHeader.ETHERTYPE), ecp,
                bytes(0, EthernetHeader.MAX_PAYLOAD - EcpHeader.LENGTH)).as(Frame.OtherEcp::new);
    }

    public static Arbitrary<Frame.Lldp> lldpFrames() {
        return Combinators.combine(ethernetHeaders(LldpPdu.ETHERTYPE), lldpPdus()).as(Frame.Lldp::new);
    }

    public static Arbitrary<Frame.Other> otherFrames() {
        return Combinators.combine(otherEtherTypes().flatMap(WireArbitraries::ethernetHeaders),
                bytes(0, EthernetHeader.MAX_PAYLOAD)).as(Frame.Other::new);
    }

    // ------------------------------------------------------------------ pcap

    /** Timestamps a classic pcap record can hold: 0 to 2^32-1 seconds, nanoseconds (writers keep microseconds). */
    public static Arbitrary<Long> pcapTimestamps() {
        return Arbitraries.longs().between(0, 0xFFFF_FFFFL * 1_000_000_000L + 999_999_999L);
    }

    /** Records as a reader returns them: numbered from 1, captured octets (an encoded frame), original length at least that. */
    public static Arbitrary<PcapRecord> pcapRecords() {
        Arbitrary<byte[]> data = Arbitraries.oneOf(frames().map(f -> FrameCodec.DEFAULT.encode(f, false)), octets(0, 100));
        return Combinators.combine(Arbitraries.integers().between(1, 100_000), pcapTimestamps(), data,
                        Arbitraries.integers().between(0, 100))
                .as((n, ts, d, extra) -> new PcapRecord(n, ts, d.length + extra, Bytes.wrap(d)));
    }

    /** Frames of every kind, at most {@link EthernetHeader#MAX_FRAME} octets unpadded. */
    @SuppressWarnings("unchecked")
    public static Arbitrary<Frame> frames() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, vdpFrames()),
                Tuple.of(1, vdpAckFrames()),
                Tuple.of(1, otherEcpFrames()),
                Tuple.of(2, lldpFrames()),
                Tuple.of(1, otherFrames()));
    }
}
