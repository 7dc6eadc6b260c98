package org.splitnve.bench.soak;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.splitnve.api.JsonCodec;
import tools.jackson.databind.JsonNode;

/**
 * The soak's invariants, checked while it runs, Jepsen-style: every TSI a tNVE holds (associated or activated, as the
 * nNVE confirmed it) is at the nNVE in the same state with the same address, and the nNVE holds no TSI its tNVE does
 * not; every VM is at its tNVE in the state the client's last acknowledged operation left it (nothing acknowledged
 * lost). A check reads both sides' APIs; a VM with an operation in flight or since the previous check began is not
 * judged (the two sides may be between their steps), and a difference is a violation only when the same one is seen
 * by two checks in a row. A station whose API does not answer (killed, restarting) is left out of that check.
 */
final class Checker {
    /** What one check found. */
    record Result(int judged, int differences, List<String> violations, List<String> lost, int stationsLeftOut,
            long millis) {
    }

    private Set<String> previousDifferences = new HashSet<>();
    private Set<String> previousLost = new HashSet<>();
    private long previousStart = System.nanoTime();

    /**
     * One check; {@code strict}: every VM is judged and any difference is a violation at once (the end of the soak,
     * with nothing in flight for a while). Null when the nNVE's API did not answer.
     */
    Result check(Fleet fleet, DaemonProcess nnve, List<DaemonProcess> tnves, boolean strict) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> n = nnve.get("/v1/tsis", Duration.ofMinutes(2));
        if (n.statusCode() != 200) {
            return null;
        }
        Map<String, String> atNnve = new HashMap<>();
        Map<String, List<String>> ipsAtNnve = new HashMap<>();
        for (JsonNode t : JsonCodec.items(JsonCodec.tree(n.body()))) {
            List<String> ips = new ArrayList<>();
            t.path("ips").forEach(i -> ips.add(i.asString()));
            atNnve.put(t.path("id").asString(), t.path("state").asString());
            ipsAtNnve.put(t.path("id").asString(), ips);
        }
        Map<String, String> tsiAtTnve = new HashMap<>();
        Map<String, String> vmAtTnve = new HashMap<>();
        Set<Integer> answered = new HashSet<>();
        for (int s = 1; s <= tnves.size(); s++) {
            HttpResponse<String> r;
            try {
                r = tnves.get(s - 1).get("/v1/vms", Duration.ofMinutes(2));
            } catch (java.io.IOException e) {
                continue;
            }
            if (r.statusCode() != 200) {
                continue;
            }
            answered.add(s);
            for (JsonNode vm : JsonCodec.items(JsonCodec.tree(r.body()))) {
                vmAtTnve.put(vm.path("name").asString(), vm.path("state").asString());
                for (JsonNode t : vm.path("tsis")) {
                    for (JsonNode u : t.path("uplinks")) {
                        tsiAtTnve.put(t.path("id").asString(), u.path("state").asString());
                    }
                }
            }
        }
        Set<String> differences = new HashSet<>();
        Set<String> lost = new HashSet<>();
        int judged = 0;
        for (Fleet.Vm vm : fleet.vms) {
            if (!answered.contains(vm.station)) {
                continue;
            }
            if (!strict && (vm.busy || vm.touched - previousStart > 0)) {
                continue;
            }
            judged++;
            String held = tsiAtTnve.getOrDefault(vm.tsi, "INIT");
            String there = atNnve.get(vm.tsi);
            boolean holds = held.equals("ASSOCIATED") || held.equals("ACTIVATED");
            boolean same = holds ? held.equals(there) && ipsAtNnve.get(vm.tsi).contains(vm.ip) : there == null;
            if (!same) {
                differences.add(vm.name + ": the tNVE holds " + held + ", the nNVE " + (there == null ? "nothing"
                        : there + " " + ipsAtNnve.get(vm.tsi)));
            }
            String acked = vm.acked;
            String state = vmAtTnve.get(vm.name);
            if (acked == null) {
                vm.acked = state; // learnt from the tNVE: the client's view again
            } else if (!acked.equals(state)) {
                lost.add(vm.name + ": acknowledged " + acked + ", the tNVE has it " + (state == null ? "not at all" : state));
            }
        }
        List<String> violations = new ArrayList<>();
        List<String> lostNow = new ArrayList<>();
        for (String d : differences) {
            if (strict || previousDifferences.contains(d)) {
                violations.add(d);
            }
        }
        for (String l : lost) {
            if (strict || previousLost.contains(l)) {
                lostNow.add(l);
            }
        }
        previousDifferences = differences;
        previousLost = lost;
        previousStart = start;
        return new Result(judged, differences.size(), violations, lostNow, tnves.size() - answered.size(),
                (System.nanoTime() - start) / 1_000_000);
    }
}
