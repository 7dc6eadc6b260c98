package org.splitnve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitnve.launcher.MainAccess;
import org.splitnve.transport.RawSocket;
import org.splitnve.wire.GoldenCapture;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.pcap.PcapReader;
import org.splitnve.wire.pcap.PcapRecord;

/**
 * {@code splitnve capture} on a veth end in a network namespace: the frames the test sends from the
 * other end (and one sent from the captured end itself) land in a pcap that {@code decode} and tshark read.
 */
class CaptureNetnsTest {
    private static final MacAddress MAC_A = MacAddress.parse("02:c1:00:00:00:0a");
    private static final MacAddress MAC_B = MacAddress.parse("02:c1:00:00:00:0b");

    /** A capture running on its own thread, with its output streams. */
    record Running(CompletableFuture<Integer> status, ByteArrayOutputStream stdout, ByteArrayOutputStream stderr) {
        String err() {
            return stderr.toString(StandardCharsets.UTF_8);
        }

        String out() {
            return stdout.toString(StandardCharsets.UTF_8);
        }
    }

    static Running start(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Io io = new Io(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]), Map.of());
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> MainAccess.run(io, args));
        Running r = new Running(status, out, err);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!r.err().contains("capturing") && !status.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(r.err()).as("capture started: %s", r.err()).contains("capturing ECP and LLDP on");
        return r;
    }

    /** The frame with an 802.1Q tag (VID 100) after the source address. */
    static byte[] tagged(byte[] f) {
        byte[] t = new byte[f.length + 4];
        System.arraycopy(f, 0, t, 0, 12);
        t[12] = (byte) 0x81;
        t[14] = 0;
        t[15] = 100;
        System.arraycopy(f, 12, t, 16, f.length - 12);
        return t;
    }

    static String hex(byte[] f) {
        return java.util.HexFormat.of().formatHex(f);
    }

    /** As it goes on the wire: padded to 60 octets. */
    static byte[] padded(byte[] f) {
        return f.length >= RawSocket.MIN_FRAME ? f : java.util.Arrays.copyOf(f, RawSocket.MIN_FRAME);
    }

    @Test
    @DisplayName("REQ-12, SEC-3: capture records ECP and LLDP (tagged too, and the host's own outgoing frames), not other "
            + "EtherTypes, stops after --count, counts per EtherType; decode and tshark read the file")
    void captureDecodeTshark(@TempDir Path dir) throws Exception {
        Netns.assumeRoot();
        List<PcapRecord> golden = GoldenCapture.records();
        byte[] ecp = golden.get(6).data().toArray();
        byte[] lldp = null;
        for (PcapRecord r : golden) {
            byte[] f = r.data().toArray();
            if ((f[12] & 0xFF) == 0x88 && (f[13] & 0xFF) == 0xCC) {
                lldp = f;
                break;
            }
        }
        assertThat(lldp).isNotNull();
        byte[] ipv4 = new byte[60];
        System.arraycopy(ecp, 0, ipv4, 0, 12);
        ipv4[12] = 0x08;
        Path file = dir.resolve("cap.pcap");
        try (Netns lab = new Netns()) {
            String nsA = lab.namespace("a");
            String nsB = lab.namespace("b");
            lab.veth(nsA, "cap0", MAC_A, nsB, "cap1", MAC_B);
            Running cap = start("capture", "cap0", "--netns", nsA, "--out", file.toString(), "--count", "5");
            try (RawSocket b = RawSocket.open("cap1", RawSocket.Options.defaults().inNamespace(nsB));
                    RawSocket a = RawSocket.open("cap0", RawSocket.Options.defaults().inNamespace(nsA))) {
                b.send(ecp);
                b.send(ipv4);          // not ECP or LLDP: not recorded
                b.send(lldp);
                b.send(tagged(ecp));
                a.send(golden.get(7).data().toArray()); // sent by this host on the captured interface
                b.send(golden.get(8).data().toArray());
                b.send(golden.get(9).data().toArray()); // after --count: not recorded
            }
            assertThat(cap.status().get(20, TimeUnit.SECONDS)).as("%s", cap.err()).isZero();
            assertThat(cap.out()).isEqualTo("5 frames on " + nsA + "/cap0 into " + file
                    + ": ECP (0x8940) 4, LLDP (0x88cc) 1\n");
        }
        List<PcapRecord> got = PcapReader.readAll(Files.readAllBytes(file));
        assertThat(got).hasSize(5);
        // The frames reach the capture in no fixed order: A's own frame is seen as it is sent, B's once the kernel has
        // passed them through the veth, on whichever CPU sent each (round 1 of a stress run recorded A's frame first).
        List<String> bytes = new ArrayList<>();
        got.forEach(r -> bytes.add(java.util.HexFormat.of().formatHex(r.data().toArray())));
        assertThat(bytes).as("ECP, LLDP, the tagged ECP frame (the VLAN tag kept), this host's own, and the one after")
                .containsExactlyInAnyOrder(hex(padded(ecp)), hex(padded(lldp)), hex(padded(tagged(ecp))),
                        hex(padded(golden.get(7).data().toArray())), hex(padded(golden.get(8).data().toArray())));

        CliRun.Result decoded = new CliRun().run("decode", file.toString());
        assertThat(decoded.status()).as("%s", decoded).isZero();
        assertThat(decoded.out()).contains("5 frames, 5 decoded, 0 malformed");

        Process p = new ProcessBuilder("tshark", "-n", "-r", file.toString(), "-T", "fields", "-e", "eth.type", "-e", "vlan.etype", "-e", "vlan.id")
                .redirectErrorStream(false).start();
        String tshark = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(tshark.lines().toList()).containsExactlyInAnyOrder("0x8940\t\t", "0x88cc\t\t", "0x8100\t0x8940\t100",
                "0x8940\t\t", "0x8940\t\t");
    }

    @Test
    @DisplayName("REQ-12: Ctrl-C (SIGINT) stops a capture running as its own process: the counts are printed and the file is complete")
    void interrupt(@TempDir Path dir) throws Exception {
        Netns.assumeRoot();
        Path file = dir.resolve("sigint.pcap");
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        List<PcapRecord> golden = GoldenCapture.records();
        String nsA;
        try (Netns lab = new Netns()) {
            nsA = lab.namespace("a");
            String nsB = lab.namespace("b");
            lab.veth(nsA, "cap0", MAC_A, nsB, "cap1", MAC_B);
            Process p = new ProcessBuilder(Launcher.write(dir).toString(), "capture", "cap0", "--netns", nsA, "--out",
                    file.toString()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!Files.readString(err).contains("capturing") && p.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(Files.readString(err)).contains("capturing ECP and LLDP on " + nsA + "/cap0");
                try (RawSocket b = RawSocket.open("cap1", RawSocket.Options.defaults().inNamespace(nsB))) {
                    for (int i = 6; i < 9; i++) {
                        b.send(golden.get(i).data().toArray());
                    }
                }
                // every frame is flushed as it is written: wait until the three are in the file
                while (PcapReader.readAll(Files.readAllBytes(file)).size() < 3 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                Netns.run("kill", "-INT", Long.toString(p.pid()));
                assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            } finally {
                p.destroyForcibly();
            }
        }
        assertThat(Files.readString(out)).isEqualTo("3 frames on " + nsA + "/cap0 into " + file
                + ": ECP (0x8940) 3, LLDP (0x88cc) 0\n");
        assertThat(PcapReader.readAll(Files.readAllBytes(file))).hasSize(3);
    }

    @Test
    @DisplayName("REQ-12: --duration stops a capture that saw nothing; the file is a valid, empty pcap")
    void durationEmpty(@TempDir Path dir) throws Exception {
        Netns.assumeRoot();
        Path file = dir.resolve("empty.pcap");
        try (Netns lab = new Netns()) {
            String nsA = lab.namespace("a");
            String nsB = lab.namespace("b");
            lab.veth(nsA, "cap0", MAC_A, nsB, "cap1", MAC_B);
            Running cap = start("capture", "cap0", "--netns", nsA, "--out", file.toString(), "--duration", "1");
            assertThat(cap.status().get(20, TimeUnit.SECONDS)).isZero();
            assertThat(cap.out()).isEqualTo("0 frames on " + nsA + "/cap0 into " + file + ": ECP (0x8940) 0, LLDP (0x88cc) 0\n");
        }
        assertThat(PcapReader.readAll(Files.readAllBytes(file))).isEmpty();
        assertThat(Files.size(file)).isEqualTo(24);
    }

    @Test
    @DisplayName("capture on an interface that does not exist: exit 1 and the reason")
    void noSuchInterface(@TempDir Path dir) throws Exception {
        Netns.assumeRoot();
        try (Netns lab = new Netns()) {
            String ns = lab.namespace("a");
            CliRun.Result r = new CliRun().run("capture", "nosuch0", "--netns", ns, "--out", dir.resolve("x.pcap").toString());
            assertThat(r.status()).isEqualTo(1);
            assertThat(r.err()).contains("cannot capture on " + ns + "/nosuch0").contains("no interface");
        }
    }
}
