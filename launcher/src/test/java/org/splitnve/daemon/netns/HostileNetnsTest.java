package org.splitnve.daemon.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.daemon.netns.DaemonLab.await;
import static org.splitnve.daemon.netns.DaemonLab.mac;
import static org.splitnve.daemon.netns.DaemonLab.port;
import static org.splitnve.daemon.netns.DaemonLab.text;
import static org.splitnve.daemon.netns.DaemonLab.tsi;
import static org.splitnve.daemon.netns.DaemonLab.uplink;
import static org.splitnve.sim.scenario.Frames.hostileTsi;
import static org.splitnve.sim.scenario.Frames.hostileTsiMac;
import static org.splitnve.sim.scenario.Frames.vsi;

import java.io.File;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.splitnve.daemon.Daemon;
import org.splitnve.daemon.log.EventLog;
import org.splitnve.daemon.netns.DaemonLab.Bridge;
import org.splitnve.daemon.netns.DaemonLab.Nnve;
import org.splitnve.daemon.netns.DaemonLab.Tnve;
import org.splitnve.nnve.TsiState;
import org.splitnve.protocol.Clock;
import org.splitnve.protocol.Timers;
import org.splitnve.sim.scenario.Frames;
import org.splitnve.sim.scenario.ScriptStation;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.transport.AgentRunner;
import org.splitnve.transport.RawPort;
import org.splitnve.transport.RawSocket;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.DeactivateTlv;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.ReasonDetailTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.TsiAddressTlv;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VnConnectTlv;
import org.splitnve.wire.vdp.VnId;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;
import tools.jackson.databind.JsonNode;

/**
 * SEC-4 on real frames: an nNVE daemon serving an authenticated station daemon (the victim) while, from
 * raw sockets in other namespaces, a hostile station on the victim's bridge (the sim's ScriptStation: it
 * speaks ECP, so it gets answers) asks for 5,000 VNs, floods out-of-state, malformed and misleading
 * requests, forges frames in the victim's name and sends from hundreds of made-up MACs, and a fuzzer
 * cabled to a second nNVE port sends thousands of random, truncated and mis-sized frames within a second
 * (the sim's frame makers). The simulation's counterpart: sim/.../scenario/HostileInputScenarioTest.
 */
class HostileNetnsTest {
    static final MacAddress NNVE = mac(0x10);
    static final MacAddress NNVE_FUZZ_PORT = mac(0x11);
    static final MacAddress VICTIM = mac(1);
    static final MacAddress HOSTILE = mac(0x66);
    static final MacAddress FUZZER = mac(0x77);
    static final int FIRST_FLOOD_VN = 10_001;
    static final int FLOOD_VNS = 5_000;
    /** VNs 10001..10020 exist at the NVA; the port's pool has 10 tags, VN 5000 takes one. */
    static final int KNOWN_FLOOD_VNS = 20;
    /** The hostile station's ECP: R = 7, so its flood arrives whole. */
    static final Timers HOSTILE_TIMERS = new Timers(7, 12, 20, 20);

    /**
     * The daemons' default timers (docs/configuration.md: R 3, RTE 14, RWD 20, RKA 20). Not the lab's short
     * ones: under this burst the nNVE's engine falls a second or two behind, and with RTE 12 and a keep-alive
     * every 1.3 s the victim gives up on its nNVE during the backlog (its ECP timers, not the nNVE's state
     * machines, would be under test).
     */
    static final String DEFAULT_TIMERS = """
            [timers]
            retries = 3
            rte = 14
            rwd = 20
            rka = 20
            """;

    @RegisterExtension
    final DaemonLab lab = new DaemonLab();

    private AgentRunner<ScriptStation> hostile;

    private <T> T atHostile(Callable<T> c) throws Exception {
        return hostile.call(c).get(10, TimeUnit.SECONDS);
    }

    private static int code(VdpItem i) {
        VsiStatus s = i instanceof VsiTlv v ? v.status() : ((VnConnectTlv) i).status();
        return ((VsiStatus.Response) s).code().value();
    }

    @Test
    @DisplayName("SEC-4, SEC-3, SM-REASON, REQ-11: under a burst of hostile and malformed frames from raw sockets (random "
            + "octets, truncated TLVs, wrong lengths, forged authentication, a station asking for 5,000 VNs, thousands "
            + "of requests and frames within a second, hundreds of made-up stations) the nNVE daemon stays up, answers "
            + "with reason codes where an answer is due, logs what it drops, and the other station's TSIs (state, tag, "
            + "NVA entries) are the same before and after")
    void hostileBurst() throws Exception {
        lab.timers(DEFAULT_TIMERS);
        String nsN = lab.namespace("n");
        String nsV = lab.namespace("v");
        String nsX = lab.namespace("x");
        String nsF = lab.namespace("f");
        Bridge br = lab.bridge("br0");
        lab.attach(br, nsN, "p0", NNVE);
        lab.attach(br, nsV, "up0", VICTIM);
        lab.attach(br, nsX, "x0", HOSTILE);
        Bridge wire = lab.wire("wf");
        lab.attach(wire, nsN, "p1", NNVE_FUZZ_PORT);
        lab.attach(wire, nsF, "f0", FUZZER);
        byte[] key = new byte[32];
        new SplittableRandom(11).nextBytes(key);
        lab.keyFile("v.key", key);
        long[] vnIds = new long[1 + KNOWN_FLOOD_VNS];
        vnIds[0] = 5000;
        for (int i = 0; i < KNOWN_FLOOD_VNS; i++) {
            vnIds[i + 1] = (long) FIRST_FLOOD_VN + i;
        }
        Nnve n = lab.nnve("n1", port(nsN, "p0", "tags = \"100-109\"") + port(nsN, "p1", "tags = \"200-209\"") + """
                [auth]
                allow_unauthenticated = true
                [[auth.key]]
                station = "%s"
                id = 1
                file = "v.key"
                """.formatted(VICTIM) + DaemonLab.vns(vnIds));
        Tnve v = lab.tnve("victim", uplink("tor", nsV, "up0", NNVE.toString(), "nnve = \"" + NNVE + "\"") + """
                [[auth.key]]
                uplink = "tor"
                id = 1
                file = "v.key"
                """);
        TsiSpec a1 = tsi(1, 5000).withIps(List.of(TsiAddress.host(InetAddress.getByName("10.0.0.1")),
                TsiAddress.host(InetAddress.getByName("2001:db8::1"))));
        TsiSpec a2 = tsi(2, 5000);
        TsiSpec b1 = tsi(3, 5000);
        v.ok(e -> e.create("vmA", List.of(a1, a2)));
        v.ok(e -> e.start("vmA"));
        v.ok(e -> e.create("vmB", List.of(b1)));
        Map<String, Object> before = snapshot(n, v, a1, a2, b1);

        RawPort hostilePort = RawPort.open("x0", RawSocket.Options.defaults().inNamespace(nsX));
        hostile = lab.closeAfter(AgentRunner.builder("hostile").port(hostilePort).build(io -> new ScriptStation(io,
                Clock.system(), NNVE, EnumSet.allOf(CapabilityTlv.Feature.class), HOSTILE_TIMERS, e -> { })));
        hostile.start();
        RawSocket fuzzer = lab.closeAfter(RawSocket.open("f0", RawSocket.Options.defaults().inNamespace(nsF)));

        // every refusal reaches the metrics and the event stream (the log's taps), whatever the log shows
        java.util.concurrent.atomic.AtomicLong hostileRefusals = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong badInputs = new java.util.concurrent.atomic.AtomicLong();
        n.daemon.log().addTap((at, e) -> {
            if (e instanceof org.splitnve.nnve.NnveEvent.Refused r && r.station().equals(HOSTILE)) {
                hostileRefusals.incrementAndGet();
            } else if (e instanceof org.splitnve.nnve.NnveEvent.BadInput) {
                badInputs.incrementAndGet();
            }
        });

        // 1. A station asking for 5,000 VNs: those the NVA knows get tags while the pool lasts, the rest are refused.
        List<VnConnectTlv> connects = new ArrayList<>();
        for (int vn = FIRST_FLOOD_VN; vn < FIRST_FLOOD_VN + FLOOD_VNS; vn++) {
            connects.add(VnConnectTlv.request(VnConnectTlv.Operation.CONNECT, VnId.group(vn), List.of(0)));
        }
        hostile.submit(() -> {
            hostile.agent().hello();
            hostile.agent().submitAll(connects);
        }).get(30, TimeUnit.SECONDS); // ran without an exception
        Map<Long, VnConnectTlv> vnAnswers = new HashMap<>();
        await("answers to the 5,000 VN connects", Duration.ofSeconds(60), () -> {
            for (VnConnectTlv c : atHostile(() -> hostile.agent().received(VnConnectTlv.class))) {
                vnAnswers.put(((VnId.Group) c.vn()).unsigned(), c);
            }
            return vnAnswers.size() == FLOOD_VNS;
        });
        List<VnConnectTlv> granted = vnAnswers.values().stream().filter(c -> code(c) == 0).toList();
        assertThat(granted).hasSize(9).allSatisfy(c -> {
            assertThat(((VnId.Group) c.vn()).unsigned()).isLessThan(FIRST_FLOOD_VN + KNOWN_FLOOD_VNS);
            assertThat(c.localTags()).singleElement().satisfies(t -> assertThat(t).isBetween(100, 109));
        });
        Map<Integer, Integer> refusals = new LinkedHashMap<>();
        for (VnConnectTlv c : vnAnswers.values()) {
            if (code(c) != 0) {
                refusals.merge(code(c), 1, Integer::sum);
                assertThat(c.attached(ReasonDetailTlv.class)).as("a reason detail on %s", c).isNotNull();
            }
        }
        System.out.println("VN connect refusals by reason code: " + refusals);
        assertThat(refusals.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(FLOOD_VNS - 9);
        assertThat(vnAnswers.get((long) FIRST_FLOOD_VN + KNOWN_FLOOD_VNS).attached(ReasonDetailTlv.class).text())
                .contains("unknown VN");
        long connected = ((VnId.Group) granted.getFirst().vn()).unsigned();

        // 2. Thousands of requests: out of state, malformed, misleading, naming the victim's TSIs, validate-only.
        List<VdpItem> flood = new ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            flood.add(vsi(VsiMode.PRE_ASSOCIATE_RR, hostileTsi(i), connected, hostileTsiMac(i), List.of()));
        }
        flood.add(vsi(VsiMode.PRE_ASSOCIATE_RR, hostileTsi(300), connected, hostileTsiMac(300),
                List.of(new DeactivateTlv(false, DeactivateTlv.Cause.SUSPEND))));      // never associated
        flood.add(new VsiTlv(VsiMode.ASSOCIATE, VsiStatus.Request.PLAIN, 1, 1, hostileTsi(301),
                Filter.of(FilterFormat.GROUP_MAC_VID, FilterEntry.groupMacVid((int) connected, hostileTsiMac(301), 0),
                        FilterEntry.groupMacVid(5000, hostileTsiMac(301), 0)), List.of()));  // two VNs in one TLV
        flood.add(new VsiTlv(VsiMode.PRE_ASSOCIATE_RR, VsiStatus.Request.PLAIN, 1, 1, hostileTsi(302),
                Filter.of(FilterFormat.GROUP_VID, FilterEntry.groupVid(5000, 0)), List.of(TsiAddressTlv.split(
                        TsiAddressTlv.Operation.REPLACE, 11, List.of(TsiAddress.host(InetAddress.getByName("10.66.0.1"))),
                        480).getFirst())));                                              // addresses without a MAC
        flood.add(vsi(VsiMode.ASSOCIATE, hostileTsi(303), 99_999, hostileTsiMac(303), List.of()));  // unknown VN
        for (TsiSpec t : List.of(a1, a2, b1)) {
            flood.add(vsi(VsiMode.DE_ASSOCIATE, t.id(), 5000, t.mac(), List.of()));   // the victim's TSIs
            flood.add(vsi(VsiMode.ASSOCIATE, t.id(), 5000, t.mac(), List.of()));      // claimed, no migration hint
        }
        for (int i = 0; i < 2000; i++) {
            flood.add(vsi(VsiMode.PRE_ASSOCIATE, hostileTsi(10_000 + i), connected, hostileTsiMac(10_000 + i),
                    List.of()));
        }
        hostile.submit(() -> hostile.agent().submitAll(flood)).get(30, TimeUnit.SECONDS); // ran without an exception

        // 3. Octets within a second, to port 1: random frames, random VDP behind a valid header, every truncation
        //    and every TLV length one off, of a valid request.
        byte[] valid = Frames.vdp(NNVE_FUZZ_PORT, FUZZER, EcpHeader.request(7), new VdpPdu(ManagerId.ofText("fuzz"),
                List.of(), List.of(vsi(VsiMode.PRE_ASSOCIATE_RR, hostileTsi(500), 5000, hostileTsiMac(500),
                        List.of())), null), false);
        List<byte[]> octets = new ArrayList<>(Frames.noise(new SplittableRandom(77), valid, 1500, 14, 1515));
        octets.addAll(Frames.truncations(valid, 14, valid.length));
        octets.addAll(Frames.lengthErrors(valid));
        long t0 = System.nanoTime();
        for (byte[] f : octets) {
            fuzzer.send(f);
        }
        long burstEnd = System.nanoTime();
        long burstMillis = (burstEnd - t0) / 1_000_000;
        System.out.printf("fuzzer: %d frames in %d ms%n", octets.size(), burstMillis);

        // 4. Through the victim's bridge: its MAC with a made-up authentication tag and with none; and 500 made-up
        //    stations, each one new end device asking for a TSI.
        VdpPdu deassociateA1 = new VdpPdu(ManagerId.ofText("victim"), List.of(), List.of(vsi(VsiMode.DE_ASSOCIATE,
                a1.id(), 5000, a1.mac(), List.of())), null);
        hostile.submit(() -> {
            for (int i = 0; i < 20; i++) {
                hostile.agent().sendRaw(Frames.forged(NNVE, VICTIM, 1000 + i, deassociateA1, 1, 5_000_000L + i, i));
                hostile.agent().sendRaw(Frames.vdp(NNVE, VICTIM, EcpHeader.request(2000 + i), deassociateA1));
            }
            for (int i = 0; i < 500; i++) {
                MacAddress spoofed = new MacAddress(0x02AB_0000_0000L | i);
                hostile.agent().sendRaw(Frames.vdp(NNVE, spoofed, EcpHeader.request(1), new VdpPdu(
                        ManagerId.ofText("spoof"), List.of(), List.of(vsi(VsiMode.PRE_ASSOCIATE_RR,
                                hostileTsi(20_000 + i), 5000, spoofed, List.of())), null)));
            }
        }).get(30, TimeUnit.SECONDS); // ran without an exception

        // The hostile station's requests are all answered (ECP delivered them; VDP answers them).
        await("answers to the hostile requests", Duration.ofSeconds(60), () -> atHostile(() ->
                hostile.agent().vsiResponses().stream().filter(r -> r.mode() == VsiMode.PRE_ASSOCIATE).count() >= 2000
                        && hostile.agent().vsiResponses().stream().anyMatch(r -> r.vsiId().equals(hostileTsi(303)))));
        assertThat(atHostile(() -> hostile.agent().undelivered())).isEmpty();
        List<VsiTlv> answers = atHostile(() -> hostile.agent().vsiResponses());
        Map<VsiId, List<Integer>> codes = new HashMap<>();
        for (VsiTlv r : answers) {
            codes.computeIfAbsent(r.vsiId(), k -> new ArrayList<>()).add(code(r));
        }
        assertThat(codes.get(hostileTsi(300))).as("deactivating a TSI never associated").contains(4);
        assertThat(codes.get(hostileTsi(301))).as("one VSI TLV naming two VNs").contains(1);
        assertThat(codes.get(hostileTsi(302))).as("addresses for a TSI without a MAC").contains(1);
        assertThat(answers).filteredOn(r -> r.vsiId().equals(hostileTsi(302))).anySatisfy(r ->
                assertThat(r.attached(ReasonDetailTlv.class).text()).contains("needs a MAC"));
        assertThat(codes.get(hostileTsi(303))).as("an unknown VN").contains(4);
        for (TsiSpec t : List.of(a1, a2, b1)) {
            assertThat(codes.get(t.id())).as("requests naming the victim's TSI %s", t.id()).isNotEmpty();
        }
        assertThat(answers).filteredOn(r -> r.mode() == VsiMode.PRE_ASSOCIATE).hasSizeGreaterThanOrEqualTo(2000);
        assertThat(answers).filteredOn(r -> code(r) != 0).allSatisfy(r -> assertThat(r.attached(ReasonDetailTlv.class))
                .as("a refusal with its reason detail: %s", r).isNotNull());

        // The daemon is up: its engine answers, never failed, and logged what it dropped and refused (SEC-3).
        // each junk frame is either decoded and refused (input.bad: counted, logged in aggregate, SEC-5) or, behind the per-source queues in front of the
        // engine (REL-3), dropped and counted (transport.source_dropped, reported every 10 s)
        await("the burst is processed", Duration.ofSeconds(30), () -> badInputs.get()
                + n.events("transport.source_dropped").stream().mapToLong(e -> Long.parseLong(text(e, "dropped"))).sum()
                > octets.size() / 4 && n.events("ecp.auth_refused").size() >= 10);
        System.out.printf("the nNVE caught up %d ms after the fuzzer's burst ended%n",
                (System.nanoTime() - burstEnd) / 1_000_000);
        assertThat(n.call(() -> n.d.engine().peers().size())).isPositive();
        assertThat(n.daemon.runner().stats().engineErrors()).isZero();
        assertThat(n.events("transport.engine_failed")).isEmpty();
        assertThat(n.events("input.bad")).allSatisfy(e -> assertThat(text(e, "error")).isNotBlank());
        assertThat(n.events("ecp.auth_refused")).filteredOn(e -> VICTIM.toString().equals(text(e, "peer")))
                .extracting(e -> text(e, "verdict")).contains("BAD_TAG", "MISSING");
        // SEC-5: the refusals are all counted, but logged in aggregate: a few lines per source and 10 s interval,
        // the rest in one log.suppressed line per source and interval (all reported by the time the daemon stops)
        assertThat(hostileRefusals.get()).isGreaterThan(FLOOD_VNS - 9);
        long hostileLines = n.events("request.refused").stream()
                .filter(e -> HOSTILE.toString().equals(text(e, "station"))).count();
        assertThat(hostileLines).as("refusal lines logged for the hostile station")
                .isLessThanOrEqualTo((long) EventLog.BURST * 20);
        n.daemon.log().close();
        long hostileSuppressed = n.events("log.suppressed").stream()
                .filter(e -> "request.refused".equals(text(e, "suppressed")) && text(e, "source").endsWith(HOSTILE.toString()))
                .mapToLong(e -> Long.parseLong(text(e, "count"))).sum();
        assertThat(hostileLines + hostileSuppressed).as("logged and counted in summaries").isEqualTo(hostileRefusals.get());
        System.out.printf("nNVE log: %d input.bad, %d ecp.auth_refused, %d request.refused, %d peer.up%n",
                n.events("input.bad").size(), n.events("ecp.auth_refused").size(), n.events("request.refused").size(),
                n.events("peer.up").size());

        // The victim: untouched, and served as before.
        assertThat(snapshot(n, v, a1, a2, b1)).isEqualTo(before);
        v.ok(e -> e.suspend("vmA"));
        v.ok(e -> e.resume("vmA"));
        v.ok(e -> e.start("vmB"));
        for (TsiSpec t : List.of(a1, a2, b1)) {
            assertThat(n.call(() -> n.d.engine().instances(t.id()).stream().filter(x -> x.station().equals(VICTIM))
                    .map(x -> x.state()).toList())).containsExactly(TsiState.ACTIVATED);
        }
        assertThat(v.events("nnve.initiated")).isEmpty();
        lab.reportLoss(n, v);
    }

    /** The victim's TSIs as the nNVE (its instance of each), the nNVE's NVA and the victim hold them. */
    private static Map<String, Object> snapshot(Nnve n, Tnve v, TsiSpec... tsis) throws Exception {
        Map<String, Object> s = new LinkedHashMap<>();
        for (TsiSpec t : tsis) {
            s.put("nnve " + t.id(), n.call(() -> n.d.engine().instances(t.id()).stream()
                    .filter(x -> x.station().equals(VICTIM)).map(x -> "port " + x.port() + " " + x.state() + " "
                            + x.addresses() + " " + x.filter() + " tag " + x.vap().tag()).toList()));
            s.put("nva " + t.id(), n.bindings(t));
            s.put("tnve " + t.id(), v.state("tor", t) + " tag " + v.tag("tor", t));
        }
        assertThat(v.state("tor", tsis[0])).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        return s;
    }

    // ------------------------------------------------------------------ issue 12: a daemon process, a small heap

    /** {@code java -XmxN [props] -cp CLASSPATH org.splitnve.launcher.Main ROLE --config FILE}, stdout to {@code log}. */
    private Process startDaemon(String role, Path config, Path log, String... jvmOptions) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(List.of(jvmOptions));
        String cp = List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
                .filter(e -> Files.exists(Path.of(e))).collect(Collectors.joining(File.pathSeparator));
        cmd.addAll(List.of("-cp", cp, "org.splitnve.launcher.Main", role, "--config", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectOutput(log.toFile());
        pb.redirectError(log.resolveSibling(log.getFileName() + ".err").toFile());
        return lab.process(pb.start());
    }

    private static String output(Path log) throws Exception {
        return Files.readString(log) + Files.readString(log.resolveSibling(log.getFileName() + ".err"));
    }

    /** Where the process's API listens, from its api.listening line. */
    private static URI apiOf(Process p, Path log) throws Exception {
        String[] found = new String[1];
        await("the daemon process's API listens", Duration.ofSeconds(60), () -> {
            if (!p.isAlive()) {
                throw new AssertionError("the daemon ended with " + p.exitValue() + ": " + output(log));
            }
            List<JsonNode> l = DaemonLab.events(Files.readString(log), "api.listening");
            if (!l.isEmpty()) {
                found[0] = text(l.getFirst(), "address");
            }
            return found[0] != null;
        });
        return URI.create("http://" + found[0]);
    }

    private static String get(URI api, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(api.resolve(path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return r.body();
    }

    @Test
    @DisplayName("SEC-5, SEC-7, SEC-4 (issue 12, item 1): an nNVE daemon process with a 64 MB heap under a flood of "
            + "20,000 address fragments (10,000 frames of 1.1 KB) that never send LAST, from a raw socket: it stays up, refuses with "
            + "reason 2 once its per-peer limits are reached, and the victim's TSIs stay as they were and are served")
    void fragmentFloodDoesNotExhaustASmallHeap() throws Exception {
        lab.timers(DEFAULT_TIMERS);
        String nsN = lab.namespace("n");
        String nsV = lab.namespace("v");
        String nsX = lab.namespace("x");
        Bridge br = lab.bridge("br0");
        lab.attach(br, nsN, "p0", NNVE);
        lab.attach(br, nsV, "up0", VICTIM);
        lab.attach(br, nsX, "x0", HOSTILE);
        Path config = lab.write("n1.conf", lab.nnveConfig("n1", port(nsN, "p0", "tags = \"100-109\"")
                + DaemonLab.vns(5000)));
        Path log = lab.dir().resolve("n1.log");
        Process n = startDaemon("nnve", config, log, "-Xmx64m");
        URI api = apiOf(n, log);
        Tnve v = lab.tnve("victim", uplink("tor", nsV, "up0", NNVE.toString(), "nnve = \"" + NNVE + "\""));
        TsiSpec a1 = tsi(1, 5000);
        TsiSpec a2 = tsi(2, 5000);
        v.ok(e -> e.create("vmA", List.of(a1, a2)));
        v.ok(e -> e.start("vmA"));
        String before = get(api, "/v1/tsis");

        RawPort hostilePort = RawPort.open("x0", RawSocket.Options.defaults().inNamespace(nsX));
        hostile = lab.closeAfter(AgentRunner.builder("hostile").port(hostilePort).build(io -> new ScriptStation(io,
                Clock.system(), NNVE, EnumSet.allOf(CapabilityTlv.Feature.class), HOSTILE_TIMERS, e -> { })));
        hostile.start();
        List<TsiAddress> many = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            many.add(TsiAddress.host(InetAddress.getByAddress(new byte[] {10, 77, (byte) (i >> 8), (byte) i})));
        }
        // 10,000 requests, each with two fragments of 70 addresses (a 498-octet TLV body each): 20,000 fragments.
        final int tsis = 100;
        final int perTsi = 100;
        List<VdpItem> flood = new ArrayList<>(tsis * perTsi);
        for (int t = 1; t <= tsis; t++) {
            for (int f = 0; f < perTsi; f++) {
                flood.add(vsi(VsiMode.ASSOCIATE, hostileTsi(t), 5000, hostileTsiMac(t), List.of(
                        new TsiAddressTlv(TsiAddressTlv.Operation.ADD, 1, 2 * f, false, many),
                        new TsiAddressTlv(TsiAddressTlv.Operation.ADD, 1, 2 * f + 1, false, many))));
            }
        }
        int frameOctets = Frames.vdp(NNVE, HOSTILE, EcpHeader.request(1), new VdpPdu(ManagerId.ofText("x"), List.of(),
                List.of(flood.getFirst()), null)).length;
        long t0 = System.nanoTime();
        hostile.submit(() -> {
            hostile.agent().hello();
            hostile.agent().submitAll(flood);
        }).get(30, TimeUnit.SECONDS); // ran without an exception
        await("answers to the 10,000 requests (or the daemon's death)", Duration.ofMinutes(3), () -> {
            if (!n.isAlive()) {
                throw new AssertionError("the nNVE process died with status " + n.exitValue() + ": "
                        + output(log).lines().filter(l -> l.contains("fatal") || l.contains("OutOfMemory"))
                                .collect(Collectors.joining("\n")));
            }
            return atHostile(() -> hostile.agent().vsiResponses().size()) >= flood.size();
        });
        System.out.printf("fragment flood: %d frames of %d octets answered in %d ms%n", flood.size(), frameOctets,
                (System.nanoTime() - t0) / 1_000_000);
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(n.pid()), "GC.heap_info").redirectErrorStream(true).start();
            System.out.println("nNVE heap after the flood:\n" + new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            jcmd.waitFor(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.out.println("jcmd: " + e);
        }
        assertThat(n.isAlive()).isTrue();
        List<VsiTlv> answers = atHostile(() -> hostile.agent().vsiResponses());
        assertThat(answers).filteredOn(r -> code(r) == 2).isNotEmpty().allSatisfy(r ->
                assertThat(r.attached(ReasonDetailTlv.class).text()).containsAnyOf("fragments", "octets", "addresses"));
        assertThat(get(api, "/v1/tsis")).isEqualTo(before);
        v.ok(e -> e.suspend("vmA"));
        v.ok(e -> e.resume("vmA"));
        assertThat(output(log)).doesNotContain("OutOfMemoryError").doesNotContain("daemon.fatal");
    }

    @Test
    @DisplayName("SEC-7 (issue 12, item 1): an nNVE daemon process whose engine thread dies of an Error (the test hook "
            + "-Dsplitnve.test.engineErrorAtFrame, set on the command line only) logs daemon.fatal and exits with "
            + "status 70 by itself, without a signal")
    void fatalErrorEndsTheProcess() throws Exception {
        String nsN = lab.namespace("n");
        String nsX = lab.namespace("x");
        Bridge wire = lab.wire("w0");
        lab.attach(wire, nsN, "p0", NNVE);
        lab.attach(wire, nsX, "x0", HOSTILE);
        Path config = lab.write("n1.conf", lab.nnveConfig("n1", port(nsN, "p0", "") + DaemonLab.vns(5000)));
        Path log = lab.dir().resolve("n1.log");
        Process n = startDaemon("nnve", config, log, "-Xmx64m", "-D" + Daemon.ENGINE_ERROR_PROPERTY + "=3");
        apiOf(n, log);
        RawSocket x = lab.closeAfter(RawSocket.open("x0", RawSocket.Options.defaults().inNamespace(nsX)));
        byte[] hello = Frames.vdp(NNVE, HOSTILE, EcpHeader.request(1), VdpPdu.EMPTY);
        for (int i = 0; i < 10 && n.isAlive(); i++) {
            x.send(hello);
            n.waitFor(200, TimeUnit.MILLISECONDS);
        }
        assertThat(n.waitFor(30, TimeUnit.SECONDS)).as("the process ends by itself").isTrue();
        assertThat(n.exitValue()).isEqualTo(Daemon.FATAL_STATUS);
        String out = Files.readString(log);
        assertThat(DaemonLab.events(out, "daemon.fatal")).singleElement().satisfies(e -> {
            assertThat(text(e, "error")).contains("test hook");
            assertThat(text(e, "status")).isEqualTo("70");
        });
        assertThat(Files.readString(log.resolveSibling(log.getFileName() + ".err"))).contains("fatal error");
    }
}
