package org.splitnve.app.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.splitnve.app.api.Bodies;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import tools.jackson.databind.JsonNode;

/**
 * {@code splitnve vm ...}: a VM's lifecycle on a tNVE through its API (LC-CREATE, LC-PAUSE,
 * LC-SUSPEND, LC-MIGRATE, LC-TERMINATE, REQ-10, OPS-2). Every operation returns when the nNVE has answered;
 * the line printed says what happened and how long it took.
 */
public final class VmCommand {
    static final String USAGE = """
            usage: splitnve vm <operation> [options]     (talks to a tNVE; default --api http://127.0.0.1:7481)
              vm create NAME --vn ID --mac MAC [--ip IP]... [--tsi UUID] [--vn ID --mac MAC ...] [--start]
                                   define the VM and associate its TSIs (one per --vn; the --mac, --ip and
                                   --tsi after a --vn belong to it); --start also activates them
              vm start|pause|unpause|suspend|resume|shutdown NAME
                                   shutdown de-associates the TSIs and keeps the VM, shut down; start
                                   associates (if need be) and activates them again
              vm delete NAME       forget a shut-down VM (de-associating what is still associated)
              vm reconnect NAME    bring back a VM whose TSIs the nNVE deactivated or de-associated on its
                                   own: associate and activate them again as the VM's state asks
              vm migrate NAME --to URL [--from URL]
                                   live migration between two tNVEs: source start, destination prepare
                                   (associate with the arrival hint), destination commit (activate), source
                                   depart and finish; on a failure both sides are aborted
              vm addr NAME --tsi UUID|MAC add|remove|replace IP...
                                   IP: an address or a prefix (192.0.2.1, 2001:db8::1, 192.0.2.0/24)
              vm list
              vm show NAME
            """ + Cli.COMMON_USAGE;

    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** The simple operations: path, what is said while it runs, what is said when done. */
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

    private final Io io;

    private VmCommand(Io io) {
        this.io = io;
    }

    public static int run(List<String> argv, Io io) {
        if (argv.isEmpty()) {
            io.err().println("splitnve: vm needs an operation");
            io.err().print(USAGE);
            return 2;
        }
        if (Cli.isHelp(argv)) {
            io.out().print(USAGE);
            return 0;
        }
        VmCommand c = new VmCommand(io);
        String op = argv.get(0);
        List<String> rest = argv.subList(1, argv.size());
        return Cli.execute(io, USAGE, () -> switch (op) {
            case "create" -> c.create(rest);
            case "start", "pause", "unpause", "suspend", "resume", "shutdown", "delete", "reconnect" -> c.simple(op, rest);
            case "migrate" -> c.migrate(rest);
            case "addr" -> c.addr(rest);
            case "list" -> c.list(rest);
            case "show" -> c.show(rest);
            default -> throw new UsageException("unknown vm operation '" + op + "'");
        });
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

    private int create(List<String> argv) throws UsageException, ApiException {
        Args a = Args.parse(argv, Cli.options("--vn", true, "--mac", true, "--ip", true, "--tsi", true, "--start", false));
        String name = a.words(1, "the VM's NAME").get(0);
        List<Bodies.TsiSpec> tsis = tsiSpecs(a);
        boolean start = a.flag("--start");
        ApiClient api = Cli.client(a, io, ApiClient.TNVE_DEFAULT);
        Bodies.Create body = new Bodies.Create(name, tsis, start);
        String doing = (start ? "associating and activating " : "associating ") + tsis.size() + " TSI"
                + (tsis.size() == 1 ? "" : "s");
        JsonNode answer = call(a, name, doing, start ? "activated" : "associated", () -> api.post("/v1/vms", body));
        if (!a.flag("--json")) {
            tsiTable(answer.path("vm")).print(io.out());
        }
        return 0;
    }

    // ---- the one-step operations

    private int simple(String op, List<String> argv) throws UsageException, ApiException {
        Args a = Args.parse(argv, Cli.COMMON);
        String name = a.words(1, "the VM's NAME").get(0);
        ApiClient api = Cli.client(a, io, ApiClient.TNVE_DEFAULT);
        Simple s = SIMPLE.get(op);
        JsonNode answer = call(a, name, s.doing(), s.done(), () -> op.equals("delete") ? api.delete(vmPath(name))
                : api.post(vmPath(name) + "/" + op, null));
        if (op.equals("reconnect") && !a.flag("--json")) {
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
    private JsonNode call(Args a, String name, String doing, String done, Call call) throws ApiException, UsageException {
        boolean json = a.flag("--json");
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
            io.out().println(done + (done.startsWith("a") ? tags(answer.path("vm")) : "") + " in " + Cli.millisSince(t0) + " ms");
        }
        return answer;
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

    private int addr(List<String> argv) throws UsageException, ApiException {
        Args a = Args.parse(argv, Cli.options("--tsi", true));
        List<String> w = a.words();
        if (w.size() < 2) {
            throw new UsageException(w.isEmpty() ? "missing the VM's NAME" : "missing add, remove or replace");
        }
        String name = w.get(0);
        String op = w.get(1);
        if (!Set.of("add", "remove", "replace").contains(op)) {
            throw new UsageException("the address operation is add, remove or replace, not '" + op + "'");
        }
        List<String> ips = new ArrayList<>();
        for (String ip : w.subList(2, w.size())) {
            ips.add(ip(ip));
        }
        if (ips.isEmpty() && !op.equals("replace")) {
            throw new UsageException(op + " needs at least one IP address");
        }
        String tsi = a.required("--tsi");
        String tsiKey = UUID_TEXT.matcher(tsi).matches() ? uuid(tsi, "--tsi") : mac(tsi);
        ApiClient api = Cli.client(a, io, ApiClient.TNVE_DEFAULT);
        Bodies.Addresses body = new Bodies.Addresses(tsiKey, op, ips);
        String doing = switch (op) {
            case "add" -> "adding " + String.join(", ", ips) + " to TSI " + tsiKey;
            case "remove" -> "removing " + String.join(", ", ips) + " from TSI " + tsiKey;
            default -> "replacing the addresses of TSI " + tsiKey + (ips.isEmpty() ? " with none" : " with " + String.join(", ", ips));
        };
        JsonNode answer = call(a, name, doing, "done", () -> api.post(vmPath(name) + "/addresses", body));
        if (!a.flag("--json")) {
            tsiTable(answer.path("vm")).print(io.out());
        }
        return 0;
    }

    // ---- queries

    private int list(List<String> argv) throws UsageException, ApiException {
        Args a = Args.parse(argv, Cli.COMMON);
        a.words(0, "");
        ApiClient api = Cli.client(a, io, ApiClient.TNVE_DEFAULT);
        JsonNode vms = api.get("/v1/vms");
        if (a.flag("--json")) {
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

    private int show(List<String> argv) throws UsageException, ApiException {
        Args a = Args.parse(argv, Cli.COMMON);
        String name = a.words(1, "the VM's NAME").get(0);
        JsonNode vm = Cli.client(a, io, ApiClient.TNVE_DEFAULT).get(vmPath(name));
        if (a.flag("--json")) {
            Cli.printJson(io, vm);
            return 0;
        }
        io.out().println("VM " + Table.text(vm.path("name")) + ": " + Table.text(vm.path("state"))
                + (vm.path("migration").isString() ? " (migration " + vm.path("migration").stringValue() + ")" : ""));
        tsiTable(vm).print(io.out());
        return 0;
    }

    // ---- migrate (LC-MIGRATE)

    private int migrate(List<String> argv) throws UsageException, ApiException {
        Args a = Args.parse(argv, Cli.options("--to", true, "--from", true));
        String name = a.words(1, "the VM's NAME").get(0);
        String from = a.value("--from") != null ? a.value("--from") : a.value("--api");
        ApiClient src = Cli.client(a, io, from, ApiClient.TNVE_DEFAULT);
        ApiClient dst = Cli.client(a, io, a.required("--to"), ApiClient.TNVE_DEFAULT);
        if (src.base().equals(dst.base())) {
            throw new UsageException("--to names the source tNVE itself (" + src.base() + ")");
        }
        return new Migration(name, src, dst, io, a.flag("--json")).run();
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
