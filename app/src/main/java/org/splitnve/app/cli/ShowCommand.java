package org.splitnve.app.cli;

import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * {@code splitnve show peers|vns|tsis|tags|status}: an nNVE's state as tables for people (the columns
 * an operator looks at first), or its JSON with {@code --json}.
 */
public final class ShowCommand {
    static final String USAGE = """
            usage: splitnve show <what> [options]     (reads an nNVE; default --api http://127.0.0.1:7480)
              show peers    the stations (tNVEs) on each port: extensions, authentication, TSIs
              show vns      the VNs and, per VN, its VAPs: port, local tag, state, TSIs
              show tsis     every TSI: VN, state, local tag, MAC, IPs, port and station
              show tags     the local tags in use per scope (port or switch) and their VN
              show status   the node: role, session epoch, ports or uplinks (nNVE or tNVE)
            """ + Cli.COMMON_USAGE;

    private static final Map<String, String> PATHS = Map.of("peers", "/v1/peers", "vns", "/v1/vns", "tsis", "/v1/tsis",
            "tags", "/v1/tags", "status", "/v1/status");

    private ShowCommand() {
    }

    public static int run(List<String> argv, Io io) {
        if (Cli.isHelp(argv)) {
            io.out().print(USAGE);
            return 0;
        }
        return Cli.execute(io, USAGE, () -> {
            Args a = Args.parse(argv, Cli.COMMON);
            String what = a.words(1, "what to show: peers, vns, tsis, tags or status").get(0);
            String path = PATHS.get(what);
            if (path == null) {
                throw new UsageException("show peers, vns, tsis, tags or status, not '" + what + "'");
            }
            ApiClient api = Cli.client(a, io, ApiClient.NNVE_DEFAULT);
            JsonNode answer;
            try {
                answer = api.get(path);
            } catch (ApiException e) {
                if (e.status() == 404) {
                    io.err().println("splitnve: " + api.base() + path + ": 404 (is it an nNVE? `show` reads an nNVE's"
                            + " API, `vm list` a tNVE's)");
                    return 1;
                }
                throw e;
            }
            if (a.flag("--json")) {
                Cli.printJson(io, answer);
                return 0;
            }
            if (what.equals("status")) {
                status(answer, io);
                return 0;
            }
            Table t = table(what, VmCommand.list(answer));
            if (t.size() == 0) {
                io.out().println("no " + what + " at " + api.base());
            } else {
                t.print(io.out());
            }
            return 0;
        });
    }

    /** The table for one kind of nNVE state. */
    static Table table(String what, List<JsonNode> items) {
        return switch (what) {
            case "peers" -> {
                Table t = new Table("PORT", "STATION", "EXTENSIONS", "AUTHENTICATED", "TSIS");
                items.forEach(p -> t.row(p.path("port"), p.path("station"), p.path("extensions"), p.path("authenticated"),
                        p.path("tsis")));
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
