package org.splitnve.nva.service;

import java.util.HexFormat;
import org.splitnve.nva.NveId;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * The name of one resource of the NVA's state (docs/nva-protocol.md section 3): its kind and an identifier
 * unique within the kind. Keys are what list, watch and the store name resources by; {@link #path()} is the
 * one text form ({@code mapping/5000/UUID:.../nnve-a/3}). Names inside a path are escaped ({@code %2F} for a
 * slash, {@code %25} for a percent sign), so two different keys never share a path.
 */
public record ResourceKey(Kind kind, String id) implements Comparable<ResourceKey> {

    /** The kinds of resource, with the path segment that names each. */
    public enum Kind {
        /** A VN of the registry (VN Name, VN ID, alias, context, service, mode, profile). */
        VN("vn"),
        /** An end-device rule: which end devices may use an nNVE (SEC-1). */
        DEVICE_PERMIT("device-permit"),
        /** A TSI rule: which TSIs may join a VN (SEC-1). */
        TSI_PERMIT("tsi-permit"),
        /** The TSI record of a validated VN (SEC-2). */
        TSI_RECORD("tsi-record"),
        /** An nNVE of the NVE registry: name, underlay VTEP address, VNs served. */
        NVE("nve"),
        /** The mapping or forwarding entries of one TSI instance, with its mobility sequence number. */
        MAPPING("mapping"),
        /** A local tag an nNVE uses for a VN in a port scope (SM-VAP-2). */
        LOCAL_TAG("local-tag"),
        /** An address claimed outside a migration, or moving too often (NVA-6). */
        DUPLICATE("duplicate"),
        /** The SHA-256 of an nNVE's token (NVA-7); never listed nor watched. */
        CREDENTIAL("credential");

        private final String segment;

        Kind(String segment) {
            this.segment = segment;
        }

        public String segment() {
            return segment;
        }

        public static Kind ofSegment(String segment) {
            for (Kind k : values()) {
                if (k.segment.equals(segment)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("no resource kind '" + segment + "'");
        }
    }

    public ResourceKey {
        if (kind == null || id == null || id.isEmpty()) {
            throw new IllegalArgumentException("a resource key has a kind and a non-empty id");
        }
    }

    /** {@code kind/id}: the text form, as the store and the protocol write it. */
    public String path() {
        return kind.segment + '/' + id;
    }

    public static ResourceKey parse(String path) {
        int slash = path.indexOf('/');
        if (slash <= 0 || slash == path.length() - 1) {
            throw new IllegalArgumentException("not a resource path: '" + path + "'");
        }
        return new ResourceKey(Kind.ofSegment(path.substring(0, slash)), path.substring(slash + 1));
    }

    @Override
    public int compareTo(ResourceKey o) {
        int c = kind.compareTo(o.kind);
        return c != 0 ? c : id.compareTo(o.id);
    }

    @Override
    public String toString() {
        return path();
    }

    // ------------------------------------------------------------------ the key of each kind

    public static ResourceKey vn(int vnId) {
        return new ResourceKey(Kind.VN, vn(vnId, new StringBuilder()).toString());
    }

    public static ResourceKey devicePermit(NveId nve, Integer port, MacAddress station) {
        StringBuilder sb = name(nve, new StringBuilder()).append('/').append(port == null ? "*" : port.toString())
                .append('/').append(station == null ? "*" : station.toString());
        return new ResourceKey(Kind.DEVICE_PERMIT, sb.toString());
    }

    public static ResourceKey tsiPermit(int vnId, VsiId vsi) {
        StringBuilder sb = vn(vnId, new StringBuilder()).append('/');
        return new ResourceKey(Kind.TSI_PERMIT, (vsi == null ? sb.append('*') : vsi(vsi, sb)).toString());
    }

    public static ResourceKey tsiRecord(int vnId, VsiId vsi) {
        return new ResourceKey(Kind.TSI_RECORD, vsi(vsi, vn(vnId, new StringBuilder()).append('/')).toString());
    }

    public static ResourceKey nve(NveId nve) {
        return new ResourceKey(Kind.NVE, name(nve, new StringBuilder()).toString());
    }

    public static ResourceKey credential(NveId nve) {
        return new ResourceKey(Kind.CREDENTIAL, name(nve, new StringBuilder()).toString());
    }

    /** {@code vn/vsi/nve/port}: one TSI instance (RFC 8394 section 3.2). */
    public static ResourceKey mapping(int vnId, VsiId vsi, NveId nve, int port) {
        StringBuilder sb = vsi(vsi, vn(vnId, new StringBuilder()).append('/')).append('/');
        name(nve, sb).append('/').append(port);
        return new ResourceKey(Kind.MAPPING, sb.toString());
    }

    public static ResourceKey localTag(NveId nve, int portScope, int tag) {
        StringBuilder sb = name(nve, new StringBuilder()).append('/').append(portScope).append('/').append(tag);
        return new ResourceKey(Kind.LOCAL_TAG, sb.toString());
    }

    /** {@code vn/claim}: one claimed address of a VN (a MAC, or an IP address or prefix). */
    public static ResourceKey duplicate(int vnId, TsiAddress claim) {
        StringBuilder sb = vn(vnId, new StringBuilder()).append('/');
        sb.append(claim.ip() == null ? "mac:" + claim.mac() : "ip:" + claim.ipText().replace('/', '_'));
        return new ResourceKey(Kind.DUPLICATE, sb.toString());
    }

    private static StringBuilder vn(int vnId, StringBuilder sb) {
        return sb.append(Integer.toUnsignedString(vnId));
    }

    private static StringBuilder vsi(VsiId vsi, StringBuilder sb) {
        return sb.append(vsi.format().name()).append(':').append(HexFormat.of().formatHex(vsi.toBytes()));
    }

    private static StringBuilder name(NveId nve, StringBuilder sb) {
        String n = nve.name();
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            switch (c) {
                case '/' -> sb.append("%2F");
                case '%' -> sb.append("%25");
                default -> sb.append(c);
            }
        }
        return sb;
    }
}
