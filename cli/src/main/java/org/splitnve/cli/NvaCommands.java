package org.splitnve.cli;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/**
 * The NVA's operator commands (NVA-1, NVA-8) over its HTTP API (docs/nva-api.md): {@code splitnve nva vn|nve|
 * duplicate ...} and {@code splitnve where MAC|IP|TSI}. Each prints a table for people, or the NVA's JSON with
 * {@code --json}.
 */
public final class NvaCommands {
    /** The NVA's default address. */
    public static final String NVA_DEFAULT = "http://127.0.0.1:7490";

    private NvaCommands() {
    }

    /** Where the NVA is and how to call it: {@code --nva URL} and {@code --token-file FILE} (the operator's). */
    public static final class NvaOptions {
        @Option(names = "--nva", paramLabel = "URL", description = "the NVA's API (default: env SPLITNVE_NVA, else "
                + NVA_DEFAULT + ")")
        String url;

        @Option(names = "--token-file", paramLabel = "FILE", description = "the operator's token (default: env"
                + " SPLITNVE_NVA_TOKEN_FILE; none is needed on loopback when the NVA has no operator token)")
        String tokenFile;

        @Option(names = "--json", description = "print the NVA's JSON answers")
        boolean json;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30", description = "how long to wait")
        String timeout;

        ApiClient client(Io io) throws UsageException {
            String u = url != null ? url : io.env("SPLITNVE_NVA") != null ? io.env("SPLITNVE_NVA") : NVA_DEFAULT;
            URI base = ApiClient.baseUri(u);
            String file = tokenFile != null ? tokenFile : io.env("SPLITNVE_NVA_TOKEN_FILE");
            String token = null;
            if (file != null) {
                try {
                    token = Files.readString(Path.of(file)).lines().map(String::strip).filter(s -> !s.isEmpty())
                            .findFirst().orElseThrow(() -> new UsageException("no token in " + file));
                } catch (java.io.IOException e) {
                    throw new UsageException("--token-file " + file + ": " + e.getMessage());
                }
            }
            return new ApiClient(base, token, Duration.ofSeconds(Cli.positive("--timeout", timeout, 30)));
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The rows of {@code list} as a {@link Table} (columns as wide as their widest cell: a TSI's UUID included). */
    static void table(Io io, JsonNode list, String... columns) {
        String[] head = new String[columns.length];
        for (int i = 0; i < columns.length; i++) {
            head[i] = columns[i].toUpperCase(java.util.Locale.ROOT);
        }
        Table t = new Table(head);
        for (JsonNode row : list) {
            Object[] cells = new Object[columns.length];
            for (int i = 0; i < columns.length; i++) {
                JsonNode v = row.path(columns[i]);
                cells[i] = v.isString() ? v.asString() : v.isMissingNode() || v.isNull() ? "-" : v.toString();
            }
            t.row(cells);
        }
        t.print(io.out());
    }

    @Command(name = "vn", description = "The NVA's VNs (NVA-1): create, list, show, delete; TSI permits and records.")
    public static final class Vn extends IoCommand implements Callable<Integer> {
        @Override
        public Integer call() throws UsageException {
            throw new UsageException("vn needs an operation: create, list, show, delete, permit, record");
        }

        @Command(name = "create", description = "define a VN once, at the NVA; every nNVE serving it learns it")
        int create(@Parameters(paramLabel = "ID", description = "the VN ID") long id,
                @Option(names = "--alias", required = true, paramLabel = "NAME") String alias,
                @Option(names = "--context", paramLabel = "VNI") Long context,
                @Option(names = "--service", paramLabel = "l2|l3") String service,
                @Option(names = "--mode", paramLabel = "trusted|validated") String mode,
                @Option(names = "--name", paramLabel = "UUID", description = "the VN Name (default: a new UUID)") String name,
                @Option(names = "--permit-any", description = "any TSI may join") boolean permitAny,
                @Mixin NvaOptions o) throws UsageException, ApiException {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("id", id);
            b.put("alias", alias);
            put(b, "context", context);
            put(b, "service", service);
            put(b, "mode", mode);
            put(b, "name", name);
            if (permitAny) {
                b.put("permit_any", true);
            }
            JsonNode a = o.client(io).post("/v1/nva/vns", b);
            if (o.json) {
                Cli.printJson(io, a);
            } else {
                io.out().println("VN " + id + " (" + alias + ") created at revision " + a.path("revision"));
            }
            return 0;
        }

        @Command(name = "list", description = "every VN")
        int list(@Mixin NvaOptions o) throws UsageException, ApiException {
            JsonNode a = o.client(io).get("/v1/nva/vns");
            if (o.json) {
                Cli.printJson(io, a);
            } else {
                table(io, a, "id", "alias", "context", "service", "mode", "name");
            }
            return 0;
        }

        @Command(name = "show", description = "one VN, its permits, TSI records and mapping entries")
        int show(@Parameters(paramLabel = "ID") long id, @Mixin NvaOptions o) throws UsageException, ApiException {
            JsonNode a = o.client(io).get("/v1/nva/vns/" + id);
            if (o.json) {
                Cli.printJson(io, a);
                return 0;
            }
            table(io, List.of(a.path("vn")).stream().collect(JsonLists.collector()), "id", "alias", "context",
                    "service", "mode", "name");
            io.out().println("permits: " + a.path("permits").size() + ", records: " + a.path("records").size()
                    + ", mapping entries: " + a.path("mappings").size());
            return 0;
        }

        @Command(name = "delete", description = "remove a VN (its entries, tags, permits and records go with it)")
        int delete(@Parameters(paramLabel = "ID") long id, @Mixin NvaOptions o) throws UsageException, ApiException {
            JsonNode a = o.client(io).delete("/v1/nva/vns/" + id);
            if (o.json) {
                Cli.printJson(io, a);
            } else {
                io.out().println("VN " + id + " removed at revision " + a.path("revision"));
            }
            return 0;
        }

        @Command(name = "permit", description = "let a TSI (a UUID, or * for any) join the VN; --revoke takes it back")
        int permit(@Parameters(paramLabel = "ID") long id, @Parameters(paramLabel = "TSI") String tsi,
                @Option(names = "--revoke") boolean revoke, @Mixin NvaOptions o) throws UsageException, ApiException {
            JsonNode a = revoke ? o.client(io).delete("/v1/nva/vns/" + id + "/permits/" + enc(tsi))
                    : o.client(io).post("/v1/nva/vns/" + id + "/permits", Map.of("tsi", tsi));
            if (o.json) {
                Cli.printJson(io, a);
            } else {
                io.out().println((revoke ? "revoked" : "permitted") + " at revision " + a.path("revision"));
            }
            return 0;
        }

        @Command(name = "record", description = "a validated VN's record of a TSI (SEC-2): its MAC and IP addresses;"
                + " --remove removes it")
        int record(@Parameters(paramLabel = "ID") long id, @Parameters(paramLabel = "TSI") String tsi,
                @Option(names = "--mac", paramLabel = "MAC") String mac,
                @Option(names = "--ip", paramLabel = "IP") List<String> ips,
                @Option(names = "--remove") boolean remove, @Mixin NvaOptions o) throws UsageException, ApiException {
            JsonNode a;
            if (remove) {
                a = o.client(io).delete("/v1/nva/vns/" + id + "/records/" + enc(tsi));
            } else {
                if (mac == null) {
                    throw new UsageException("a record needs --mac MAC");
                }
                List<Map<String, String>> addrs = new java.util.ArrayList<>();
                addrs.add(Map.of("mac", mac));
                for (String ip : ips == null ? List.<String>of() : ips) {
                    addrs.add(Map.of("ip", ip, "mac", mac));
                }
                a = o.client(io).post("/v1/nva/vns/" + id + "/records", Map.of("tsi", tsi, "addresses", addrs));
            }
            if (o.json) {
                Cli.printJson(io, a);
            } else {
                io.out().println((remove ? "removed" : "recorded") + " at revision " + a.path("revision"));
            }
            return 0;
        }
    }

    @Command(name = "nve", description = "The NVA's nNVEs and their tokens (NVA-7): add, list, remove.")
    public static final class Nve extends IoCommand implements Callable<Integer> {
        @Override
        public Integer call() throws UsageException {
            throw new UsageException("nve needs an operation: add, list, remove, token");
        }

        @Command(name = "add", description = {"register an nNVE with its VTEP address and token",
            "Prints the new token once (the NVA keeps only its SHA-256) unless --token-value-file gives one."})
        int add(@Parameters(paramLabel = "NAME") String name,
                @Option(names = "--vtep", required = true, paramLabel = "IP") String vtep,
                @Option(names = "--token-value-file", paramLabel = "FILE", description = "the nNVE's token, chosen"
                        + " by you") String tokenFile,
                @Mixin NvaOptions o) throws UsageException, ApiException {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("name", name);
            b.put("vtep", vtep);
            if (tokenFile != null) {
                try {
                    b.put("token", Files.readString(Path.of(tokenFile)).strip());
                } catch (java.io.IOException e) {
                    throw new UsageException("--token-value-file " + tokenFile + ": " + e.getMessage());
                }
            }
            JsonNode a = o.client(io).post("/v1/nva/nves", b);
            if (o.json) {
                Cli.printJson(io, a);
            } else {
                io.out().println("nNVE " + name + " registered at revision " + a.path("revision"));
                if (a.has("token")) {
                    io.out().println("token: " + a.path("token").asString());
                }
            }
            return 0;
        }

        @Command(name = "list", description = "every registered nNVE")
        int list(@Mixin NvaOptions o) throws UsageException, ApiException {
            JsonNode a = o.client(io).get("/v1/nva/nves");
            if (o.json) {
                Cli.printJson(io, a);
            } else {
                table(io, a, "nve", "vtep", "vns");
            }
            return 0;
        }

        @Command(name = "remove", description = "remove an nNVE (its entries and tags go with it)")
        int remove(@Parameters(paramLabel = "NAME") String name, @Mixin NvaOptions o) throws UsageException, ApiException {
            JsonNode a = o.client(io).delete("/v1/nva/nves/" + enc(name));
            if (o.json) {
                Cli.printJson(io, a);
            } else {
                io.out().println("nNVE " + name + " removed at revision " + a.path("revision"));
            }
            return 0;
        }

        @Command(name = "token", description = "give an nNVE a new token (printed once)")
        int token(@Parameters(paramLabel = "NAME") String name, @Mixin NvaOptions o) throws UsageException, ApiException {
            JsonNode a = o.client(io).post("/v1/nva/nves/" + enc(name) + "/token", null);
            if (o.json) {
                Cli.printJson(io, a);
            } else {
                io.out().println("token: " + a.path("token").asString());
            }
            return 0;
        }
    }

    @Command(name = "duplicate", description = "Duplicate addresses (NVA-6): list, clear.")
    public static final class Duplicate extends IoCommand implements Callable<Integer> {
        @Override
        public Integer call() throws UsageException {
            throw new UsageException("duplicate needs an operation: list, clear");
        }

        @Command(name = "list", description = "every duplicate address")
        int list(@Mixin NvaOptions o) throws UsageException, ApiException {
            JsonNode a = o.client(io).get("/v1/nva/duplicates");
            if (o.json) {
                Cli.printJson(io, a);
            } else {
                table(io, a, "vn", "address", "reason", "frozen", "activations", "since");
            }
            return 0;
        }

        @Command(name = "clear", description = "clear a duplicate (a frozen address is claimable again)")
        int clear(@Parameters(paramLabel = "VN") long vn, @Parameters(paramLabel = "MAC|IP") String address,
                @Mixin NvaOptions o) throws UsageException, ApiException {
            JsonNode a = o.client(io).delete("/v1/nva/duplicates/" + vn + "/" + enc(address));
            if (o.json) {
                Cli.printJson(io, a);
            } else {
                io.out().println("cleared at revision " + a.path("revision"));
            }
            return 0;
        }
    }

    @Command(name = "where", description = "Where a MAC, IP or TSI lives (NVA-8): nNVE, port, VN, state, mobility"
            + " sequence, since when (the NVA's API).")
    public static final class Where extends IoCommand implements Callable<Integer> {
        @Parameters(paramLabel = "MAC|IP|TSI")
        String what;

        @Option(names = "--vn", paramLabel = "ID")
        Long vn;

        @Mixin
        NvaOptions o;

        @Override
        public Integer call() throws UsageException, ApiException {
            String key = what.matches("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}") ? "mac"
                    : what.matches("(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}") ? "tsi" : "ip";
            JsonNode a = o.client(io).get("/v1/nva/where?" + key + "=" + enc(what) + (vn == null ? "" : "&vn=" + vn));
            if (o.json) {
                Cli.printJson(io, a);
                return 0;
            }
            if (a.path("entries").isEmpty()) {
                io.out().println(what + ": nowhere (revision " + a.path("revision") + ")");
                return 1;
            }
            table(io, a.path("entries"), "nve", "port", "vn", "tsi", "state", "mobility_seq", "since");
            return 0;
        }
    }

    private static void put(Map<String, Object> b, String k, Object v) {
        if (v != null) {
            b.put(k, v);
        }
    }

    /** Collects tree nodes into a JSON list. */
    static final class JsonLists {
        private JsonLists() {
        }

        static java.util.stream.Collector<JsonNode, ?, tools.jackson.databind.node.ArrayNode> collector() {
            return java.util.stream.Collector.of(() -> org.splitnve.api.JsonCodec.mapper().createArrayNode(),
                    tools.jackson.databind.node.ArrayNode::add, (x, y) -> {
                        x.addAll(y);
                        return x;
                    });
        }
    }
}
