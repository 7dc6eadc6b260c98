package org.splitnve.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.splitnve.api.Bodies;
import tools.jackson.databind.JsonNode;

/**
 * {@code splitnve vm migrate}: one live migration across two tNVEs (LC-MIGRATE), make-before-break:
 * source start (the VM leaves RUNNING; its nNVEs learn the migration ID, which a destination behind another
 * port scope of the same nNVE needs, REL-4), destination prepare (associate with the arrival hint and the
 * VM's TSIs as the source has them), destination commit (activate), source depart (deactivate with the
 * departure hint), source finish (de-associate). A failure before the destination is activated aborts
 * both sides (the VM keeps running on the source); after it, the remaining source steps are still tried.
 */
final class Migration {
    private final String name;
    private final ApiClient src;
    private final ApiClient dst;
    private final Io io;
    private final boolean json;
    private final UUID id = UUID.randomUUID();

    Migration(String name, ApiClient src, ApiClient dst, Io io, boolean json) {
        this.name = name;
        this.src = src;
        this.dst = dst;
        this.io = io;
        this.json = json;
    }

    /** The TSI_SPECs of a VM as a tNVE reports it: id, VN, MAC and IPs. */
    static List<Bodies.TsiSpec> tsiSpecs(JsonNode vm) {
        List<Bodies.TsiSpec> out = new ArrayList<>();
        for (JsonNode t : VmCommand.list(vm.path("tsis"))) {
            List<String> ips = VmCommand.list(t.path("ips")).stream().map(Table::string).toList();
            JsonNode vn = t.path("vn");
            out.add(new Bodies.TsiSpec(Table.string(t.path("id")), vn.isIntegralNumber() && vn.canConvertToLong()
                    ? vn.longValue() : null, Table.string(t.path("mac")), ips));
        }
        return out;
    }

    /** A step's answer, one JSON object a line with --json. */
    record Step(String migration, String side, String step, long ms, JsonNode answer) {}

    /** A step that failed, with --json. */
    record StepFailed(String migration, String side, String step, String error) {}

    int run() throws ApiException {
        long t0 = System.nanoTime();
        if (!json) {
            io.out().println("migrating " + name + " from " + src.base() + " to " + dst.base() + " (migration " + id + ")");
        }
        JsonNode vm = step("source", "reading the VM's TSIs", "read", () -> src.get(VmCommand.vmPath(name)));
        List<Bodies.TsiSpec> tsis = tsiSpecs(vm);
        String path = VmCommand.vmPath(name) + "/migrate/";
        Bodies.Migration mig = new Bodies.Migration(id.toString());
        step("source", "start (the VM stops running here)", "migrating out", () -> src.post(path + "start", mig));
        try {
            step("destination", "prepare (associate " + tsis.size() + " TSI" + (tsis.size() == 1 ? "" : "s")
                    + " with the arrival hint)", "associated",
                    () -> dst.post(path + "prepare", new Bodies.Prepare(id.toString(), tsis)));
        } catch (ApiException e) {
            // a 4xx is a definite answer: the destination undid its own prepare; otherwise it may be half done
            abort(e.kind() != ApiException.Kind.HTTP || e.status() >= 500);
            throw e;
        }
        try {
            step("destination", "commit (activate)", "activated", () -> dst.post(path + "commit", null));
        } catch (ApiException e) {
            abort(true);
            throw e;
        }
        ApiException late = null;
        try {
            step("source", "depart (deactivate with the departure hint)", "deactivated",
                    () -> src.post(path + "depart", mig));
        } catch (ApiException e) {
            late = e;
        }
        try {
            step("source", "finish (de-associate)", "de-associated", () -> src.post(path + "finish", null));
        } catch (ApiException e) {
            late = late == null ? e : late;
        }
        if (late != null) {
            if (!json) {
                io.out().println(name + " runs on " + dst.base() + ", but the source did not let go of its TSIs cleanly");
            }
            throw late;
        }
        if (!json) {
            io.out().println(name + " runs on " + dst.base() + " (" + Cli.millisSince(t0) + " ms)");
        }
        return 0;
    }

    @FunctionalInterface
    private interface Call {
        JsonNode run() throws ApiException;
    }

    /** One step: a progress line for people ("  destination: commit (activate)... activated (tag 100) in 8 ms"). */
    private JsonNode step(String side, String doing, String done, Call call) throws ApiException {
        if (!json) {
            io.out().print("  " + side + ": " + doing + "... ");
            io.out().flush();
        }
        long t0 = System.nanoTime();
        try {
            JsonNode answer = call.run();
            long ms = Cli.millisSince(t0);
            JsonNode vm = answer.path("vm").isObject() ? answer.path("vm") : answer;
            if (json) {
                Cli.printJson(io, new Step(id.toString(), side, doing, ms, answer));
            } else {
                io.out().println(done + (done.startsWith("a") ? VmCommand.tags(vm) : "") + " in " + ms + " ms"
                        + VmCommand.nnveTime(answer));
            }
            return vm;
        } catch (ApiException e) {
            if (json) {
                Cli.printJson(io, new StepFailed(id.toString(), side, doing, e.getMessage()));
            } else {
                io.out().println("failed: " + e.getMessage());
            }
            throw e;
        }
    }

    /** Undoes what was done before the destination ran the VM: the destination (when it holds something), then the source. */
    private void abort(boolean destination) {
        if (destination) {
            tryAbort("destination", dst, "de-associated, forgotten there");
        }
        tryAbort("source", src, "the VM runs here again");
    }

    private void tryAbort(String side, ApiClient api, String done) {
        try {
            step(side, "abort", done, () -> api.post(VmCommand.vmPath(name) + "/migrate/abort", null));
        } catch (ApiException e) {
            // reported by step; the other side is still tried
        }
    }
}
