package org.splitnve.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.splitnve.libvirt.DomainSamples.bridgeInterface;
import static org.splitnve.libvirt.DomainSamples.domain;
import static org.splitnve.libvirt.DomainSamples.metadata;
import static org.splitnve.libvirt.DomainSamples.networkInterface;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.api.JsonCodec;
import org.splitnve.cli.CliRun;
import org.splitnve.libvirt.DomainXml.DomainXmlException;
import org.splitnve.libvirt.DomainXml.Nic;
import org.splitnve.wire.MacAddress;
import tools.jackson.databind.JsonNode;

/** The domain XML libvirt passes to its hook, read into the VM's TSIs (the libvirt hook's input). */
class DomainXmlTest {

    @Test
    @DisplayName("two interfaces on port groups vn-5000 and vn-5001 are two TSIs; a plain bridge interface is left alone")
    void portgroups() throws Exception {
        DomainXml.Domain d = DomainXml.parse(domain("web-1", "",
                networkInterface("52:54:00:6b:3c:01", "vn-5000", "vnet0", 1)
                        + networkInterface("52:54:00:6b:3c:02", "vn-5001", "vnet1", 2)
                        + bridgeInterface("52:54:00:6b:3c:03", "vnet2")));
        assertThat(d.name()).isEqualTo("web-1");
        assertThat(d.nics()).containsExactly(
                new Nic(MacAddress.parse("52:54:00:6b:3c:01"), 5000, List.of(), null, "portgroup vn-5000"),
                new Nic(MacAddress.parse("52:54:00:6b:3c:02"), 5001, List.of(), null, "portgroup vn-5001"));
        assertThat(d.skipped()).containsExactly("52:54:00:6b:3c:03 (no VN: no metadata, no port group)");
        assertThat(LibvirtHook.tsiSpecs(d).stream().map(JsonCodec::write)).containsExactly(
                "{\"vn\":5000,\"mac\":\"52:54:00:6b:3c:01\",\"ips\":[]}",
                "{\"vn\":5001,\"mac\":\"52:54:00:6b:3c:02\",\"ips\":[]}");
    }

    @Test
    @DisplayName("the splitnve metadata gives VN, TSI ID and IPs per MAC, before the port group; its vn= is the default VN")
    void metadataForm() throws Exception {
        String md = metadata(" vn=\"7000\"", """
                      <splitnve:interface mac="52:54:00:6B:3C:01" vn="5000" tsi="7510A000-0000-4000-8000-0000000000AA">
                        <splitnve:ip>10.1.0.5</splitnve:ip>
                        <splitnve:ip> 2001:db8::5 </splitnve:ip>
                      </splitnve:interface>
                """);
        DomainXml.Domain d = DomainXml.parse(domain("db-1", md,
                networkInterface("52:54:00:6b:3c:01", "vn-5999", "vnet0", 1)
                        + bridgeInterface("52:54:00:6b:3c:03", "vnet2")));
        assertThat(d.nics()).containsExactly(
                new Nic(MacAddress.parse("52:54:00:6b:3c:01"), 5000, List.of("10.1.0.5", "2001:db8::5"),
                        "7510a000-0000-4000-8000-0000000000aa", "metadata"),
                new Nic(MacAddress.parse("52:54:00:6b:3c:03"), 7000, List.of(), null, "metadata (the VM's default VN)"));
        assertThat(JsonCodec.write(LibvirtHook.tsiSpecs(d).get(0))).isEqualTo("{\"id\":\"7510a000-0000-4000-8000-0000000000aa\","
                + "\"vn\":5000,\"mac\":\"52:54:00:6b:3c:01\",\"ips\":[\"10.1.0.5\",\"2001:db8::5\"]}");
    }

    @Test
    @DisplayName("a domain without interfaces, or with none on a VN, has no TSIs (the hook leaves it alone)")
    void noInterface() throws Exception {
        assertThat(DomainXml.parse(domain("plain", "", "")).nics()).isEmpty();
        DomainXml.Domain d = DomainXml.parse(domain("plain", "", networkInterface("52:54:00:00:00:09", "trunk", "vnet0", 1)));
        assertThat(d.nics()).isEmpty();
        assertThat(d.skipped()).containsExactly("52:54:00:00:00:09 (port group 'trunk' names no VN: vn-ID)");
    }

    @Test
    @DisplayName("SEC-4: malformed XML is refused with its line and column; not a domain, no name, no MAC: clear errors")
    void malformed() {
        assertThatThrownBy(() -> DomainXml.parse("<domain><name>x</name><devices><interface></devices></domain>"))
                .isInstanceOf(DomainXmlException.class)
                .hasMessageStartingWith("the domain XML is not well-formed: line 1, column ");
        assertThatThrownBy(() -> DomainXml.parse("")).hasMessage("no domain XML on standard input");
        assertThatThrownBy(() -> DomainXml.parse("<network><name>x</name></network>"))
                .hasMessageContaining("the root element is <network>, not <domain>");
        assertThatThrownBy(() -> DomainXml.parse("<domain type='kvm'><devices/></domain>")).hasMessage("the domain has no <name>");
        assertThatThrownBy(() -> DomainXml.parse(domain("x", "", "<interface type='network'><source network='o'/></interface>")))
                .hasMessage("<interface> 1 has no <mac address=...>");
        assertThatThrownBy(() -> DomainXml.parse(domain("x", "", networkInterface("52:54:00:00:00", "vn-1", "v", 1))))
                .hasMessage("<interface> 1 <mac address>: not a MAC address: '52:54:00:00:00'");
        assertThatThrownBy(() -> DomainXml.parse(domain("x", "", networkInterface("52:54:00:00:00:01", "vn-99999999999", "v", 1))))
                .hasMessageContaining("not a VN ID");
    }

    @Test
    @DisplayName("SEC-4: a DOCTYPE (external entity, entity expansion) is refused, nothing is fetched or expanded")
    void hostileXml() {
        assertThatThrownBy(() -> DomainXml.parse("""
                <?xml version="1.0"?>
                <!DOCTYPE domain [<!ENTITY x SYSTEM "file:///etc/passwd">]>
                <domain><name>&x;</name></domain>
                """)).isInstanceOf(DomainXmlException.class).hasMessageContaining("DOCTYPE");
        assertThatThrownBy(() -> DomainXml.parse("""
                <!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>
                <domain><name>&b;</name></domain>
                """)).isInstanceOf(DomainXmlException.class).hasMessageContaining("DOCTYPE");
    }

    @Test
    @DisplayName("mistakes in the splitnve metadata: an unknown MAC, a MAC twice, a bad IP or TSI, two elements, a stray element")
    void metadataMistakes() {
        String nic = networkInterface("52:54:00:00:00:01", "vn-5000", "vnet0", 1);
        assertThatThrownBy(() -> DomainXml.parse(domain("x", metadata("", "<splitnve:interface mac='52:54:00:00:00:02' vn='1'/>"), nic)))
                .hasMessage("the splitnve metadata names MAC 52:54:00:00:00:02, which no <interface> of the domain has");
        assertThatThrownBy(() -> DomainXml.parse(domain("x", metadata("", "<splitnve:interface mac='52:54:00:00:00:01' vn='1'/>"
                + "<splitnve:interface mac='52:54:00:00:00:01' vn='2'/>"), nic))).hasMessageContaining("names MAC 52:54:00:00:00:01 twice");
        assertThatThrownBy(() -> DomainXml.parse(domain("x", metadata("", "<splitnve:interface mac='52:54:00:00:00:01'>"
                + "<splitnve:ip>10.0.0.300</splitnve:ip></splitnve:interface>"), nic))).hasMessageContaining("not an IP address: '10.0.0.300'");
        assertThatThrownBy(() -> DomainXml.parse(domain("x", metadata("", "<splitnve:interface mac='52:54:00:00:00:01' tsi='x'/>"), nic)))
                .hasMessageContaining("tsi: not a UUID");
        assertThatThrownBy(() -> DomainXml.parse(domain("x", metadata("", "") + metadata("", ""), nic)))
                .hasMessageContaining("one <vm> element");
        assertThatThrownBy(() -> DomainXml.parse(domain("x", metadata("", "<splitnve:nic mac='52:54:00:00:00:01'/>"), nic)))
                .hasMessageContaining("unknown element <splitnve:nic>");
    }

    @Test
    @DisplayName("the hook ignores events it has nothing to do for (exit 0, stdout empty) and refuses arguments libvirt never passes (exit 2)")
    void hookArguments() {
        CliRun cli = new CliRun(Map.of("SPLITNVE_API", "http://127.0.0.1:1"));
        String xml = domain("web-1", "", networkInterface("52:54:00:6b:3c:01", "vn-5000", "vnet0", 1));
        for (String op : List.of("attach", "restore", "start")) {
            CliRun.Result r = cli.runWithInput(xml, "libvirt-hook", "web-1", op, "begin", "-");
            assertThat(r.status()).as("%s: %s", op, r).isZero();
            assertThat(r.out()).isEmpty();
            assertThat(r.err()).isEqualTo("splitnve libvirt-hook: web-1 " + op + " begin: nothing to do\n");
        }
        CliRun.Result r = cli.runWithInput(xml, "libvirt-hook", "web-1", "prepare");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("libvirt passes GUEST OPERATION SUB_OPERATION EXTRA, got 2 arguments");
        CliRun.Result t = new CliRun(Map.of("SPLITNVE_TIMEOUT", "soon"))
                .runWithInput(xml, "libvirt-hook", "web-1", "prepare", "begin", "-");
        assertThat(t.status()).isEqualTo(2);
        assertThat(t.err()).contains("SPLITNVE_TIMEOUT is a number of seconds, not 'soon'");
    }

    @Test
    @DisplayName("OPS-2, REL-1: libvirt's events map to tNVE operations: prepare/begin create, started/begin start, "
            + "stopped/end shutdown, release/end delete, migrate/begin prepare, reconnect/begin adopt")
    void mapping() {
        assertThat(LibvirtHook.action("prepare", "begin")).isEqualTo(LibvirtHook.Action.CREATE);
        assertThat(LibvirtHook.action("started", "begin")).isEqualTo(LibvirtHook.Action.START);
        assertThat(LibvirtHook.action("stopped", "end")).isEqualTo(LibvirtHook.Action.STOP);
        assertThat(LibvirtHook.action("release", "end")).isEqualTo(LibvirtHook.Action.RELEASE);
        assertThat(LibvirtHook.action("migrate", "begin")).isEqualTo(LibvirtHook.Action.MIGRATE_IN);
        assertThat(LibvirtHook.action("reconnect", "begin")).isEqualTo(LibvirtHook.Action.RECONNECT);
        for (String[] e : List.of(new String[] {"start", "begin"}, new String[] {"attach", "begin"}, new String[] {"restore", "begin"}, new String[] {"define", "-"},
                new String[] {"prepare", "end"})) {
            assertThat(LibvirtHook.action(e[0], e[1])).as("%s %s", e[0], e[1]).isEqualTo(LibvirtHook.Action.IGNORE);
        }
    }
}
