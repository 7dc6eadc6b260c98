package org.splitnve.daemon.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.daemon.netns.DaemonLab.await;
import static org.splitnve.daemon.netns.DaemonLab.events;
import static org.splitnve.daemon.netns.DaemonLab.port;
import static org.splitnve.daemon.netns.DaemonLab.text;
import static org.splitnve.daemon.netns.DaemonLab.uplink;
import static org.splitnve.daemon.netns.DaemonLab.vns;
import static org.splitnve.daemon.netns.NnveKillNetnsTest.HA;
import static org.splitnve.daemon.netns.NnveKillNetnsTest.HB;
import static org.splitnve.daemon.netns.NnveKillNetnsTest.NNVE;
import static org.splitnve.daemon.netns.NnveKillNetnsTest.holds;
import static org.splitnve.daemon.netns.NnveKillNetnsTest.ips;
import static org.splitnve.daemon.netns.NnveKillNetnsTest.kill9;
import static org.splitnve.daemon.netns.NnveKillNetnsTest.tsisAt;
import static org.splitnve.daemon.netns.NnveKillNetnsTest.warmUp;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.splitnve.daemon.NvaDaemon;
import org.splitnve.daemon.netns.DaemonLab.Bridge;
import org.splitnve.daemon.netns.DaemonLab.Tnve;
import org.splitnve.nva.EndDeviceRule;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.nva.service.Interest;
import org.splitnve.nva.service.MappingEntry;
import org.splitnve.nva.service.Resource;
import org.splitnve.nva.service.RevisionedNva;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TsiSpec;
import tools.jackson.databind.JsonNode;

/**
 * REL-2 with an NVA service: the nNVE daemon (a process of its own, its [state] journal on) reports its TSIs to a
 * remote NVA ({@code [nva] servers}, the NVA daemon on loopback) or to the NVA service in its own process
 * ({@code [nva] embedded = true}, on a SQLite file or in memory), is killed with SIGKILL and started again at once.
 * Its TSIs come back from its journal before its NVA client's first list, while its replica of the NVA is empty: the
 * restore must not be refused by the replica, must not unbind what the NVA kept, and must give an NVA that lost its
 * entries (the embedded one in memory) those entries again.
 */
class NnveKillNvaNetnsTest {
    private static final String TOKEN = "n1-secret-token-0123";

    @RegisterExtension
    final DaemonLab lab = new DaemonLab();

    /** What the kill and the restart left to check. */
    private record Restarted(Path log2, String api2, Tnve a, Tnve b, Map<TsiSpec, Tnve> vms,
            Map<String, TnveEngine.TsiState> before, int markA, int markB) {
    }

    /** What a test does once every VM is acknowledged, before the kill ({@code tsis}: their states, by TSI ID). */
    private interface BeforeKill {
        void run(Map<String, TnveEngine.TsiState> tsis) throws Exception;
    }

    /**
     * Two tNVE daemons with running, suspended and defined VMs on the nNVE {@code n1} configured with {@code nva};
     * {@code beforeKill} runs once every VM is acknowledged; then SIGKILL of the nNVE and a restart at once, on the
     * same configuration and state directory. Returns once every TSI both tNVEs hold is at the restarted nNVE in the
     * same state with the same addresses, the tNVEs in sync with it.
     */
    private Restarted killAndRestart(String nva, BeforeKill beforeKill) throws Exception {
        lab.timers(NnveKillNetnsTest.COLD_NNVE_TIMERS);
        String nsN = lab.namespace("n");
        String nsA = lab.namespace("a");
        String nsB = lab.namespace("b");
        Bridge sw = lab.bridge("sw0");
        lab.attach(sw, nsN, "p0", NNVE);
        lab.attach(sw, nsA, "up0", HA);
        lab.attach(sw, nsB, "up0", HB);
        Path config = lab.write("n1.conf", lab.nnveConfig("n1", port(nsN, "p0", "tags = \"100-199\"") + nva
                + "[state]\ndir = \"" + lab.dir().resolve("n1-state") + "\"\n"));
        Path log1 = lab.dir().resolve("n1.log");
        Process n = lab.daemonProcess("nnve", config, log1);
        DaemonLab.apiAddress(n, log1);
        await("the nNVE's NVA client in sync", Duration.ofSeconds(30),
                () -> !events(Files.readString(log1), "nva_client.in_sync").isEmpty());
        String up = "nnve = \"" + NNVE + "\"";
        Tnve a = lab.tnve("ha", uplink("tor", nsA, "up0", NNVE.toString(), up));
        Tnve b = lab.tnve("hb", uplink("tor", nsB, "up0", NNVE.toString(), up));

        Map<TsiSpec, Tnve> vms = new LinkedHashMap<>();
        Map<TsiSpec, Tnve> tried = new LinkedHashMap<>();
        vms.put(warmUp(a, 90, tried), a);
        vms.put(warmUp(b, 95, tried), b);
        vms.putAll(NnveKillNetnsTest.fiveVms(a, b));
        for (Map.Entry<TsiSpec, Tnve> e : tried.entrySet()) {
            if (!vms.containsKey(e.getKey()) && holds(e.getValue().state("tor", e.getKey()))) {
                vms.put(e.getKey(), e.getValue()); // a warm-up VM the nNVE acknowledged late
            }
        }
        Map<String, TnveEngine.TsiState> before = new LinkedHashMap<>();
        for (Map.Entry<TsiSpec, Tnve> e : vms.entrySet()) {
            before.put(e.getKey().id().toString(), e.getValue().state("tor", e.getKey()));
        }
        assertThat(before.values()).allMatch(NnveKillNetnsTest::holds);
        assertThat(before.values()).contains(TnveEngine.TsiState.ACTIVATED, TnveEngine.TsiState.ASSOCIATED);
        beforeKill.run(before);
        int markA = a.log().length();
        int markB = b.log().length();

        kill9(n);
        long t0 = System.nanoTime();
        Path log2 = lab.dir().resolve("n1-again.log");
        Process again = lab.daemonProcess("nnve", config, log2);
        String api2 = DaemonLab.apiAddress(again, log2);
        assertThat(events(Files.readString(log2), "state.tsis_restored")).singleElement().satisfies(e -> {
            assertThat(Long.parseLong(text(e, "restored"))).isEqualTo(Long.parseLong(text(e, "saved")))
                    .isGreaterThanOrEqualTo(before.size());
        });
        try {
            await("every TSI the tNVEs hold is at the restarted nNVE in the same state with the same addresses",
                Duration.ofSeconds(60), () -> {
                    Map<String, JsonNode> at = tsisAt(api2);
                    for (Map.Entry<TsiSpec, Tnve> e : vms.entrySet()) {
                        JsonNode there = at.get(e.getKey().id().toString());
                        if (there == null || !text(there, "state").equals(e.getValue().state("tor", e.getKey()).name())
                                || !ips(there).containsAll(ips(e.getKey()))) {
                            return false;
                        }
                    }
                    return at.size() == vms.size() && a.call(() -> a.d.engine().uplinkInSync("tor"))
                            && b.call(() -> b.d.engine().uplinkInSync("tor"));
                });
        } catch (AssertionError e) {
            System.out.println("----- the restarted nNVE's log\n" + Files.readString(log2) + "\n----- its TSIs\n"
                    + tsisAt(api2) + "\n----- before\n" + before + "\n----- ha\n" + a.log().substring(markA)
                    + "\n----- hb\n" + b.log().substring(markB));
            throw e;
        }
        System.out.printf("[REL-2 kill -9 with %s] %d TSIs of 2 tNVEs back and in sync %d ms after the restart began%n",
                nva.contains("servers") ? "a remote NVA" : nva.contains("state =") ? "the embedded NVA on SQLite"
                        : "the embedded NVA in memory", vms.size(), (System.nanoTime() - t0) / 1_000_000);
        return new Restarted(log2, api2, a, b, vms, before, markA, markB);
    }

    /**
     * What holds whatever the NVA: the tNVEs' VMs are as they were (no TSI deactivated or de-associated towards its
     * end device: no tsi.state of theirs since the kill changes one), the restarted nNVE refused nothing (neither
     * the replica, nva.refused, nor the NVA, nva_client.report_refused, nor a request), released no TSI, and its
     * own-entries audit compared its entries with the NVA's and found them the same. Returns the resync line of
     * the NVA client's first list.
     */
    private static JsonNode nothingUndone(Restarted r) throws Exception {
        await("the restarted nNVE's own-entries audit", Duration.ofSeconds(30),
                () -> !events(Files.readString(r.log2()), "nva_client.own_audit_matched").isEmpty()
                        || !events(Files.readString(r.log2()), "nva_client.own_state_resent").isEmpty());
        String log = Files.readString(r.log2());
        for (String refusal : List.of("nva.refused", "nva_client.report_refused", "request.refused",
                "nva_client.own_state_resent")) {
            assertThat(events(log, refusal)).as("%s in the restarted nNVE's log", refusal).isEmpty();
        }
        assertThat(events(log, "nva_client.own_audit_matched")).first().satisfies(e -> assertThat(
                Long.parseLong(text(e, "entries"))).as("own entries and tags compared")
                .isGreaterThanOrEqualTo(r.vms().size()));
        assertThat(events(log, "tsi.state")).as("no TSI released at the restarted nNVE")
                .noneSatisfy(e -> assertThat(text(e, "to")).isEqualTo("INIT"));
        for (Tnve t : List.of(r.a(), r.b())) {
            String since = t.log().substring(t == r.a() ? r.markA() : r.markB());
            assertThat(events(since, "tsi.state")).as("%s: no TSI of its VMs changed state since the kill", t.name)
                    .noneSatisfy(e -> {
                        assertThat(r.before()).containsKey(text(e, "tsi"));
                        assertThat(text(e, "to")).isNotEqualTo(r.before().get(text(e, "tsi")).name());
                    });
        }
        for (Map.Entry<TsiSpec, Tnve> e : r.vms().entrySet()) {
            assertThat(e.getValue().state("tor", e.getKey())).as("TSI %s at its tNVE", e.getKey().id())
                    .isEqualTo(r.before().get(e.getKey().id().toString()));
        }
        List<JsonNode> resync = events(log, "nva_client.resync");
        assertThat(resync).as("the NVA client's first list").isNotEmpty();
        return resync.getFirst();
    }

    /** The NVA's entries of {@code nve}, by TSI ID. */
    private static Map<String, MappingEntry> entriesOf(RevisionedNva nva, String nve) {
        Map<String, MappingEntry> out = new LinkedHashMap<>();
        for (Resource r : nva.list(Interest.operator()).resources()) {
            if (r instanceof Resource.Mapping m && m.entry().instance().nve().equals(NveId.of(nve))) {
                assertThat(out.put(m.entry().instance().vsi().toString(), m.entry())).as("one entry per TSI").isNull();
            }
        }
        return out;
    }

    @Test
    @DisplayName("REL-2, NVA-4: kill -9 of an nNVE daemon (its [state] journal on) that reports to a remote NVA ([nva]"
            + " servers, the NVA daemon), with five VMs of two tNVE daemons on it (running, suspended, defined),"
            + " restarted at once: every TSI is back at the nNVE in its state, the tNVEs' VMs stay as they were, the"
            + " NVA's table still has every TSI at this nNVE with its addresses, state and mobility sequence number"
            + " (nothing sent again, nothing unbound, nothing refused) and the own-entries audit finds nothing to"
            + " repair")
    void remoteNva() throws Exception {
        NvaDaemon nva = OvsOverlay.nva(lab, new DaemonLab.LogBuffer());
        for (long vn : new long[] {5000, 6000}) {
            nva.nva().addVn(VnRecord.of(new UUID(0x5eed, vn), vn, "vn-" + vn, (int) vn + 10_000, VnService.L2))
                    .decision().orElseThrow();
            nva.nva().permitTsi(TsiRule.anyOn((int) vn));
        }
        nva.nva().registerNve(NveId.of("n1"), InetAddress.getByName("192.0.2.1"));
        nva.nva().permitEndDevice(EndDeviceRule.anyOn(NveId.of("n1")));
        nva.nva().setCredential(NveId.of("n1"), TOKEN);
        Map<String, MappingEntry> atKill = new LinkedHashMap<>();
        Restarted r = killAndRestart(OvsOverlay.nvaServers(nva, TOKEN, 5000, 6000), tsis -> {
            await("the NVA has every TSI of the nNVE in its state", Duration.ofSeconds(30), () -> {
                Map<String, MappingEntry> at = entriesOf(nva.nva(), "n1");
                return at.keySet().equals(tsis.keySet()) && tsis.entrySet().stream().allMatch(t -> at.get(t.getKey())
                        .state() == (t.getValue() == TnveEngine.TsiState.ACTIVATED ? EntryState.FORWARDING
                                : EntryState.MAPPING));
            });
            atKill.putAll(entriesOf(nva.nva(), "n1"));
        });
        assertThat(atKill).hasSize(r.vms().size());
        JsonNode resync = nothingUndone(r);
        assertThat(text(resync, "ownOpsQueued")).as("the NVA kept every entry: nothing to send").isEqualTo("0");
        Map<String, MappingEntry> now = entriesOf(nva.nva(), "n1");
        assertThat(now.keySet()).containsExactlyInAnyOrderElementsOf(r.before().keySet());
        for (Map.Entry<TsiSpec, Tnve> e : r.vms().entrySet()) {
            String id = e.getKey().id().toString();
            MappingEntry m = now.get(id);
            assertThat(m.state()).as("TSI %s at the NVA", id).isEqualTo(
                    r.before().get(id) == TnveEngine.TsiState.ACTIVATED ? EntryState.FORWARDING : EntryState.MAPPING);
            assertThat(m.addresses().stream().map(org.splitnve.wire.vdp.TsiAddress::ipText).toList())
                    .as("TSI %s's addresses at the NVA", id).containsAll(ips(e.getKey()));
            assertThat(m).as("TSI %s's entry at the NVA, as at the kill", id).isEqualTo(atKill.get(id));
        }
    }

    @Test
    @DisplayName("REL-2: kill -9 of an nNVE daemon (its [state] journal on) with the NVA service in its process, in"
            + " memory ([nva] embedded = true, no state: the NVA lost everything with the process), five VMs of two"
            + " tNVE daemons on it, restarted at once: every TSI is back at the nNVE in its state, the tNVEs' VMs stay"
            + " as they were, the restored TSIs' entries are sent to the new NVA (nothing refused) and the own-entries"
            + " audit finds nothing to repair")
    void embeddedNvaInMemory() throws Exception {
        Restarted r = killAndRestart(vns(5000, 6000).replace("[nva]\n", "[nva]\nembedded = true\n"), tsis -> {
        });
        JsonNode resync = nothingUndone(r);
        assertThat(Long.parseLong(text(resync, "ownOpsQueued"))).as("every restored TSI's entry sent to the new NVA")
                .isGreaterThanOrEqualTo(r.vms().size());
    }

    @Test
    @DisplayName("REL-2: kill -9 of an nNVE daemon (its [state] journal on) with the NVA service in its process on a"
            + " SQLite file ([nva] embedded = true, state), five VMs of two tNVE daemons on it, restarted at once:"
            + " every TSI is back at the nNVE in its state, the tNVEs' VMs stay as they were, nothing is refused and"
            + " the own-entries audit finds the NVA's entries the same as the restored TSIs")
    void embeddedNvaOnSqlite() throws Exception {
        Restarted r = killAndRestart(vns(5000, 6000).replace("[nva]\n", "[nva]\nembedded = true\nstate = \""
                + lab.dir().resolve("nva.db") + "\"\n"), tsis -> {
        });
        JsonNode resync = nothingUndone(r);
        System.out.printf("[REL-2 kill -9, embedded NVA on SQLite] %d TSIs back; %s operations sent at the first"
                + " list%n", r.vms().size(), text(resync, "ownOpsQueued"));
    }
}
