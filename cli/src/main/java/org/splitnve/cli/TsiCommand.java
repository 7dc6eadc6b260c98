package org.splitnve.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.splitnve.api.Bodies;
import org.splitnve.cli.ClientSettings.Kind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/**
 * {@code splitnve tsi deactivate|deassociate ID|MAC}: the nNVE's own initiative on a TSI (REQ-9), through an
 * nNVE's API ({@code POST /v1/tsis/{id}/deactivate}, {@code .../deassociate}): the end device is told, and
 * the tNVE reports it; {@code vm reconnect} on the tNVE brings the VM back (OPS-2).
 */
@Command(name = "tsi", description = {"The nNVE's own initiative on a TSI: deactivate or de-associate it.",
    "Its end device is told (an nNVE's API: default http://127.0.0.1:7480; --endpoint, --api)."})
public final class TsiCommand extends IoCommand implements Callable<Integer> {
    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    @Override
    public Integer call() throws UsageException {
        throw new UsageException("tsi needs an operation: deactivate or deassociate");
    }

    @Command(name = "deactivate", description = {"deactivate the TSI at the nNVE, or some of its addresses",
        "The TSI stays associated; with --address only those addresses are deactivated. The end device",
        "learns it and `vm show` on its tNVE reports it; `vm reconnect` there brings it back."})
    int deactivate(@Parameters(paramLabel = "ID|MAC", description = "the TSI's ID (a UUID or a MAC VSIID) or one of its MACs")
            String key,
            @Option(names = "--address", paramLabel = "IP", description = "deactivate only this address (repeatable)")
            List<String> addresses,
            @Option(names = "--reason", paramLabel = "TEXT", description = "why, for the logs (default: administrator)")
            String reason,
            @Mixin ApiOptions o) throws UsageException, ApiException {
        List<String> ips = new ArrayList<>();
        for (String a : addresses == null ? List.<String>of() : addresses) {
            ips.add(VmCommand.ip(a));
        }
        Object body = new Bodies.Deactivate(reason, ips.isEmpty() ? null : ips);
        return act(key, "deactivate", ips.isEmpty() ? "deactivating" : "deactivating " + String.join(", ", ips) + " of",
                "deactivated", body, o);
    }

    @Command(name = "deassociate", description = {"de-associate the TSI at the nNVE",
        "Every instance goes; its local tag returns to the pool when nothing else uses it. The end device",
        "learns it and `vm show` on its tNVE reports it; `vm reconnect` there brings it back."})
    int deassociate(@Parameters(paramLabel = "ID|MAC", description = "the TSI's ID (a UUID or a MAC VSIID) or one of its MACs")
            String key,
            @Option(names = "--reason", paramLabel = "TEXT", description = "why, for the logs (default: administrator)")
            String reason,
            @Mixin ApiOptions o) throws UsageException, ApiException {
        return act(key, "deassociate", "de-associating", "de-associated", new Bodies.Deassociate(reason), o);
    }

    private int act(String key, String op, String doing, String done, Object body, ApiOptions o)
            throws UsageException, ApiException {
        String why = body instanceof Bodies.Deactivate d ? d.reason() : body instanceof Bodies.Deassociate d ? d.reason() : null;
        if (why != null && why.length() > 200) {
            throw new UsageException("--reason: at most 200 characters");
        }
        String k = key(key);
        ApiClient api = o.client(io, Kind.NNVE);
        String id = resolve(api, k);
        if (!o.json) {
            io.out().print("TSI " + id + ": " + doing + "... ");
            io.out().flush();
        }
        long t0 = System.nanoTime();
        JsonNode answer;
        try {
            answer = api.post("/v1/tsis/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/" + op, body);
        } catch (ApiException e) {
            if (!o.json) {
                io.out().println("failed");
            }
            throw e;
        }
        if (o.json) {
            Cli.printJson(io, answer);
            return 0;
        }
        Long n = answer.path("changed").isIntegralNumber() && answer.path("changed").longValue() >= 0
                ? answer.path("changed").longValue() : null;
        io.out().println(done + " " + (n == null ? "?" : n) + " instance" + (n != null && n == 1 ? "" : "s") + " in "
                + Cli.millisSince(t0) + " ms" + VmCommand.nnveTime(answer));
        List<JsonNode> left = VmCommand.list(answer.path("tsis"));
        if (!left.isEmpty()) {
            ShowCommand.table("tsis", left).print(io.out());
        }
        return 0;
    }

    /** A TSI's ID or MAC in its canonical text (a usage error otherwise). */
    static String key(String text) throws UsageException {
        if (UUID_TEXT.matcher(text).matches()) {
            return VmCommand.uuid(text, "the TSI");
        }
        try {
            return org.splitnve.wire.MacAddress.parse(text).toString();
        } catch (IllegalArgumentException e) {
            throw new UsageException("not a TSI ID (a UUID) or a MAC address: '" + text + "'");
        }
    }

    /**
     * The TSI ID for the API's path: a UUID as is; a MAC names the TSI with that MAC VSIID, else the TSI that has
     * the MAC among its addresses (one lookup of {@code GET /v1/tsis}).
     */
    private static String resolve(ApiClient api, String key) throws ApiException {
        if (UUID_TEXT.matcher(key).matches()) {
            return key;
        }
        String found = null;
        for (JsonNode t : VmCommand.list(api.get("/v1/tsis"))) {
            if (key.equals(t.path("id").asString())) {
                return key;
            }
            if (found == null && ShowCommand.matches(t, key)) {
                found = t.path("id").asString();
            }
        }
        return found == null ? key : found;
    }
}
