package org.splitnve.wire.lldp;

import java.util.List;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.MacAddress;

/**
 * An LLDPDU (IEEE 802.1AB): the mandatory chassis ID, port ID and TTL TLVs, optional TLVs (the EVB
 * TLV among them), and the End TLV (implicit here, always written).
 */
public record LldpPdu(int chassisIdSubtype, Bytes chassisId, int portIdSubtype, Bytes portId, int ttl,
        List<LldpTlv> tlvs) {
    public static final int ETHERTYPE = 0x88CC;
    public static final int SUBTYPE_MAC = 4;
    public static final int PORT_SUBTYPE_MAC = 3;
    public static final int PORT_DESCRIPTION = 4;
    public static final int SYSTEM_NAME = 5;

    public LldpPdu {
        if (chassisIdSubtype < 1 || chassisIdSubtype > 7 || portIdSubtype < 1 || portIdSubtype > 7) {
            throw new IllegalArgumentException("chassis and port ID subtypes are 1..7");
        }
        if (chassisId.length() < 1 || chassisId.length() > 255 || portId.length() < 1 || portId.length() > 255) {
            throw new IllegalArgumentException("chassis and port IDs are 1..255 octets");
        }
        if (ttl < 0 || ttl > 0xFFFF) {
            throw new IllegalArgumentException("TTL is 16 bits");
        }
        tlvs = List.copyOf(tlvs);
    }

    /** Chassis and port ID both the MAC address of the sending port, as lldpad sends them. */
    public static LldpPdu ofMac(MacAddress mac, int ttl, List<LldpTlv> tlvs) {
        Bytes id = Bytes.wrap(mac.toBytes());
        return new LldpPdu(SUBTYPE_MAC, id, PORT_SUBTYPE_MAC, id, ttl, tlvs);
    }

    public EvbTlv evb() {
        for (LldpTlv t : tlvs) {
            if (t instanceof EvbTlv e) {
                return e;
            }
        }
        return null;
    }

    /** The System Name TLV (802.1AB type 5) as text, or null. */
    public String systemName() {
        return text(SYSTEM_NAME);
    }

    /** The Port Description TLV (802.1AB type 4) as text, or null. */
    public String portDescription() {
        return text(PORT_DESCRIPTION);
    }

    private String text(int type) {
        for (LldpTlv t : tlvs) {
            if (t instanceof OtherLldpTlv o && o.type() == type) {
                return new String(o.value().toArray(), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** A System Name (type 5) or Port Description (type 4) TLV holding {@code text} (UTF-8, at most 255 octets). */
    public static OtherLldpTlv textTlv(int type, String text) {
        byte[] b = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (b.length < 1 || b.length > 255) {
            throw new IllegalArgumentException("an LLDP name holds 1 to 255 octets: '" + text + "'");
        }
        return new OtherLldpTlv(type, Bytes.wrap(b));
    }

    public ExtensionCapabilityTlv extensionCapability() {
        for (LldpTlv t : tlvs) {
            if (t instanceof ExtensionCapabilityTlv c) {
                return c;
            }
        }
        return null;
    }

    public int encodedLength() {
        int len = 2 + 1 + chassisId.length() + 2 + 1 + portId.length() + 4 + 2;
        for (LldpTlv t : tlvs) {
            len += t.encodedLength();
        }
        return len;
    }
}
