package org.splitnve.daemon.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.splitnve.daemon.netns.DaemonLab.mac;
import static org.splitnve.daemon.netns.DaemonLab.port;
import static org.splitnve.daemon.netns.DaemonLab.tsi;
import static org.splitnve.daemon.netns.DaemonLab.uplink;
import static org.splitnve.daemon.netns.DaemonLab.vns;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.splitnve.api.JsonCodec;
import org.splitnve.daemon.NnveDaemon;
import org.splitnve.daemon.config.NnveSettings;
import org.splitnve.daemon.netns.DaemonLab.Nnve;
import org.splitnve.daemon.netns.DaemonLab.Tnve;
import org.splitnve.nnve.TsiState;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.transport.InterfaceLock;
import org.splitnve.transport.RawSocket;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.vdp.SessionTlv;

/**
 * OPS-4: one daemon per interface, and a daemon checks all it can before its first frame. Real daemons on real
 * frames in network namespaces: as processes of their own ({@code splitnve nnve|tnve --config FILE}) where the
 * exit status and what reaches the wire matter, in-process where namespaces are the point. A raw socket on the far
 * end of the cable sees what each daemon sent.
 */
class OneDaemonPerInterfaceNetnsTest {
    static final MacAddress NNVE = mac(0x10);
    static final MacAddress STATION = mac(1);
    /** No periodic LLDPDU during a test: only what a daemon sends at its start and in answer. */
    static final String QUIET_LLDP = "[lldp]\ninterval = 3600\n";

    @RegisterExtension
    final DaemonLab lab = new DaemonLab();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Every frame the socket has received and gets within {@code millis} of the last one. */
    private static List<Frame> drain(RawSocket s, long millis) throws Exception {
        List<Frame> out = new ArrayList<>();
        byte[] b;
        while ((b = s.receive(millis)) != null) {
            try {
                out.add(FrameCodec.DEFAULT.decode(b));
            } catch (DecodeException e) {
                throw new AssertionError("an undecodable frame on the wire: " + e.getMessage(), e);
            }
        }
        return out;
    }

    @Test
    @DisplayName("OPS-4, SEC-3: a second nNVE process on the interface an nNVE serves exits with status 2 naming the "
            + "first (its PID) and starts nothing; the first goes on alone: a VM's TSI is activated once, and every "
            + "VDP frame the nNVE side sends carries the first nNVE's session epoch")
    void secondNnveRefused() throws Exception {
        String nsN = lab.namespace("n");
        String nsT = lab.namespace("t");
        DaemonLab.Bridge w = lab.wire("w0");
        lab.attach(w, nsN, "p0", NNVE);
        lab.attach(w, nsT, "up0", STATION);
        Path config = lab.write("n1.conf", lab.nnveConfig("n1", port(nsN, "p0", "") + vns(5000) + QUIET_LLDP));
        Path log1 = lab.dir().resolve("n1-first.log");
        Process first = lab.daemonProcess("nnve", config, log1);
        String api = DaemonLab.apiAddress(first, log1);

        Path log2 = lab.dir().resolve("n1-second.log");
        Process second = lab.daemonProcess("nnve", config, log2);
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("the second nNVE process ends by itself").isTrue();
        String err = Files.readString(DaemonLab.stderrOf(log2));
        assertThat(second.exitValue()).as("exit status; stderr: %s", err).isEqualTo(2);
        assertThat(err).contains("interface " + nsN + "/p0 is already served by another splitnve daemon")
                .contains("nnve n1 (" + config + ") pid " + first.pid()).contains("one daemon per interface: stop that one first").contains("no frame sent");
        assertThat(DaemonLab.events(Files.readString(log2), "daemon.started")).isEmpty();
        assertThat(first.isAlive()).isTrue();

        // the first nNVE serves alone
        RawSocket sniffer = lab.closeAfter(RawSocket.open("up0", RawSocket.Options.defaults().inNamespace(nsT)));
        Tnve t = lab.tnve("h1", uplink("tor", nsT, "up0", NNVE.toString(), "") + QUIET_LLDP);
        TsiSpec vm = tsi(1, 5000);
        t.ok(e -> e.create("vm1", List.of(vm)));
        t.ok(e -> e.start("vm1"));
        HttpResponse<String> tsis = http.send(HttpRequest.newBuilder(URI.create("http://" + api + "/v1/tsis")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(JsonCodec.tree(tsis.body()).values()).singleElement()
                .satisfies(x -> assertThat(x.get("state").asString()).isEqualTo(TsiState.ACTIVATED.name()));
        long epoch = JsonCodec.tree(http.send(HttpRequest.newBuilder(URI.create("http://" + api + "/v1/status")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).get("epoch").asLong();
        Set<Long> epochs = new HashSet<>();
        for (Frame f : drain(sniffer, 200)) {
            if (f instanceof Frame.Vdp v && v.ethernet().source().equals(NNVE) && v.vdp().header(SessionTlv.class) != null) {
                epochs.add(Integer.toUnsignedLong(v.vdp().header(SessionTlv.class).epoch()));
            }
        }
        assertThat(epochs).as("session epochs of the frames from the nNVE side").containsExactly(epoch);
    }

    @Test
    @DisplayName("OPS-4: a tNVE process whose API address is taken exits with status 1 saying so, before its first "
            + "frame: the far end of its cable receives nothing from it")
    void apiAddressCheckedBeforeTheFirstFrame() throws Exception {
        String nsN = lab.namespace("n");
        String nsT = lab.namespace("t");
        DaemonLab.Bridge w = lab.wire("w0");
        lab.attach(w, nsN, "p0", NNVE);
        lab.attach(w, nsT, "up0", STATION);
        RawSocket farEnd = lab.closeAfter(RawSocket.open("p0", RawSocket.Options.defaults().inNamespace(nsN)));
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path config = lab.write("h1.conf", lab.tnveConfig("h1", uplink("tor", nsT, "up0", "ncb", ""))
                    .replace("listen = \"127.0.0.1:0\"", "listen = \"127.0.0.1:" + taken.getLocalPort() + "\""));
            Path log = lab.dir().resolve("h1.log");
            Process p = lab.daemonProcess("tnve", config, log);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the tNVE process ends by itself").isTrue();
            String err = Files.readString(DaemonLab.stderrOf(log));
            assertThat(p.exitValue()).as("exit status; stderr: %s", err).isEqualTo(1);
            assertThat(err).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
        assertThat(drain(farEnd, 300)).as("frames from the tNVE that could not start")
                .noneMatch(f -> f.ethernet().source().equals(STATION));
    }

    @Test
    @DisplayName("OPS-4: the same interface name in two network namespaces is two interfaces (two nNVEs on p0 run); a "
            + "second daemon on one of them, in the same process, is refused naming the holder and the holder keeps "
            + "serving; once the holder stops the interface is free")
    void lockedPerNamespaceAndInterface() throws Exception {
        String nsA = lab.namespace("a");
        String nsB = lab.namespace("b");
        String nsT = lab.namespace("t");
        DaemonLab.Bridge wa = lab.wire("wa");
        DaemonLab.Bridge wb = lab.wire("wb");
        lab.attach(wa, nsA, "p0", NNVE);
        lab.attach(wb, nsB, "p0", mac(0x11));
        lab.attach(wa, nsT, "up0", STATION);
        Nnve a = lab.nnve("na", port(nsA, "p0", "") + vns(5000));
        Nnve b = lab.nnve("nb", port(nsB, "p0", "") + vns(5000));
        assertThat(a.events("daemon.started")).hasSize(1);
        assertThat(b.events("daemon.started")).hasSize(1);

        Path f = lab.write("nc.conf", lab.nnveConfig("nc", port(nsA, "p0", "") + vns(5000)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> NnveDaemon.start(NnveSettings.load(f), f.toString(),
                new PrintStream(out, true, StandardCharsets.UTF_8)))
                .isInstanceOf(InterfaceLock.HeldException.class)
                .hasMessageContaining("interface " + nsA + "/p0 is already served by another splitnve daemon (nnve na ");
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("daemon.started");

        // the holder still serves (its lock was not disturbed by the refused one)
        Tnve t = lab.tnve("h1", uplink("tor", nsT, "up0", NNVE.toString(), ""));
        TsiSpec vm = tsi(1, 5000);
        t.ok(e -> e.create("vm1", List.of(vm)));
        assertThat(a.state(vm)).isEqualTo(TsiState.ASSOCIATED);

        a.daemon.close();
        NnveDaemon c = lab.closeAfter(NnveDaemon.start(NnveSettings.load(f), f.toString(),
                new PrintStream(out, true, StandardCharsets.UTF_8)));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("daemon.started");
        assertThat(c.api()).isNotNull();
    }
}
