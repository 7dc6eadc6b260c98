package org.splitnve.cli;

import java.util.concurrent.Callable;
import org.splitnve.api.Bodies;
import org.splitnve.cli.ClientSettings.Kind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/**
 * {@code splitnve tags release --port PORT [--station MAC] [--reason TEXT]}: the operator's release of the
 * local tags an end device (or every end device behind a port) holds through explicit VN connects (SEC-5):
 * {@code POST /v1/tags/release} on an nNVE.
 */
@Command(name = "tags", description = "An nNVE's local tags (default http://127.0.0.1:7480; --endpoint, --api).")
public final class TagsCommand extends IoCommand implements Callable<Integer> {
    @Override
    public Integer call() throws UsageException {
        throw new UsageException("tags needs an operation: release");
    }

    @Command(name = "release", description = {"free the local tags an end device holds through explicit VN connects",
        "Drops the explicit VN connections of the end device with MAC behind PORT (every end device behind",
        "PORT without --station); each is told (VN connect DISCONNECTED), and the local tags no TSI and no",
        "other end device uses return to the pool. TSIs are left alone."})
    int release(@Option(names = "--port", required = true, paramLabel = "PORT",
                    description = "an index or an interface (as `show status` lists them)") String port,
            @Option(names = "--station", paramLabel = "MAC", description = "the end device") String station,
            @Option(names = "--reason", paramLabel = "TEXT", description = "why, for the logs") String reason,
            @Mixin ApiOptions o) throws UsageException, ApiException {
        ApiClient api = o.client(io, Kind.NNVE);
        long t0 = System.nanoTime();
        JsonNode answer = api.post("/v1/tags/release", new Bodies.ReleaseTags(port, station, reason));
        if (o.json) {
            Cli.printJson(io, answer);
            return 0;
        }
        io.out().println("released " + answer.path("released") + " local tag(s) held by "
                + (station == null ? "the end devices" : station) + " on " + answer.path("interface").asString() + " in "
                + Cli.millisSince(t0) + " ms" + VmCommand.nnveTime(answer));
        return 0;
    }
}
