package org.splitnve.libvirt;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * What the libvirt hook needs from a domain XML (the one libvirt passes on standard input): the VM's
 * name and, per {@code <interface>}, its MAC, its VN and its IP addresses. The VN comes from the
 * splitnve metadata, else from the interface's port group named {@code vn-ID}; interfaces with neither
 * are not on a Split-NVE VN and are left alone. Parsed with the JDK, securely: no DTD, no external
 * entity, no XInclude (a domain XML has none of them). Every mistake is a {@link DomainXmlException}
 * saying what and where.
 *
 * <pre>{@code
 * <metadata>
 *   <splitnve:vm xmlns:splitnve="https://splitnve.org/libvirt/1" vn="5000">     (vn: the default VN, optional)
 *     <splitnve:interface mac="52:54:00:6b:3c:01" vn="5001" tsi="UUID (optional)">
 *       <splitnve:ip>10.1.0.5</splitnve:ip>          (an address, or a prefix: 10.1.0.0/24)
 *     </splitnve:interface>
 *   </splitnve:vm>
 * </metadata>
 * }</pre>
 */
public final class DomainXml {
    /** The namespace of the splitnve metadata element. */
    public static final String NS = "https://splitnve.org/libvirt/1";
    /** A port group that names a VN: {@code vn-5000}. */
    static final Pattern PORTGROUP = Pattern.compile("vn-(\\d+)");
    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** One virtual NIC on a Split-NVE VN: a TSI (id null: the tNVE derives it from the VM's name and MAC). */
    public record Nic(MacAddress mac, long vn, List<String> ips, String tsi, String from) {
        public Nic {
            ips = List.copyOf(ips);
        }
    }

    /** The domain: its name, its NICs on VNs, and the interfaces left alone (their MACs, and why). */
    public record Domain(String name, List<Nic> nics, List<String> skipped) {
        public Domain {
            nics = List.copyOf(nics);
            skipped = List.copyOf(skipped);
        }
    }

    /** A domain XML the hook cannot use. */
    public static final class DomainXmlException extends Exception {
        public DomainXmlException(String message) {
            super(message);
        }
    }

    private DomainXml() {
    }

    public static Domain parse(String xml) throws DomainXmlException {
        Document doc = read(xml);
        Element root = doc.getDocumentElement();
        if (!"domain".equals(root.getLocalName()) || root.getNamespaceURI() != null) {
            throw new DomainXmlException("not a libvirt domain XML: the root element is <" + root.getTagName()
                    + ">, not <domain>");
        }
        String name = text(child(root, null, "name"));
        if (name == null || name.isBlank()) {
            throw new DomainXmlException("the domain has no <name>");
        }
        Meta meta = metadata(root);
        List<Nic> nics = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Set<MacAddress> seen = new HashSet<>();
        Element devices = child(root, null, "devices");
        List<Element> interfaces = devices == null ? List.of() : children(devices, null, "interface");
        for (int i = 0; i < interfaces.size(); i++) {
            Element itf = interfaces.get(i);
            String where = "<interface> " + (i + 1);
            Element macEl = child(itf, null, "mac");
            if (macEl == null || macEl.getAttribute("address").isEmpty()) {
                throw new DomainXmlException(where + " has no <mac address=...>");
            }
            MacAddress mac = mac(macEl.getAttribute("address"), where + " <mac address>");
            if (!seen.add(mac)) {
                throw new DomainXmlException(where + ": MAC " + mac + " appears on two interfaces");
            }
            MetaNic m = meta.nics.remove(mac);
            Long vn = null;
            String from;
            if (m != null && m.vn != null) {
                vn = m.vn;
                from = "metadata";
            } else {
                Element source = child(itf, null, "source");
                String pg = source == null ? "" : source.getAttribute("portgroup");
                Matcher pm = PORTGROUP.matcher(pg);
                if (pm.matches()) {
                    vn = vnId(pm.group(1), where + " <source portgroup>");
                    from = "portgroup " + pg;
                } else if (meta.defaultVn != null) {
                    vn = meta.defaultVn;
                    from = "metadata (the VM's default VN)";
                } else {
                    skipped.add(mac + (pg.isEmpty() ? " (no VN: no metadata, no port group)"
                            : " (port group '" + pg + "' names no VN: vn-ID)"));
                    continue;
                }
            }
            nics.add(new Nic(mac, vn, m == null ? List.of() : m.ips, m == null ? null : m.tsi, from));
        }
        if (!meta.nics.isEmpty()) {
            throw new DomainXmlException("the splitnve metadata names MAC " + meta.nics.keySet().iterator().next()
                    + ", which no <interface> of the domain has");
        }
        return new Domain(name.strip(), nics, skipped);
    }

    private record MetaNic(Long vn, List<String> ips, String tsi) {}

    private record Meta(Long defaultVn, Map<MacAddress, MetaNic> nics) {}

    private static Meta metadata(Element root) throws DomainXmlException {
        Element md = child(root, null, "metadata");
        List<Element> ours = md == null ? List.of() : children(md, NS, null);
        if (ours.isEmpty()) {
            return new Meta(null, new LinkedHashMap<>());
        }
        if (ours.size() > 1 || !"vm".equals(ours.get(0).getLocalName())) {
            throw new DomainXmlException("the splitnve metadata is one <vm> element in namespace " + NS
                    + " (libvirt keeps one element per namespace), found " + ours.size() + " starting with <"
                    + ours.get(0).getLocalName() + ">");
        }
        Element vm = ours.get(0);
        Long defaultVn = vm.hasAttribute("vn") ? vnId(vm.getAttribute("vn"), "metadata <vm vn>") : null;
        Map<MacAddress, MetaNic> nics = new LinkedHashMap<>();
        for (Element e : children(vm, null, null)) {
            if (!NS.equals(e.getNamespaceURI()) || !"interface".equals(e.getLocalName())) {
                throw new DomainXmlException("unknown element <" + e.getTagName() + "> in the splitnve metadata"
                        + " (it holds <interface mac=... vn=... tsi=...> elements)");
            }
            if (!e.hasAttribute("mac")) {
                throw new DomainXmlException("metadata <interface> without mac=");
            }
            MacAddress mac = mac(e.getAttribute("mac"), "metadata <interface mac>");
            Long vn = e.hasAttribute("vn") ? vnId(e.getAttribute("vn"), "metadata <interface mac=" + mac + "> vn") : null;
            String tsi = null;
            if (e.hasAttribute("tsi")) {
                tsi = e.getAttribute("tsi");
                if (!UUID_TEXT.matcher(tsi).matches()) {
                    throw new DomainXmlException("metadata <interface mac=" + mac + "> tsi: not a UUID: '" + tsi + "'");
                }
                tsi = UUID.fromString(tsi).toString();
            }
            List<String> ips = new ArrayList<>();
            for (Element ip : children(e, null, null)) {
                if (!NS.equals(ip.getNamespaceURI()) || !"ip".equals(ip.getLocalName())) {
                    throw new DomainXmlException("unknown element <" + ip.getTagName() + "> in metadata <interface mac="
                            + mac + "> (it holds <ip> elements)");
                }
                String t = text(ip).strip();
                try {
                    // OPS-3: the parser of the CLI and the API; the text the tables show
                    ips.add(TsiAddress.parse(t).ipText());
                } catch (IllegalArgumentException bad) {
                    throw new DomainXmlException("metadata <interface mac=" + mac + "> <ip>: " + bad.getMessage());
                }
            }
            if (nics.put(mac, new MetaNic(vn, ips, tsi)) != null) {
                throw new DomainXmlException("the splitnve metadata names MAC " + mac + " twice");
            }
        }
        return new Meta(defaultVn, nics);
    }

    /** Parses without DTDs, external entities or XInclude; a syntax error names its line and column. */
    private static Document read(String xml) throws DomainXmlException {
        if (xml.isBlank()) {
            throw new DomainXmlException("no domain XML on standard input");
        }
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(new ErrorHandler() {
                @Override
                public void warning(SAXParseException e) {
                }

                @Override
                public void error(SAXParseException e) throws SAXException {
                    throw e;
                }

                @Override
                public void fatalError(SAXParseException e) throws SAXException {
                    throw e;
                }
            });
            b.setEntityResolver((publicId, systemId) -> {
                throw new SAXException("external entity " + systemId + " refused");
            });
            return b.parse(new InputSource(new StringReader(xml)));
        } catch (SAXParseException e) {
            throw new DomainXmlException("the domain XML is not well-formed: line " + e.getLineNumber() + ", column "
                    + e.getColumnNumber() + ": " + e.getMessage());
        } catch (SAXException | IOException e) {
            throw new DomainXmlException("the domain XML cannot be read: " + e.getMessage());
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser lacks a secure setting", e);
        }
    }

    private static MacAddress mac(String s, String where) throws DomainXmlException {
        try {
            MacAddress m = MacAddress.parse(s);
            if (!m.isValidUnicast()) {
                throw new DomainXmlException(where + ": " + m + " is not a unicast MAC");
            }
            return m;
        } catch (IllegalArgumentException e) {
            throw new DomainXmlException(where + ": not a MAC address: '" + s + "'");
        }
    }

    private static long vnId(String s, String where) throws DomainXmlException {
        try {
            long v = Long.parseLong(s.strip());
            if (v >= 0 && v <= 0xFFFF_FFFFL) {
                return v;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new DomainXmlException(where + ": not a VN ID (0 to 4294967295): '" + s + "'");
    }

    /** The element children of {@code parent} in namespace {@code ns} (null: none) named {@code name} (null: any). */
    private static List<Element> children(Element parent, String ns, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && (name == null || name.equals(e.getLocalName()))
                    && (ns == null ? name == null || e.getNamespaceURI() == null : ns.equals(e.getNamespaceURI()))) {
                out.add(e);
            }
        }
        return out;
    }

    private static Element child(Element parent, String ns, String name) {
        List<Element> c = children(parent, ns, name);
        return c.isEmpty() ? null : c.get(0);
    }

    private static String text(Element e) {
        return e == null ? null : e.getTextContent();
    }
}
