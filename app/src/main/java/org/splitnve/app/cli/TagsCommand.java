package org.splitnve.app.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.splitnve.app.api.Bodies;
import tools.jackson.databind.JsonNode;

/**
 * {@code splitnve tags release --port PORT [--station MAC] [--reason TEXT]}: the operator's release of the
 * local tags an end device (or every end device behind a port) holds through explicit VN connects (SEC-5):
 * {@code POST /v1/tags/release} on an nNVE.
 */
public final class TagsCommand {
    static final String USAGE = """
            usage: splitnve tags release --port PORT [--station MAC] [--reason TEXT] [options]
                                                 (an nNVE's API; default --api http://127.0.0.1:7480)
              drops the explicit VN connections of the end device with MAC behind PORT (every end device
              behind PORT without --station); each is told (VN connect DISCONNECTED), and the local tags
              no TSI and no other end device uses return to the pool. PORT: an index or an interface
              (as `show status` lists them). TSIs are left alone.
            """ + Cli.COMMON_USAGE;

    private TagsCommand() {
    }

    public static int run(List<String> argv, Io io) {
        if (Cli.isHelp(argv)) {
            io.out().print(USAGE);
            return 0;
        }
        return Cli.execute(io, USAGE, () -> {
            Map<String, Boolean> known = new HashMap<>(Cli.COMMON);
            known.put("--port", true);
            known.put("--station", true);
            known.put("--reason", true);
            Args a = Args.parse(argv, known);
            String what = a.words(1, "what to do with tags: release").get(0);
            if (!what.equals("release")) {
                throw new UsageException("tags release, not '" + what + "'");
            }
            String port = a.required("--port");
            String station = a.value("--station");
            String reason = a.value("--reason");
            ApiClient api = Cli.client(a, io, ApiClient.NNVE_DEFAULT);
            JsonNode answer = api.post("/v1/tags/release", new Bodies.ReleaseTags(port, station, reason));
            if (a.flag("--json")) {
                Cli.printJson(io, answer);
                return 0;
            }
            io.out().println("released " + Table.text(answer.path("released")) + " local tag(s) held by "
                    + (station == null ? "the end devices" : station) + " on " + Table.text(answer.path("interface")));
            return 0;
        });
    }
}
