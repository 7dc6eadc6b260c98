package org.splitnve.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.splitnve.transport.TestFrames.GROUP;
import static org.splitnve.transport.TestFrames.NCB;
import static org.splitnve.transport.TestFrames.ecp;
import static org.splitnve.transport.TestFrames.padded;
import static org.splitnve.transport.TestFrames.tagged;

import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.splitnve.wire.MacAddress;

/**
 * {@link RawSocket} on real links: two network namespaces joined by a veth pair (and, for REQ-1, a
 * third holding a Linux bridge), sockets opened in each from this one JVM (setns).
 */
@ExtendWith(NetLab.Cleanup.class)
class RawSocketNetnsTest {
    static final MacAddress MAC_A = MacAddress.parse("02:00:5e:00:00:0a");
    static final MacAddress MAC_B = MacAddress.parse("02:00:5e:00:00:0b");
    /** Long enough for a frame to cross; short enough that a test that fails does not hang. */
    static final long WAIT = 5_000;
    /** How long to wait for a frame that must not come. */
    static final long QUIET = 300;

    NetLab lab;
    String nsA;
    String nsB;
    RawSocket a;
    RawSocket b;

    @BeforeEach
    void link() throws IOException {
        lab = new NetLab();
        nsA = lab.namespace("a");
        nsB = lab.namespace("b");
        lab.veth(nsA, "eth0", MAC_A, nsB, "eth0", MAC_B);
        a = RawSocket.open("eth0", RawSocket.Options.defaults().inNamespace(nsA).joining(GROUP));
        b = RawSocket.open("eth0", RawSocket.Options.defaults().inNamespace(nsB).joining(GROUP));
    }

    @AfterEach
    void unlink() {
        try {
            if (a != null) {
                a.close();
            }
            if (b != null) {
                b.close();
            }
        } finally {
            lab.close();
        }
    }

    static byte[] next(RawSocket s) throws IOException {
        byte[] f = s.receive(WAIT);
        assertThat(f).as("a frame on %s within %d ms", s, WAIT).isNotNull();
        return f;
    }

    @Test
    @DisplayName("REQ-12: an ECP frame and an LLDP frame cross a veth link byte for byte, both ways; MACs read in the namespace")
    void ecpAndLldpCross() throws IOException {
        assertThat(a.mac()).isEqualTo(MAC_A);
        assertThat(b.mac()).isEqualTo(MAC_B);
        assertThat(a.namespace()).isEqualTo(nsA);
        byte[] ecp = ecp(NCB, MAC_A, 1, 120);
        byte[] lldp = TestFrames.lldp(MAC_A, "eth0");
        byte[] shortEcp = ecp(NCB, MAC_A, 2, 4);
        a.send(ecp);
        a.send(lldp);
        a.send(shortEcp);
        assertThat(next(b)).isEqualTo(ecp);
        assertThat(next(b)).isEqualTo(padded(lldp));
        assertThat(next(b)).as("padded to 60 octets with zeros").isEqualTo(padded(shortEcp)).hasSize(60);

        byte[] back = ecp(NCB, MAC_B, 3, 1400);
        b.send(back);
        assertThat(next(a)).isEqualTo(back);
        assertThat(a.stats().sent()).isEqualTo(3);
        assertThat(b.stats().received()).isEqualTo(3);
    }

    @Test
    @DisplayName("SEC-4: a socket nobody reads fills its receive buffer; the kernel drops the rest, and stats() counts those"
            + " drops; what fitted is still there to read")
    void kernelDropsCounted() throws IOException {
        int sent = 20_000; // 28 MB of frames: more than the socket's receive buffer (4 MiB asked for) holds
        byte[] f = ecp(MAC_B, MAC_A, 1, 1400);
        for (int i = 0; i < sent; i++) {
            a.send(f);
        }
        long dropped = b.stats().dropped();
        assertThat(dropped).as("frames the kernel dropped").isPositive();
        int read = 0;
        while (b.receive(QUIET) != null) {
            read++;
        }
        assertThat(read).as("frames that fitted").isPositive();
        assertThat(read + dropped).isLessThanOrEqualTo(sent);
        assertThat(b.stats().dropped()).as("the count is kept, not reset by reading it").isGreaterThanOrEqualTo(dropped);
    }

    @Test
    @DisplayName("GAP-1: frames to the nearest-customer-bridge group, to the peer's unicast MAC and to a non-reserved group arrive")
    void destinations() throws IOException {
        byte[] toGroup = ecp(NCB, MAC_A, 1, 50);
        byte[] toPeer = ecp(MAC_B, MAC_A, 2, 50);
        byte[] toNonReserved = ecp(GROUP, MAC_A, 3, 50);
        a.send(toGroup);
        a.send(toPeer);
        a.send(toNonReserved);
        assertThat(next(b)).isEqualTo(toGroup);
        assertThat(next(b)).isEqualTo(toPeer);
        assertThat(next(b)).isEqualTo(toNonReserved);
        b.join(MacAddress.parse("01:1b:21:00:00:02")); // later groups: a real NIC needs the membership
        byte[] toLater = ecp(MacAddress.parse("01:1b:21:00:00:02"), MAC_A, 4, 50);
        a.send(toLater);
        assertThat(next(b)).isEqualTo(toLater);
        assertThatThrownBy(() -> b.join(MAC_A)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("SEC-4: frames of other EtherTypes (IPv4, ARP, tagged IPv4) and unicast for another station are filtered out")
    void foreignFramesFiltered() throws IOException {
        MacAddress stranger = MacAddress.parse("02:00:5e:00:00:99");
        a.send(TestFrames.ipv4(MAC_B, MAC_A));
        a.send(TestFrames.arp(MAC_A));
        a.send(tagged(TestFrames.ipv4(MAC_B, MAC_A), 0x8100, 100));
        a.send(ecp(stranger, MAC_A, 1, 50));
        byte[] marker = ecp(MAC_B, MAC_A, 2, 50);
        a.send(marker);
        assertThat(next(b)).as("the first frame handed up is the ECP frame sent last").isEqualTo(marker);
        assertThat(b.receive(QUIET)).isNull();
        assertThat(b.stats().filtered()).isGreaterThanOrEqualTo(3);
        assertThat(b.stats().received()).isEqualTo(1);
    }

    @Test
    @DisplayName("a socket never receives the frames its host sends (PACKET_IGNORE_OUTGOING)")
    void ownFramesNotSeen() throws IOException {
        try (RawSocket a2 = RawSocket.open("eth0", RawSocket.Options.defaults().inNamespace(nsA))) {
            byte[] f = ecp(NCB, MAC_A, 1, 50);
            a.send(f);
            a2.send(ecp(NCB, MAC_A, 2, 50));
            assertThat(next(b)).isEqualTo(f);
            assertThat(next(b)).isEqualTo(ecp(NCB, MAC_A, 2, 50));
            assertThat(a.receive(QUIET)).as("a sees neither its own frame nor its neighbour's").isNull();
            assertThat(a2.receive(0)).isNull();
        }
    }

    @Test
    @DisplayName("tagged ECP frames (802.1Q, 802.1ad, priority-tagged, double-tagged) arrive with their tags, thanks to PACKET_AUXDATA")
    void tagsRecovered() throws IOException {
        byte[] ctag = tagged(ecp(NCB, MAC_A, 1, 60), 0x8100, 5 << 13 | 100);
        byte[] stag = tagged(ecp(NCB, MAC_A, 2, 60), 0x88A8, 200);
        byte[] priority = tagged(ecp(MAC_B, MAC_A, 3, 60), 0x8100, 3 << 13 | 0x1000);
        byte[] qinq = tagged(tagged(ecp(GROUP, MAC_A, 4, 60), 0x8100, 20), 0x88A8, 10);
        byte[] shortTagged = tagged(ecp(NCB, MAC_A, 5, 2), 0x8100, 7);
        for (byte[] f : new byte[][] {ctag, stag, priority, qinq, shortTagged}) {
            a.send(f);
        }
        assertThat(next(b)).isEqualTo(ctag);
        assertThat(next(b)).isEqualTo(stag);
        assertThat(next(b)).isEqualTo(priority);
        assertThat(next(b)).isEqualTo(qinq);
        assertThat(next(b)).isEqualTo(padded(shortTagged));
    }

    @Test
    @DisplayName("GAP-1: frames cross a Linux bridge (STP off) in a third namespace: NCB group, unicast, non-reserved group, tagged, EVB LLDP; nearest-bridge LLDP does not")
    void acrossBridge() throws IOException {
        String nsBr = lab.namespace("br");
        String nsC = lab.namespace("c");
        String nsD = lab.namespace("d");
        MacAddress macC = MacAddress.parse("02:00:5e:00:00:0c");
        MacAddress macD = MacAddress.parse("02:00:5e:00:00:0d");
        lab.veth(nsC, "eth0", macC, nsBr, "p1", MacAddress.parse("02:00:5e:00:01:01"));
        lab.veth(nsD, "eth0", macD, nsBr, "p2", MacAddress.parse("02:00:5e:00:01:02"));
        lab.bridge(nsBr, "br0", "p1", "p2");
        try (RawSocket c = RawSocket.open("eth0", RawSocket.Options.defaults().inNamespace(nsC).joining(GROUP));
                RawSocket d = RawSocket.open("eth0", RawSocket.Options.defaults().inNamespace(nsD).joining(GROUP))) {
            byte[][] frames = {
                ecp(NCB, macC, 1, 80),
                ecp(macD, macC, 2, 80),
                ecp(GROUP, macC, 3, 80),
                tagged(ecp(NCB, macC, 4, 80), 0x8100, 100),
                TestFrames.lldp(NCB, macC, "eth0"),
            };
            // An 802.1Q bridge never forwards the nearest-bridge address (01:80:C2:00:00:0E, plain LLDP):
            // sent first, it must not be what arrives first.
            c.send(TestFrames.lldp(macC, "eth0"));
            for (byte[] f : frames) {
                c.send(f);
            }
            for (byte[] f : frames) {
                assertThat(next(d)).isEqualTo(padded(f));
            }
            assertThat(d.receive(QUIET)).isNull();
            byte[] back = ecp(macC, macD, 5, 80);
            d.send(back);
            assertThat(next(c)).isEqualTo(back);
        }
    }

    /**
     * Waits until the thread whose native name is {@code name} sleeps in poll(2) (x86-64: poll or ppoll, per
     * /proc/self/task/TID/syscall, which root may read), so a close comes while it is blocked, not before.
     */
    private static void awaitInPoll(String name, Thread t) throws Exception {
        java.util.Set<String> poll = "aarch64".equals(System.getProperty("os.arch")) ? java.util.Set.of("73")
                : java.util.Set.of("7", "271");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() - deadline < 0) {
            assertThat(t.isAlive()).as("the receiving thread ended early").isTrue();
            try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
                for (java.nio.file.Path task : tasks.toList()) {
                    try {
                        if (java.nio.file.Files.readString(task.resolve("comm")).strip().equals(name)
                                && poll.contains(java.nio.file.Files.readString(task.resolve("syscall")).split(" ", 2)[0]
                                        .strip())) {
                            return;
                        }
                    } catch (IOException e) {
                        // a thread that ended meanwhile
                    }
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("thread " + name + " never blocked in poll");
    }

    @Test
    @DisplayName("receive gives up after its timeout, and a receive blocked without one ends at once on close")
    void timeoutAndClose() throws Exception {
        assertThat(b.receive(50)).isNull();
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("rx-blocked").start(() -> {
            try {
                b.receive(-1);
                ended.set(new AssertionError("a frame came"));
            } catch (Throwable e) {
                ended.set(e);
            }
        });
        awaitInPoll("rx-blocked", t);
        b.close();
        t.join(5_000);
        assertThat(t.isAlive()).as("receiver still blocked after close").isFalse();
        assertThat(ended.get()).isInstanceOf(AsynchronousCloseException.class);
        assertThat(b.isOpen()).isFalse();
        assertThatThrownBy(() -> b.send(ecp(NCB, MAC_B, 1, 50))).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> b.receive(0)).isInstanceOf(ClosedChannelException.class);
        b.close(); // twice is fine
    }

    @Test
    @DisplayName("opening fails with a clear message: unknown interface, unknown namespace, not Ethernet")
    void clearErrors() {
        assertThatThrownBy(() -> RawSocket.open("nosuch0", RawSocket.Options.defaults().inNamespace(nsA)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("nosuch0").hasMessageContaining(nsA).hasMessageContaining("ENODEV");
        assertThatThrownBy(() -> RawSocket.open("eth0", RawSocket.Options.defaults().inNamespace(NetLab.PREFIX + "none")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("/var/run/netns/" + NetLab.PREFIX + "none").hasMessageContaining("ENOENT");
        assertThatThrownBy(() -> RawSocket.open("lo", RawSocket.Options.defaults().inNamespace(nsA)))
                .isInstanceOf(IOException.class).hasMessageContaining("not an Ethernet interface");
    }
}
