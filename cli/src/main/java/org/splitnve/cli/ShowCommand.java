package org.splitnve.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.splitnve.cli.ClientSettings.Kind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/**
 * {@code splitnve show peers|vns|tsis|tsi|tags|flows|status}: an nNVE's state as tables for people (the columns
 * an operator looks at first), or its JSON with {@code --json}.
 */
@Command(name = "show", description = "An nNVE's state as tables (default http://127.0.0.1:7480; --endpoint, --api).")
public final class ShowCommand extends IoCommand implements Callable<Integer> {
    @Override
    public Integer call() throws UsageException {
        throw new UsageException("show what? peers, vns, tsis, tsi ID|MAC, tags, flows or status");
    }

    @Command(name = "peers", description = {"the end devices (tNVEs) on each port, with their LLDP names",
        "Per end device: the nNVE's port and interface, the station's MAC, the system name and interface",
        "its LLDP announces, extensions, authentication, TSIs, and how long ago the nNVE last heard from it."})
    int peers(@Mixin ApiOptions o) throws UsageException, ApiException {
        return show("peers", "/v1/peers", o, Kind.NNVE, null);
    }

    @Command(name = "vns", description = "the VNs and, per VN, its VAPs: port scope, local tag, state, TSIs")
    int vns(@Mixin ApiOptions o) throws UsageException, ApiException {
        return show("vns", "/v1/vns", o, Kind.NNVE, null);
    }

    @Command(name = "tsis", description = "every TSI: VN, state, local tag, MAC, IPs, port and station")
    int tsis(@Option(names = "--vn", paramLabel = "ID", description = "only the TSIs of this VN") String vn,
            @Mixin ApiOptions o) throws UsageException, ApiException {
        Long id = vn == null ? null : VmCommand.vnId(vn);
        return show("tsis", "/v1/tsis", o, Kind.NNVE, id == null ? null : t -> t.path("vn").isIntegralNumber() && id.equals(t.path("vn").longValue()));
    }

    @Command(name = "tsi", description = "one TSI, each instance (port and station) with every field")
    int tsi(@Parameters(paramLabel = "ID|MAC", description = "the TSI's ID (a UUID or a MAC VSIID) or one of its MACs")
            String key, @Mixin ApiOptions o) throws UsageException, ApiException {
        String k = TsiCommand.key(key);
        ApiClient api = o.client(io, Kind.NNVE);
        List<JsonNode> found = VmCommand.list(get(api, "/v1/tsis")).stream().filter(t -> matches(t, k)).toList();
        if (found.isEmpty()) {
            io.err().println("splitnve: no TSI " + key + " at " + api.base());
            return 1;
        }
        if (o.json) {
            Cli.printJson(io, found);
            return 0;
        }
        String[][] fields = {{"TSI", "id"}, {"VN", "vn"}, {"ALIAS", "alias"}, {"STATE", "state"}, {"TAG", "tag"},
            {"MACS", "macs"}, {"IPS", "ips"}, {"INACTIVE IPS", "inactiveIps"}, {"PORT", "port"},
            {"INTERFACE", "interface"}, {"STATION", "station"}};
        boolean first = true;
        for (JsonNode t : found) {
            if (!first) {
                io.out().println();
            }
            first = false;
            for (String[] f : fields) {
                io.out().printf("%-14s%s%n", f[0], Table.text(t.path(f[1])));
            }
        }
        return 0;
    }

    /** Whether an instance of {@code /v1/tsis} is the TSI {@code key} (its ID, or a MAC it has). */
    static boolean matches(JsonNode t, String key) {
        if (key.equals(t.path("id").asString())) {
            return true;
        }
        for (JsonNode m : VmCommand.list(t.path("macs"))) {
            if (key.equals(m.asString())) {
                return true;
            }
        }
        return false;
    }

    @Command(name = "tags", description = "the local tags in use per scope (port or switch) and their VN")
    int tags(@Mixin ApiOptions o) throws UsageException, ApiException {
        return show("tags", "/v1/tags", o, Kind.NNVE, null);
    }

    @Command(name = "flows", description = {"per TSI, what the nNVE's Open vSwitch bridge does for it and why",
        "For each TSI on the bridge: its state in the data plane's model, what that lets through, and each flow the",
        "model asks for with its reason, whether the switch holds it and its packet count; then the VNs' and remote",
        "NVEs' flows, and flows the switch holds that the model does not ask for (drift, until the next audit)."})
    int flows(@Option(names = "--tsi", paramLabel = "ID|MAC", description = "only this TSI") String tsi,
            @Mixin ApiOptions o) throws UsageException, ApiException {
        ApiClient api = o.client(io, Kind.NNVE);
        String path = "/v1/dataplane/flows" + (tsi == null ? "" : "?tsi=" + java.net.URLEncoder.encode(TsiCommand.key(tsi),
                java.nio.charset.StandardCharsets.UTF_8));
        JsonNode answer = get(api, path);
        if (o.json) {
            Cli.printJson(io, answer);
            return 0;
        }
        flows(answer, tsi != null, io);
        return tsi != null && Table.items(answer.path("tsis")).isEmpty() ? 1 : 0;
    }

    /** {@code show flows} for people: the switch agent's line, each TSI with its flows, the others, the drift. */
    static void flows(JsonNode a, boolean oneTsi, Io io) {
        JsonNode ag = a.path("agent");
        io.out().println("switch " + Table.text(ag.path("socket")) + ": " + (ag.path("connected").asBoolean(false)
                ? "connected" : "NOT CONNECTED") + ", desired table " + Table.text(ag.path("desiredTable"))
                + ", installed " + Table.text(ag.path("installedTable")) + (ag.path("synced").asBoolean(false) ? " (in sync)"
                : " (not in sync)") + ", audits " + Table.text(ag.path("audits"))
                + (a.path("counters").asBoolean(false) ? "" : "; counters not read: " + Table.text(a.path("error"))));
        List<JsonNode> tsis = Table.items(a.path("tsis"));
        if (tsis.isEmpty()) {
            io.out().println(oneTsi ? "no such TSI on the bridge" : "no TSI on the bridge");
        }
        for (JsonNode t : tsis) {
            io.out().println();
            io.out().println("TSI " + Table.text(t.path("id")) + " on OpenFlow port " + Table.text(t.path("ofport"))
                    + ", tag " + Table.text(t.path("tag")) + ", " + Table.text(t.path("vn")) + ": "
                    + Table.text(t.path("state")) + (t.path("passes").asBoolean(false) ? " (passes)" : " (passes nothing)"));
            io.out().println("  addresses: " + Table.text(t.path("addresses")));
            io.out().println("  " + Table.text(t.path("explanation")));
            flowTable(Table.items(t.path("flows")), "  ", io);
        }
        List<JsonNode> other = Table.items(a.path("other"));
        if (!other.isEmpty()) {
            io.out().println();
            io.out().println("the VNs', remote NVEs' and default flows:");
            flowTable(other, "  ", io);
        }
        List<JsonNode> drift = Table.items(a.path("unexpected"));
        if (!drift.isEmpty()) {
            io.out().println();
            io.out().println(drift.size() + " flow(s) the switch holds that the model does not ask for (drift: the next"
                    + " audit or `splitnve reconcile` removes them):");
            flowTable(drift, "  ", io);
        }
    }

    private static void flowTable(List<JsonNode> flows, String indent, Io io) {
        Table t = new Table(indent + "TABLE", "PRIORITY", "MATCH", "ACTIONS", "HELD", "PACKETS", "WHY");
        for (JsonNode f : flows) {
            t.row(indent + Table.text(f.path("table")), f.path("priority"), f.path("match"), f.path("actions"),
                    f.path("installed"), f.path("packets"), f.path("why"));
        }
        if (t.size() > 0) {
            t.print(io.out());
        }
    }

    @Command(name = "status", description = "the node: role, session epoch, ports or uplinks (an nNVE or a tNVE)")
    int status(@Mixin ApiOptions o) throws UsageException, ApiException {
        ApiClient api = o.clientOfAnyKind(io, Kind.NNVE);
        JsonNode answer = get(api, "/v1/status");
        if (o.json) {
            Cli.printJson(io, answer);
        } else {
            status(answer, io);
        }
        return 0;
    }

    private int show(String what, String path, ApiOptions o, Kind kind, java.util.function.Predicate<JsonNode> filter)
            throws UsageException, ApiException {
        ApiClient api = o.client(io, kind);
        JsonNode answer = get(api, path);
        List<JsonNode> items = VmCommand.list(answer);
        if (filter != null) {
            items = items.stream().filter(filter).toList();
            answer = tools.jackson.databind.node.JsonNodeFactory.instance.arrayNode().addAll(items);
        }
        if (o.json) {
            Cli.printJson(io, answer);
            return 0;
        }
        Table t = table(what, items);
        if (t.size() == 0) {
            io.out().println("no " + what + " at " + api.base());
        } else {
            t.print(io.out());
        }
        return 0;
    }

    /** GET, with a 404 explained: `show` reads an nNVE. */
    private static JsonNode get(ApiClient api, String path) throws ApiException {
        try {
            return api.get(path);
        } catch (ApiException e) {
            if (e.status() == 404) {
                throw ApiException.badAnswer(api.base() + path, "404 (is it an nNVE? `show` reads an nNVE's API, `vm list`"
                        + " a tNVE's)");
            }
            throw e;
        }
    }

    /** The table for one kind of nNVE state. */
    static Table table(String what, List<JsonNode> items) {
        return switch (what) {
            case "peers" -> {
                Table t = new Table("PORT", "INTERFACE", "STATION", "SYSTEM NAME", "PEER INTERFACE", "EXTENSIONS",
                        "AUTHENTICATED", "TSIS", "LAST HEARD");
                items.forEach(p -> t.row(p.path("port"), p.path("interface"), p.path("station"), p.path("systemName"),
                        p.path("peerInterface"), p.path("extensions"), p.path("authenticated"), p.path("tsis"),
                        ago(p.path("lastHeardMs"))));
                yield t;
            }
            case "vns" -> {
                Table t = new Table("VN", "ALIAS", "VNI", "MODE", "SCOPE", "PORT", "TAG", "VAP STATE", "TSIS");
                for (JsonNode vn : items) {
                    List<JsonNode> vaps = VmCommand.list(vn.path("vaps"));
                    if (vaps.isEmpty()) {
                        t.row(vn.path("id"), vn.path("alias"), vn.path("vni"), vn.path("mode"), "-", "-", "-", "-", 0);
                    }
                    for (JsonNode v : vaps) {
                        t.row(vn.path("id"), vn.path("alias"), vn.path("vni"), vn.path("mode"), v.path("scope"), v.path("port"),
                                v.path("tag"), v.path("state"), v.path("tsis"));
                    }
                }
                yield t;
            }
            case "tsis" -> {
                Table t = new Table("TSI", "VN", "STATE", "TAG", "MAC", "IPS", "INACTIVE IPS", "PORT", "STATION");
                items.forEach(x -> t.row(x.path("id"), x.path("vn"), x.path("state"), x.path("tag"), x.path("mac"), x.path("ips"),
                        x.path("inactiveIps"), x.path("port"), x.path("station")));
                yield t;
            }
            case "tags" -> {
                Table t = new Table("SCOPE", "TAG", "VN");
                items.forEach(x -> t.row(x.path("scope"), x.path("tag"), x.path("vn")));
                yield t;
            }
            default -> throw new IllegalArgumentException(what);
        };
    }

    /** "2.5 s ago" for a number of milliseconds; "-" for none. */
    static String ago(JsonNode ms) {
        if (!ms.isNumber()) {
            return "-";
        }
        java.math.BigDecimal s = ms.decimalValue().movePointLeft(3).setScale(1, java.math.RoundingMode.HALF_UP);
        return s.toPlainString() + " s ago";
    }

    /** {@code show status}: the node's line, then its ports (nNVE) or uplinks (tNVE). */
    static void status(JsonNode s, Io io) {
        io.out().println(Table.text(s.path("role")) + " " + Table.text(s.path("node")) + ", session epoch "
                + Table.text(s.path("epoch")));
        if (s.path("ports").isArray()) {
            io.out().println("peers " + Table.text(s.path("peers")) + ", VNs " + Table.text(s.path("vns")) + ", TSIs "
                    + Table.text(s.path("tsis")));
            Table t = new Table("PORT", "INTERFACE", "SCOPE", "MAC");
            Table.items(s.path("ports")).forEach(p -> t.row(p.path("index"), p.path("interface"), p.path("scope"), p.path("mac")));
            t.print(io.out());
        }
        if (s.path("uplinks").isArray()) {
            Table t = new Table("UPLINK", "ALIVE", "EXTENSIONS", "IN SYNC", "nNVE");
            Table.items(s.path("uplinks")).forEach(u -> t.row(u.path("name"), u.path("alive"), u.path("extensions"), u.path("inSync"),
                    u.path("nnve")));
            t.print(io.out());
        }
    }
}
