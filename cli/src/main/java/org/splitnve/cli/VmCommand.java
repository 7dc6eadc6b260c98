package org.splitnve.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Stack;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.splitnve.api.Bodies;
import org.splitnve.cli.ClientSettings.Kind;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.IParameterConsumer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/**
 * {@code splitnve vm ...}: a VM's lifecycle on a tNVE through its API (LC-CREATE, LC-PAUSE,
 * LC-SUSPEND, LC-MIGRATE, LC-TERMINATE, REQ-10, OPS-2). Every operation returns when the nNVE has answered;
 * the line printed says what happened, how long it took, and how long the nNVE took to answer.
 */
@Command(name = "vm", description = "A VM's lifecycle on a tNVE (default http://127.0.0.1:7481; --endpoint, --api).",
        subcommands = VmCommand.Create.class)
public final class VmCommand extends IoCommand implements Callable<Integer> {
    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** The simple operations: what is said while it runs, what is said when done. */
    private record Simple(String doing, String done) {}

    private static final Map<String, Simple> SIMPLE = Map.of(
            "start", new Simple("activating", "activated"),
            "pause", new Simple("pausing", "paused (TSIs unchanged)"),
            "unpause", new Simple("unpausing", "running"),
            "suspend", new Simple("deactivating (suspend)", "suspended (TSIs associated, not activated)"),
            "resume", new Simple("activating (resume)", "activated"),
            "shutdown", new Simple("de-associating", "de-associated, shut down (vm start runs it again, vm delete"
                    + " forgets it)"),
            "delete", new Simple("forgetting", "deleted, gone from this hypervisor"),
            "reconnect", new Simple("associating and activating again", "reconnected"));

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws UsageException {
        throw new UsageException("vm needs an operation: create, start, pause, unpause, suspend, resume, shutdown,"
                + " delete, reconnect, migrate, addr, list or show");
    }

    // ---- the one-step operations

    @Command(name = "start", description = "associate (if need be) and activate the VM's TSIs: it runs")
    int start(@Parameters(paramLabel = "NAME", description = "the VM") String name, @Mixin ApiOptions o)
            throws UsageException, ApiException {
        return simple("start", name, o);
    }

    @Command(name = "pause", description = "pause the VM (its TSIs stay activated at the nNVE)")
    int pause(@Parameters(paramLabel = "NAME", description = "the VM") String name, @Mixin ApiOptions o)
            throws UsageException, ApiException {
        return simple("pause", name, o);
    }

    @Command(name = "unpause", description = "let a paused VM run again")
    int unpause(@Parameters(paramLabel = "NAME", description = "the VM") String name, @Mixin ApiOptions o)
            throws UsageException, ApiException {
        return simple("unpause", name, o);
    }

    @Command(name = "suspend", description = "suspend the VM: its TSIs deactivated, still associated")
    int suspend(@Parameters(paramLabel = "NAME", description = "the VM") String name, @Mixin ApiOptions o)
            throws UsageException, ApiException {
        return simple("suspend", name, o);
    }

    @Command(name = "resume", description = "resume a suspended VM: its TSIs activated again")
    int resume(@Parameters(paramLabel = "NAME", description = "the VM") String name, @Mixin ApiOptions o)
            throws UsageException, ApiException {
        return simple("resume", name, o);
    }

    @Command(name = "shutdown", description = "de-associate the VM's TSIs; the VM stays, shut down (vm start runs it again)")
    int shutdown(@Parameters(paramLabel = "NAME", description = "the VM") String name, @Mixin ApiOptions o)
            throws UsageException, ApiException {
        return simple("shutdown", name, o);
    }

    @Command(name = "delete", description = "forget a shut-down VM (de-associating what is still associated)")
    int delete(@Parameters(paramLabel = "NAME", description = "the VM") String name, @Mixin ApiOptions o)
            throws UsageException, ApiException {
        return simple("delete", name, o);
    }

    @Command(name = "reconnect", description = {"bring back a VM whose TSIs the nNVE deactivated or de-associated",
        "The tNVE associates and activates them again as the VM's state asks."})
    int reconnect(@Parameters(paramLabel = "NAME", description = "the VM") String name, @Mixin ApiOptions o)
            throws UsageException, ApiException {
        return simple("reconnect", name, o);
    }

    // ---- create

    /** The TSI_SPECs of {@code --vn/--mac/--ip/--tsi} groups: each --vn starts a TSI. */
    static List<Bodies.TsiSpec> tsiSpecs(Args a) throws UsageException {
        List<Map<String, Object>> tsis = new ArrayList<>();
        Map<String, Object> cur = null;
        Set<String> macs = new LinkedHashSet<>();
        for (Args.Opt o : a.options()) {
            switch (o.name()) {
                case "--vn" -> {
                    cur = new LinkedHashMap<>();
                    cur.put("vn", vnId(o.value()));
                    cur.put("ips", new ArrayList<String>());
                    tsis.add(cur);
                }
                case "--mac", "--ip", "--tsi" -> {
                    if (cur == null) {
                        throw new UsageException(o.name() + " " + o.value() + " comes before any --vn (each --vn starts a TSI)");
                    }
                    String key = o.name().substring(2);
                    if (o.name().equals("--ip")) {
                        @SuppressWarnings("unchecked")
                        List<String> ips = (List<String>) cur.get("ips");
                        ips.add(ip(o.value()));
                    } else if (cur.containsKey(key.equals("tsi") ? "id" : key)) {
                        throw new UsageException("two " + o.name() + " for the TSI of --vn " + cur.get("vn"));
                    } else if (key.equals("mac")) {
                        String mac = mac(o.value());
                        if (!macs.add(mac)) {
                            throw new UsageException("MAC " + mac + " given for two TSIs");
                        }
                        cur.put("mac", mac);
                    } else {
                        cur.put("id", uuid(o.value(), "--tsi"));
                    }
                }
                default -> {
                    // common options
                }
            }
        }
        if (tsis.isEmpty()) {
            throw new UsageException("a VM needs at least one TSI: --vn ID --mac MAC");
        }
        List<Bodies.TsiSpec> out = new ArrayList<>();
        for (Map<String, Object> t : tsis) {
            if (!t.containsKey("mac")) {
                throw new UsageException("the TSI of --vn " + t.get("vn") + " has no --mac");
            }
            @SuppressWarnings("unchecked")
            List<String> ips = (List<String>) t.get("ips");
            out.add(new Bodies.TsiSpec((String) t.get("id"), (Long) t.get("vn"), (String) t.get("mac"), ips));
        }
        return out;
    }

    /** Records {@code --vn}, {@code --mac}, {@code --ip} and {@code --tsi} in the order given: each --vn starts a TSI. */
    public static final class InOrder implements IParameterConsumer {
        @Override
        public void consumeParameters(Stack<String> args, ArgSpec arg, CommandSpec spec) {
            String name = ((OptionSpec) arg).longestName();
            if (args.isEmpty()) {
                throw new ParameterException(spec.commandLine(), name + " needs a value");
            }
            ((Create) spec.userObject()).order.add(new Args.Opt(name, args.pop()));
        }
    }

    @Command(name = "create", description = {"define the VM and associate its TSIs (--start: and activate them)",
        "One TSI per --vn: the --mac, --ip and --tsi after a --vn belong to it."})
    static final class Create extends IoCommand implements Callable<Integer> {
        final List<Args.Opt> order = new ArrayList<>();
        @Parameters(paramLabel = "NAME", description = "the VM")
        String name;
        @Option(names = "--vn", paramLabel = "ID", required = true, parameterConsumer = InOrder.class,
                description = "starts a TSI on this VN (a VN ID)")
        List<String> vn;
        @Option(names = "--mac", paramLabel = "MAC", parameterConsumer = InOrder.class, description = "the TSI's MAC (required)")
        List<String> mac;
        @Option(names = "--ip", paramLabel = "IP", parameterConsumer = InOrder.class,
                description = "an address or prefix of the TSI (192.0.2.1, 2001:db8::1, 192.0.2.0/24), repeatable")
        List<String> ip;
        @Option(names = "--tsi", paramLabel = "UUID", parameterConsumer = InOrder.class,
                description = "the TSI's ID (default: derived from the VM's name and the MAC)")
        List<String> tsi;
        @Option(names = "--start", description = "activate the TSIs too: the VM runs")
        boolean start;
        @Mixin
        ApiOptions o;

        @Override
        public Integer call() throws UsageException, ApiException {
            List<Bodies.TsiSpec> tsis = tsiSpecs(Args.of(List.of(name), order));
            ApiClient api = o.client(io, Kind.TNVE);
            Bodies.Create body = new Bodies.Create(name, tsis, start);
            String doing = (start ? "associating and activating " : "associating ") + tsis.size() + " TSI"
                    + (tsis.size() == 1 ? "" : "s");
            JsonNode answer = VmCommand.call(io, o.json, name, doing, start ? "activated" : "associated",
                    () -> api.post("/v1/vms", body));
            if (!o.json) {
                tsiTable(answer.path("vm")).print(io.out());
            }
            return 0;
        }
    }

    // ---- the one-step operations

    private int simple(String op, String name, ApiOptions o) throws UsageException, ApiException {
        ApiClient api = o.client(io, Kind.TNVE);
        Simple s = SIMPLE.get(op);
        JsonNode answer = call(io, o.json, name, s.doing(), s.done(), () -> op.equals("delete") ? api.delete(vmPath(name))
                : api.post(vmPath(name) + "/" + op, null));
        if (op.equals("reconnect") && !o.json) {
            tsiTable(answer.path("vm")).print(io.out());
        }
        return 0;
    }

    @FunctionalInterface
    private interface Call {
        JsonNode run() throws ApiException;
    }

    /**
     * Runs one operation: "NAME: doing... done in N ms" for people (with the local tags after "associated"
     * and "activated": "activated (tag 100) in 12 ms"), the JSON answer with --json.
     */
    private static JsonNode call(Io io, boolean json, String name, String doing, String done, Call call) throws ApiException {
        if (!json) {
            io.out().print(name + ": " + doing + "... ");
            io.out().flush();
        }
        long t0 = System.nanoTime();
        JsonNode answer;
        try {
            answer = call.run();
        } catch (ApiException e) {
            if (!json) {
                io.out().println("failed");
            }
            throw e;
        }
        if (json) {
            Cli.printJson(io, answer);
        } else {
            io.out().println(done + (done.startsWith("a") ? tags(answer.path("vm")) : "") + " in " + Cli.millisSince(t0) + " ms"
                    + nnveTime(answer));
        }
        return answer;
    }

    /**
     * " (nNVE answered in 3.2 ms)": how long the nNVE took, as the tNVE measured it from its request to the
     * nNVE's answer ({@code nnveMs} of the answer); "" when the operation sent the nNVE nothing.
     */
    static String nnveTime(JsonNode answer) {
        JsonNode n = answer.path("nnveMs");
        return n.isNumber() ? " (nNVE answered in "
                + n.decimalValue().setScale(1, java.math.RoundingMode.HALF_UP).toPlainString() + " ms)" : "";
    }

    /** " (tag 100)", " (tags 100, 101)" or "": the local tags the VM's TSIs got. */
    static String tags(JsonNode vm) {
        Set<String> tags = tagSet(vm);
        return tags.isEmpty() ? "" : " (tag" + (tags.size() == 1 ? " " : "s ") + String.join(", ", tags) + ")";
    }

    /** The distinct local tags of a VM's TSIs on all its uplinks. */
    static Set<String> tagSet(JsonNode vm) {
        Set<String> tags = new LinkedHashSet<>();
        for (JsonNode t : list(vm.path("tsis"))) {
            for (JsonNode u : list(t.path("uplinks"))) {
                Long tag = localTag(u);
                if (tag != null) {
                    tags.add(tag.toString());
                }
            }
        }
        return tags;
    }

    /** A TSI's local tag on an uplink (1..4094), or null when it has none. */
    static Long localTag(JsonNode uplink) {
        JsonNode t = uplink.path("localTag");
        return t.isIntegralNumber() && t.canConvertToLong() && t.longValue() >= 1 && t.longValue() <= 4094
                ? t.longValue() : null;
    }

    public static List<JsonNode> list(JsonNode j) {
        return Table.items(j);
    }

    /** One row per TSI and uplink: what the nNVE made of each. */
    static Table tsiTable(JsonNode vm) {
        Table t = new Table("TSI", "VN", "MAC", "IPS", "UPLINK", "STATE", "TAG");
        for (JsonNode tsi : list(vm.path("tsis"))) {
            List<JsonNode> ups = list(tsi.path("uplinks"));
            if (ups.isEmpty()) {
                t.row(tsi.path("id"), tsi.path("vn"), tsi.path("mac"), tsi.path("ips"), "-", "-", "-");
            }
            for (JsonNode u : ups) {
                Long tag = localTag(u);
                t.row(tsi.path("id"), tsi.path("vn"), tsi.path("mac"), tsi.path("ips"), u.path("uplink"), u.path("state"), tag);
            }
        }
        return t;
    }

    // ---- addresses (REQ-10)

    @Command(name = "addr", description = {"add, remove or replace a TSI's IP addresses and prefixes",
        "IP: an address or a prefix (192.0.2.1, 2001:db8::1, 192.0.2.0/24)."})
    int addr(@Parameters(index = "0", paramLabel = "NAME", description = "the VM") String name,
            @Parameters(index = "1", paramLabel = "add|remove|replace", description = "what to do") String op,
            @Parameters(index = "2..*", arity = "0..*", paramLabel = "IP", description = "the addresses") List<String> given,
            @Option(names = "--tsi", required = true, paramLabel = "UUID|MAC", description = "the TSI") String tsi,
            @Mixin ApiOptions o) throws UsageException, ApiException {
        if (!Set.of("add", "remove", "replace").contains(op)) {
            throw new UsageException("the address operation is add, remove or replace, not '" + op + "'");
        }
        List<String> ips = new ArrayList<>();
        for (String ip : given == null ? List.<String>of() : given) {
            ips.add(ip(ip));
        }
        if (ips.isEmpty() && !op.equals("replace")) {
            throw new UsageException(op + " needs at least one IP address");
        }
        String tsiKey = UUID_TEXT.matcher(tsi).matches() ? uuid(tsi, "--tsi") : mac(tsi);
        ApiClient api = o.client(io, Kind.TNVE);
        Bodies.Addresses body = new Bodies.Addresses(tsiKey, op, ips);
        String doing = switch (op) {
            case "add" -> "adding " + String.join(", ", ips) + " to TSI " + tsiKey;
            case "remove" -> "removing " + String.join(", ", ips) + " from TSI " + tsiKey;
            default -> "replacing the addresses of TSI " + tsiKey + (ips.isEmpty() ? " with none" : " with " + String.join(", ", ips));
        };
        JsonNode answer = call(io, o.json, name, doing, "done", () -> api.post(vmPath(name) + "/addresses", body));
        if (!o.json) {
            tsiTable(answer.path("vm")).print(io.out());
        }
        return 0;
    }

    // ---- queries

    @Command(name = "list", description = "the tNVE's VMs: state, TSIs, their states at the nNVE, local tags")
    int list(@Mixin ApiOptions o) throws UsageException, ApiException {
        ApiClient api = o.client(io, Kind.TNVE);
        JsonNode vms = api.get("/v1/vms");
        if (o.json) {
            Cli.printJson(io, vms);
            return 0;
        }
        Table t = new Table("NAME", "STATE", "TSIS", "AT THE nNVE", "TAGS", "MIGRATION");
        for (JsonNode vm : list(vms)) {
            Map<String, Integer> states = new LinkedHashMap<>();
            for (JsonNode tsi : list(vm.path("tsis"))) {
                for (JsonNode u : list(tsi.path("uplinks"))) {
                    states.merge(Table.text(u.path("state")), 1, Integer::sum);
                }
            }
            List<String> s = new ArrayList<>();
            states.forEach((k, v) -> s.add(v + " " + k));
            Set<String> tags = tagSet(vm);
            t.row(vm.path("name"), vm.path("state"), list(vm.path("tsis")).size(), s.isEmpty() ? "-" : String.join(", ", s),
                    tags.isEmpty() ? "-" : String.join(",", tags), vm.path("migration"));
        }
        if (t.size() == 0) {
            io.out().println("no VMs on " + api.base());
        } else {
            t.print(io.out());
        }
        return 0;
    }

    @Command(name = "show", description = "one VM: its state and its TSIs, per uplink")
    int show(@Parameters(paramLabel = "NAME", description = "the VM") String name, @Mixin ApiOptions o)
            throws UsageException, ApiException {
        JsonNode vm = o.client(io, Kind.TNVE).get(vmPath(name));
        if (o.json) {
            Cli.printJson(io, vm);
            return 0;
        }
        io.out().println("VM " + Table.text(vm.path("name")) + ": " + Table.text(vm.path("state"))
                + (vm.path("migration").isString() ? " (migration " + vm.path("migration").stringValue() + ")" : ""));
        tsiTable(vm).print(io.out());
        return 0;
    }

    // ---- migrate (LC-MIGRATE)

    @Command(name = "migrate", description = {
        "live migration to another tNVE (make-before-break)",
        "Source start, destination prepare (associate with the arrival hint), destination commit (activate),",
        "source depart and finish, each step printed; on a failure both sides are aborted.",
        "Each side gets its own credentials: the source those of --from (or --endpoint/--api), the",
        "destination those of --to: an endpoint's token_file, --to-token-file, or the environment's token."})
    int migrate(@Parameters(paramLabel = "NAME", description = "the VM") String name,
            @Option(names = "--to", required = true, paramLabel = "ENDPOINT|URL", description = "the destination tNVE")
            String to,
            @Option(names = "--from", paramLabel = "ENDPOINT|URL", description = "the source tNVE (default: as --endpoint/--api)")
            String from,
            @Option(names = "--to-token-file", paramLabel = "FILE", description = "the destination's bearer token")
            String toTokenFile,
            @Mixin ApiOptions o) throws UsageException, ApiException {
        ApiClient src;
        if (from != null) {
            if (o.api != null || o.endpoint != null) {
                throw new UsageException("--from names the source: leave out --api and --endpoint");
            }
            src = side(from, o.tokenFile, o.timeoutSeconds());
        } else {
            src = o.client(io, Kind.TNVE);
        }
        ApiClient dst = side(to, toTokenFile, o.timeoutSeconds());
        if (src.base().equals(dst.base())) {
            throw new UsageException("--to names the source tNVE itself (" + src.base() + ")");
        }
        return new Migration(name, src, dst, io, o.json).run();
    }

    /** One side of a migration: an endpoint's name or a URL, with its own token. */
    private ApiClient side(String endpointOrUrl, String tokenFile, long timeout) throws UsageException {
        boolean url = endpointOrUrl.contains("://");
        return ApiOptions.resolve(io, url ? endpointOrUrl : null, url ? null : endpointOrUrl, tokenFile, Kind.TNVE, timeout);
    }

    // ---- values

    /** The API path of a VM, its name percent-encoded. */
    public static String vmPath(String name) {
        return "/v1/vms/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static long vnId(String s) throws UsageException {
        try {
            long v = Long.parseLong(s);
            if (v >= 0 && v <= 0xFFFF_FFFFL) {
                return v;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new UsageException("--vn takes a VN ID (a number from 0 to 4294967295), not '" + s + "'");
    }

    static String mac(String s) throws UsageException {
        MacAddress m;
        try {
            m = MacAddress.parse(s);
        } catch (IllegalArgumentException e) {
            throw new UsageException("not a MAC address: '" + s + "' (e.g. 52:54:00:00:00:01)");
        }
        if (!m.isValidUnicast()) {
            throw new UsageException("a TSI's MAC is a unicast address, not " + m);
        }
        return m.toString();
    }

    /**
     * An IP address or prefix (192.0.2.1, 2001:db8::1, 192.0.2.0/24) in its canonical text: the same parser
     * as the API's and the libvirt hook's (OPS-3), so what the tables show can be given back here.
     */
    static String ip(String s) throws UsageException {
        try {
            return TsiAddress.parse(s).ipText();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    static String uuid(String s, String what) throws UsageException {
        if (!UUID_TEXT.matcher(s).matches()) {
            throw new UsageException(what + " takes a UUID (8-4-4-4-12 hex digits), not '" + s + "'");
        }
        return UUID.fromString(s).toString();
    }
}
