package org.splitnve.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Locale;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.splitnve.wire.vdp.TsiAddress;

/**
 * OPS-3: the one parser and printer of the IP addresses operators write (CLI, API, libvirt hook). Every way
 * of writing an address gives the same address and prints back in one canonical text (RFC 5952 for IPv6),
 * which parses to the same address: what a table shows can be typed back.
 */
@Label("OPS-3: IP address text, parsed and printed the same everywhere")
class IpTextTest {

    @Example
    @Label("OPS-3: RFC 5952 section 4: lower case, no leading zeros, the longest zero run (the first of equal ones) "
            + "as '::', a single zero group kept, IPv4-mapped addresses with their dotted quad")
    void rfc5952() {
        assertThat(canonical("2001:0DB8:0000:0000:0000:0000:0000:0001")).isEqualTo("2001:db8::1");
        assertThat(canonical("2001:db8:0:0:0:0:0:1")).isEqualTo("2001:db8::1");
        assertThat(canonical("2001:db8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(canonical("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1");
        assertThat(canonical("2001:0:0:1:0:0:0:1")).isEqualTo("2001:0:0:1::1");
        assertThat(canonical("0:0:0:0:0:0:0:0")).isEqualTo("::");
        assertThat(canonical("::1")).isEqualTo("::1");
        assertThat(canonical("1::")).isEqualTo("1::");
        assertThat(canonical("fe80::1:2")).isEqualTo("fe80::1:2");
        assertThat(canonical("::FFFF:192.0.2.1")).isEqualTo("::ffff:192.0.2.1");
        assertThat(canonical("64:ff9b::c000:201")).isEqualTo("64:ff9b::c000:201");
        assertThat(canonical("64:ff9b::192.0.2.1")).isEqualTo("64:ff9b::c000:201");
        assertThat(canonical("192.0.2.1")).isEqualTo("192.0.2.1");
        assertThat(canonical("0.0.0.0")).isEqualTo("0.0.0.0");
        // an IPv4-mapped address stays IPv6 (the JDK's own parser would make it IPv4)
        assertThat(IpText.parse("::ffff:192.0.2.1")).isInstanceOf(Inet6Address.class);
        assertThat(IpText.parse("192.0.2.1")).isInstanceOf(Inet4Address.class);
    }

    private static String canonical(String s) {
        return IpText.format(IpText.parse(s));
    }

    @Property(tries = 500)
    @Label("OPS-3: any IPv6 address: the canonical text and the JDK's long text both parse to it; the canonical text "
            + "is a fixed point")
    void anyIpv6(@ForAll @Size(16) byte[] octets) throws Exception {
        InetAddress a = Inet6Address.getByAddress(null, octets, -1);
        String text = IpText.format(a);
        assertThat(IpText.parse(text)).isEqualTo(a);
        assertThat(IpText.parse(text).getAddress()).isEqualTo(octets);
        assertThat(IpText.format(IpText.parse(text))).isEqualTo(text);
        assertThat(text).isEqualTo(text.toLowerCase(Locale.ROOT)).doesNotContain(":::").hasSizeLessThanOrEqualTo(IpText.MAX_LITERAL);
        assertThat(IpText.parse(text.toUpperCase(Locale.ROOT)).getAddress()).isEqualTo(octets);
        String jdk = a instanceof Inet6Address ? a.getHostAddress() : null;
        if (jdk != null) {
            assertThat(IpText.parse(jdk).getAddress()).isEqualTo(octets);
        }
    }

    @Property(tries = 300)
    @Label("OPS-3: any IPv4 address and prefix length: parse(text) gives it back")
    void anyIpv4Prefix(@ForAll @Size(4) byte[] octets, @ForAll byte len) throws Exception {
        int prefix = Math.floorMod(len, 33);
        TsiAddress a = TsiAddress.prefix(InetAddress.getByAddress(octets), prefix);
        assertThat(TsiAddress.parse(a.ipText())).isEqualTo(a);
    }

    @Example
    @Label("OPS-3, SEC-4: what is not an address is refused with the reason: leading zeros, zones, names, bad groups")
    void refusals() {
        String[][] cases = {
            {"", "empty"},
            {"host.example", "IPv4 address is four decimal octets"},
            {"010.0.0.1", "without leading zeros"},
            {"10.0.0.256", "0..255"},
            {"10.0.0", "four decimal octets"},
            {"10.0.0.1.", "four decimal octets"},
            {"\u0661.0.0.1", "four decimal octets"},        // an Arabic-Indic digit: not ASCII
            {"fe80::1%eth0", "zone"},
            {"1:2:3:4:5:6:7:8:9", "more than eight groups"},
            {"1:2:3:4:5:6:7", "eight groups"},
            {"1::2::3", "'::' may stand once"},
            {":::", "'::' may stand once"},
            {"1:2:3:4:5:6:7::8", "at least one zero group"},
            {"12345::", "1 to 4 hex digits"},
            {":1::", "empty group"},
            {"1::2:", "empty group"},
            {"1.2.3.4::", "dotted quad"},
            {"::1.2.3", "dotted quad"},
            {"2001:db8::g", "neither a hex digit"},
            {"[::1]", "neither a hex digit"},
            {"0000:0000:0000:0000:0000:0000:0000:0000:0000:0", "longer than any IP address"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> IpText.parse(c[0])).as("'%s'", c[0]).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(c[1]);
            assertThat(IpText.parseOrNull(c[0])).isNull();
            assertThatThrownBy(() -> TsiAddress.parse(c[0])).as("'%s'", c[0])
                    .hasMessageStartingWith("not an IP address: '" + c[0] + "'");
        }
    }

    @Example
    @Label("OPS-3, REQ-10: hosts and prefixes (seed 004); /32 and /128 are the host; a bad prefix length is refused")
    void prefixes() throws Exception {
        assertThat(TsiAddress.parse("192.0.2.0/24")).isEqualTo(TsiAddress.prefix(InetAddress.getByName("192.0.2.0"), 24));
        assertThat(TsiAddress.parse("192.0.2.0/24").ipText()).isEqualTo("192.0.2.0/24");
        assertThat(TsiAddress.parse("10.0.0.1/32")).isEqualTo(TsiAddress.parse("10.0.0.1"));
        assertThat(TsiAddress.parse("10.0.0.1/32").ipText()).isEqualTo("10.0.0.1");
        assertThat(TsiAddress.parse("0.0.0.0/0").ipText()).isEqualTo("0.0.0.0/0");
        assertThat(TsiAddress.parse("2001:DB8:0:0::/32").ipText()).isEqualTo("2001:db8::/32");
        assertThat(TsiAddress.parse("2001:db8::1/128").ipText()).isEqualTo("2001:db8::1");
        assertThat(TsiAddress.parse("2001:db8::1/128").toString()).isEqualTo("2001:db8::1/128");
        for (String bad : new String[] {"192.0.2.0/33", "192.0.2.0/", "192.0.2.0/024", "192.0.2.0/-1", "2001:db8::/129",
            "192.0.2.0/24/1", "192.0.2.0/ 24", "192.0.2.0/2a"}) {
            assertThatThrownBy(() -> TsiAddress.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("not an IP address: '" + bad + "'");
        }
    }
}
