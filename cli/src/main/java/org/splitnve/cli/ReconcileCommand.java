package org.splitnve.cli;

import java.util.concurrent.Callable;
import org.splitnve.cli.ClientSettings.Kind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import tools.jackson.databind.JsonNode;

/**
 * {@code splitnve reconcile}: an audit of the nNVE's Open vSwitch bridge now ({@code POST /v1/dataplane/reconcile}):
 * the switch's flows read and every difference from the table the nNVE wants repaired, as the periodic audit does
 * (issue 11). Prints what it changed; exit status 1 when the nNVE has no data plane or is not connected to its switch.
 */
@Command(name = "reconcile", description = {"repair the nNVE's switch now: its flows read, drift repaired",
    "The nNVE reads the flows its Open vSwitch bridge holds and repairs every difference from the table it wants",
    "(flows deleted behind its back added again, flows added removed, flows changed replaced), as its periodic",
    "audit does; it prints how many flow changes that took (0: no drift). Default http://127.0.0.1:7480."})
public final class ReconcileCommand extends IoCommand implements Callable<Integer> {
    @Mixin
    ApiOptions o;

    @Override
    public Integer call() throws UsageException, ApiException {
        ApiClient api = o.client(io, Kind.NNVE);
        JsonNode a = api.post("/v1/dataplane/reconcile", null);
        if (o.json) {
            Cli.printJson(io, a);
            return 0;
        }
        int changes = a.path("changes").asInt(0);
        io.out().println(changes == 0 ? "no drift: the switch holds the nNVE's table (" + Table.text(a.path("switchMs"))
                + " ms)" : "repaired drift: " + changes + " flow change(s) (" + Table.text(a.path("added")) + " added, "
                + Table.text(a.path("modified")) + " replaced, " + Table.text(a.path("deleted")) + " deleted) in "
                + Table.text(a.path("switchMs")) + " ms");
        return 0;
    }
}
