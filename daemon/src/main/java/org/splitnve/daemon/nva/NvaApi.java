package org.splitnve.daemon.nva;

import io.prometheus.metrics.core.metrics.Counter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.splitnve.daemon.http.ApiError;
import org.splitnve.daemon.http.AuthFailures;
import org.splitnve.daemon.http.ApiServer;
import org.splitnve.daemon.http.Reply;
import org.splitnve.daemon.http.Request;
import org.splitnve.daemon.http.Route;
import org.splitnve.daemon.metrics.Metrics;
import org.splitnve.nva.Decision;
import org.splitnve.nva.EndDeviceRule;
import org.splitnve.nva.NveId;
import org.splitnve.nva.ProvisioningMode;
import org.splitnve.nva.Refusal;
import org.splitnve.nva.TsiRecord;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.nva.http.NvaJson;
import org.splitnve.nva.service.Change;
import org.splitnve.nva.service.Digest;
import org.splitnve.nva.service.Interest;
import org.splitnve.nva.service.MappingEntry;
import org.splitnve.nva.service.Poll;
import org.splitnve.nva.service.Receipt;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.Resource;
import org.splitnve.nva.service.ResourceKey;
import org.splitnve.nva.service.RevisionedNva;
import org.splitnve.nva.service.SessionInfo;
import org.splitnve.nva.service.Snapshot;
import org.splitnve.nva.service.Watch;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The NVA's HTTP API: the NVE-NVA protocol's endpoints (docs/nva-protocol.md section 2: session, list, watch,
 * reports, ack, own-digest) and the operator's (docs/nva-api.md, NVA-1, NVA-8: VNs, TSI permits and records, end-device
 * permits, nNVEs and their tokens, duplicates, where an address lives, status), served by the daemons'
 * {@link ApiServer} with {@link #access} deciding who calls what (NVA-7, section 9):
 *
 * <ul>
 *   <li>an nNVE: its own bearer token; the principal is that nNVE; it may call the protocol's endpoints only;</li>
 *   <li>the operator: the operator's token ([api] token_file), or, when none is configured, any caller on loopback
 *       (as the daemons' API); it may call everything but session, reports, ack and own-digest (which need an nNVE), and
 *       lists and watches everything but credentials (section 4.1);</li>
 *   <li>anyone else: 401, logged ({@code api.refused}).</li>
 * </ul>
 */
public final class NvaApi {
    /** A progress line this often on an idle watch (section 4.2). */
    public static final Duration HEARTBEAT = Duration.ofSeconds(10);
    /**
     * The body limit of {@code POST /v1/nva/reports} (every other route: {@link ApiServer#MAX_BODY}, 1 MiB): the
     * largest report of docs/nva-protocol.md section 13, 4,096 operations, each a {@code bind} of
     * {@link #MAX_REPORT_BIND_ADDRESSES} addresses (an IPv6 address with its MAC and group, the longest an
     * address is in JSON), 12.4 MB (NvaApiLimitsTest), fits. 413 beyond.
     */
    public static final int MAX_REPORT_BODY = 16 << 20;
    /** The addresses of the largest bind {@link #MAX_REPORT_BODY} is sized for (section 13). */
    public static final int MAX_REPORT_BIND_ADDRESSES = 32;
    /** Watch streams at once; more are refused with 503. */
    public static final int MAX_WATCHES = 4096;
    /** The principal of the operator's requests. */
    static final String OPERATOR = "operator";
    private static final String NVE = "nve:";
    private static final Set<String> NVE_ONLY = Set.of("/v1/nva/session", "/v1/nva/reports", "/v1/nva/ack",
            "/v1/nva/own-digest");
    private static final Set<String> PROTOCOL = Set.of("/v1/nva/session", "/v1/nva/list", "/v1/nva/watch",
            "/v1/nva/reports", "/v1/nva/ack", "/v1/nva/own-digest");

    private final RevisionedNva nva;
    private final Duration heartbeat;
    private volatile byte[] operatorToken;
    private final AtomicInteger watches = new AtomicInteger();
    private final Counter reports;
    private final Counter refusedOps;
    private final Counter streams;
    private final SecureRandom random = new SecureRandom();
    private final AuthFailures failures;

    public NvaApi(RevisionedNva nva, Metrics metrics, String operatorToken, Duration heartbeat) {
        this(nva, metrics, operatorToken, heartbeat, AuthFailures.standard());
    }

    /** With {@code failures} counting wrong tokens per source address (section 9; tests move its clock). */
    public NvaApi(RevisionedNva nva, Metrics metrics, String operatorToken, Duration heartbeat, AuthFailures failures) {
        this.nva = nva;
        this.failures = failures;
        this.heartbeat = heartbeat;
        setOperatorToken(operatorToken);
        this.reports = metrics.counter("splitnve_nva_reports_total", "nNVE reports answered, by status", "status");
        this.refusedOps = metrics.counter("splitnve_nva_report_ops_refused_total",
                "report operations the NVA refused, by reason", "reason");
        this.streams = metrics.counter("splitnve_nva_streams_total", "list and watch streams opened", "kind");
    }

    /** OPS-5: the operator's token from now on (null: loopback callers are the operator). */
    public void setOperatorToken(String t) {
        this.operatorToken = t == null ? null : t.getBytes(StandardCharsets.UTF_8);
    }

    /** Watch streams open now (a metric). */
    public int watchers() {
        return watches.get();
    }

    // ================================================================== who (NVA-7)

    /**
     * {@link ApiServer.Access}: the principal of a request, "operator" or "nve:NAME". A missing or wrong token is
     * 401 and counts against its source address; a source with {@link AuthFailures#MAX_FAILURES} of them in
     * {@link AuthFailures#WINDOW} gets 429 for every request until the window ends (section 9), whatever it sends.
     */
    public String access(String method, String route, String authorization, InetAddress remote) throws ApiError {
        long wait = failures.blockedFor(remote);
        if (wait > 0) {
            throw ApiError.tooMany("too many wrong or missing tokens from " + remote.getHostAddress() + ": try again in "
                    + wait + " s", wait);
        }
        try {
            return admit(route, authorization, remote);
        } catch (ApiError e) {
            if (e.status() == 401) {
                failures.failed(remote);
            }
            throw e;
        }
    }

    private String admit(String route, String authorization, InetAddress remote) throws ApiError {
        String principal;
        if (authorization == null) {
            if (operatorToken != null || remote == null || !remote.isLoopbackAddress()) {
                throw new ApiError(401, "this API needs Authorization: Bearer TOKEN", 0, "");
            }
            principal = OPERATOR;
        } else {
            if (authorization.length() < 7 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new ApiError(401, "this API takes Authorization: Bearer TOKEN", 0, "");
            }
            String token = authorization.substring(7).strip();
            byte[] op = operatorToken;
            Optional<NveId> nve = nva.principal(token);
            if (op != null && MessageDigest.isEqual(op, token.getBytes(StandardCharsets.UTF_8))) {
                principal = OPERATOR;
            } else if (nve.isPresent()) {
                principal = NVE + nve.get().name();
            } else {
                throw new ApiError(401, "wrong bearer token", 0, "");
            }
        }
        if (route == null) {
            return principal;
        }
        boolean isNve = principal.startsWith(NVE);
        if (isNve && !PROTOCOL.contains(route)) {
            throw new ApiError(403, "an nNVE's token opens the protocol's endpoints only (docs/nva-protocol.md"
                    + " section 2), not " + route, 0, "");
        }
        if (!isNve && NVE_ONLY.contains(route)) {
            throw new ApiError(403, route + " is an nNVE's: call it with that nNVE's token", 0, "");
        }
        return principal;
    }

    private static NveId nveOf(Request r) {
        String p = r.principal();
        return p != null && p.startsWith(NVE) ? NveId.of(p.substring(NVE.length())) : null;
    }

    // ================================================================== routes

    public List<Route> routes() {
        List<Route> out = new ArrayList<>();
        out.add(Route.post("/v1/nva/session", this::session));
        out.add(Route.get("/v1/nva/list", this::list));
        out.add(Route.get("/v1/nva/watch", this::watch));
        out.add(Route.post("/v1/nva/reports", this::report).withMaxBody(MAX_REPORT_BODY));
        out.add(Route.post("/v1/nva/ack", this::ack));
        out.add(Route.get("/v1/nva/own-digest", r -> Reply.ok(NvaJson.ownDigest(nva.ownDigest(registered(r))))));

        out.add(Route.get("/v1/nva/status", r -> Reply.ok(status())));
        out.add(Route.get("/v1/nva/vns", r -> Reply.ok(ofKind(ResourceKey.Kind.VN))));
        out.add(Route.post("/v1/nva/vns", this::createVn));
        out.add(Route.get("/v1/nva/vns/{vn}", this::showVn));
        out.add(Route.delete("/v1/nva/vns/{vn}", this::deleteVn));
        out.add(Route.post("/v1/nva/vns/{vn}/permits", this::permitTsi));
        out.add(Route.delete("/v1/nva/vns/{vn}/permits/{tsi}", this::revokeTsi));
        out.add(Route.post("/v1/nva/vns/{vn}/records", this::putRecord));
        out.add(Route.delete("/v1/nva/vns/{vn}/records/{tsi}", this::removeRecord));
        out.add(Route.get("/v1/nva/nves", r -> Reply.ok(ofKind(ResourceKey.Kind.NVE))));
        out.add(Route.post("/v1/nva/nves", this::addNve));
        out.add(Route.get("/v1/nva/nves/{nve}", this::showNve));
        out.add(Route.delete("/v1/nva/nves/{nve}", this::removeNve));
        out.add(Route.post("/v1/nva/nves/{nve}/token", this::newToken));
        out.add(Route.post("/v1/nva/nves/{nve}/devices", this::permitDevice));
        out.add(Route.delete("/v1/nva/nves/{nve}/devices", this::revokeDevice));
        out.add(Route.get("/v1/nva/duplicates", r -> Reply.ok(ofKind(ResourceKey.Kind.DUPLICATE))));
        out.add(Route.delete("/v1/nva/duplicates/{vn}/{address}", this::clearDuplicate));
        out.add(Route.get("/v1/nva/where", this::where));
        return out;
    }

    // ================================================================== the protocol (section 2)

    private NveId registered(Request r) throws ApiError {
        NveId nve = nveOf(r);
        if (nve == null) {
            throw new ApiError(403, "this endpoint needs an nNVE's token", 0, "");
        }
        return nve;
    }

    private Interest interest(Request r) throws ApiError {
        NveId nve = nveOf(r);
        if (nve == null) {
            return Interest.operator();
        }
        SessionInfo s = nva.session(nve);
        if (s.registration() == null) {
            throw unknownNve(nve);
        }
        return Interest.of(nve, s.registration().vns());
    }

    private static ApiError unknownNve(NveId nve) {
        return new ApiError(403, "UNKNOWN_NVE: " + nve.name() + " is not in the NVA's NVE registry",
                Refusal.UNKNOWN_NVE.detailCode(), "");
    }

    private Reply session(Request r) throws ApiError {
        NveId nve = registered(r);
        SessionInfo s = nva.session(nve);
        if (s.registration() == null) {
            throw unknownNve(nve);
        }
        return Reply.ok(NvaJson.session(s));
    }

    private Reply list(Request r) throws ApiError {
        Interest interest = interest(r);
        streams.labelValues("list").inc();
        Snapshot snap = nva.list(interest);
        return new Reply.Lines(sink -> {
            sink.line(NvaJson.text(NvaJson.listStart(snap.historyId(), snap.revision(), snap.resources().size())));
            for (Resource res : snap.resources()) {
                sink.line(NvaJson.text(NvaJson.resource(res)));
            }
            sink.line(NvaJson.text(NvaJson.listEnd(snap.revision())));
        });
    }

    private Reply watch(Request r) throws ApiError {
        String history = r.queryParam("history");
        String from = r.queryParam("from");
        if (history == null || history.isEmpty() || from == null) {
            throw ApiError.badRequest("a watch names its history and revision: /v1/nva/watch?history=H&from=R");
        }
        long rev;
        try {
            rev = Long.parseLong(from);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("from: '" + JsonTrees.clip(from) + "' is not a revision (0 or more)");
        }
        if (rev < 0) {
            throw ApiError.badRequest("from: a revision is 0 or more, not " + rev);
        }
        Interest interest = interest(r);
        if (watches.incrementAndGet() > MAX_WATCHES) {
            watches.decrementAndGet();
            throw new ApiError(503, "too many watches (at most " + MAX_WATCHES + ")", 0, "");
        }
        streams.labelValues("watch").inc();
        Watch w = nva.watch(interest, history, rev);
        return new Reply.Lines(sink -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Poll p = w.poll(heartbeat);
                    switch (p) {
                        case Poll.TooOld t -> {
                            sink.line(NvaJson.text(NvaJson.tooOld(t)));
                            return;
                        }
                        case Poll.Changes c -> {
                            long last = 0;
                            for (Change ch : c.changes()) {
                                sink.line(NvaJson.text(NvaJson.change(ch)));
                                last = ch.revision();
                            }
                            if (c.changes().isEmpty() || c.revision() > last) {
                                sink.line(NvaJson.text(NvaJson.progress(c.revision())));
                            }
                        }
                    }
                }
            } finally {
                watches.decrementAndGet();
            }
        });
    }

    private Reply report(Request r) throws ApiError {
        NveId nve = registered(r);
        Report report;
        try {
            report = NvaJson.read(r.body(), NvaJson::report);
        } catch (NvaJson.Bad e) {
            throw ApiError.badRequest("not a report: " + e.getMessage());
        }
        Receipt receipt = nva.report(nve, report);
        reports.labelValues(receipt.status().name().toLowerCase(Locale.ROOT)).inc();
        for (Receipt.Result x : receipt.results()) {
            if (!x.applied() && receipt.status() == Receipt.Status.APPLIED) {
                refusedOps.labelValues(x.refusal().name()).inc();
            }
        }
        if (receipt.refusal() == Refusal.STORE_FAILURE) {
            // nothing changed; the nNVE sends the same report again later (section 5.2)
            return new Reply.JsonReply(503, NvaJson.receipt(receipt));
        }
        return Reply.ok(NvaJson.receipt(receipt));
    }

    private Reply ack(Request r) throws ApiError {
        NveId nve = registered(r);
        NvaJson.Ack a;
        try {
            a = NvaJson.read(r.body(), NvaJson::ack);
        } catch (NvaJson.Bad e) {
            throw ApiError.badRequest("not an acknowledgement: " + e.getMessage());
        }
        if (!a.historyId().equals(nva.historyId())) {
            // another history's revision means nothing here (section 4): ignored, as by InProcessLink
            return a.digest() == null ? new Reply.Text(204, "text/plain; charset=utf-8", "")
                    : Reply.ok(NvaJson.audit(Digest.Audit.UNCHECKED));
        }
        Digest.Audit audit;
        try {
            audit = nva.acknowledge(nve, a.revision(), a.digest());
        } catch (IllegalArgumentException e) {
            throw new ApiError(409, e.getMessage(), 0, "");
        }
        if (a.digest() == null) {
            return new Reply.Text(204, "text/plain; charset=utf-8", "");
        }
        if (audit == Digest.Audit.DIVERGED) {
            // section 12: not recorded; the nNVE lists again (not the 409 of a revision beyond the NVA's)
            ObjectNode o = JsonTrees.object();
            o.put("reason", NvaJson.RESYNC);
            return new Reply.JsonReply(409, o);
        }
        return Reply.ok(NvaJson.audit(audit));
    }

    // ================================================================== the operator (NVA-1, NVA-8)

    private ObjectNode status() {
        ObjectNode o = JsonTrees.object();
        o.put("history", nva.historyId());
        o.put("revision", nva.revision());
        o.put("compacted_through", nva.compactedThrough());
        o.put("in_force_everywhere", nva.inForceEverywhere());
        o.put("duplicate_activations", nva.duplicateActivations());
        o.put("watchers", watches.get());
        return o;
    }

    private ArrayNode ofKind(ResourceKey.Kind kind) {
        ArrayNode a = JsonTrees.array();
        for (Resource res : nva.list(Interest.operator()).resources()) {
            if (res.key().kind() == kind) {
                a.add(NvaJson.resource(res).get("value"));
            }
        }
        return a;
    }

    /** The JSON of a body, as a tree (an empty body is {}). */
    private static JsonNode tree(Request r) throws ApiError {
        if (r.body() == null || r.body().isBlank()) {
            return JsonTrees.object();
        }
        try {
            JsonNode n = NvaJson.parse(r.body());
            if (!n.isObject()) {
                throw ApiError.badRequest("the body is a JSON object {...}");
            }
            return n;
        } catch (NvaJson.Bad e) {
            throw ApiError.badRequest(e.getMessage());
        }
    }

    /** The body's members, each read once; any other member is refused. */
    private static final class Body {
        private final JsonNode node;
        private final Set<String> known;

        Body(Request r, String... known) throws ApiError {
            this.node = tree(r);
            this.known = Set.of(known);
            for (String n : node.propertyNames()) {
                if (!this.known.contains(n)) {
                    throw ApiError.badRequest(n + ": unknown member (known: " + String.join(", ", known) + ")");
                }
            }
        }

        String string(String name, boolean required) throws ApiError {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                if (required) {
                    throw ApiError.badRequest(name + ": required");
                }
                return null;
            }
            if (!v.isString()) {
                throw ApiError.badRequest(name + ": expected a string");
            }
            return v.asString();
        }

        Long integer(String name, long min, long max, boolean required) throws ApiError {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                if (required) {
                    throw ApiError.badRequest(name + ": required");
                }
                return null;
            }
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
                throw ApiError.badRequest(name + ": expected an integer " + min + ".." + max);
            }
            return v.asLong();
        }

        JsonNode raw(String name) {
            JsonNode v = node.get(name);
            return v == null || v.isNull() ? null : v;
        }
    }

    private static int vnParam(Request r) throws ApiError {
        String s = r.param("vn");
        try {
            long v = Long.parseLong(s);
            if (v < 0 || v > 0xFFFF_FFFFL) {
                throw new NumberFormatException();
            }
            return (int) v;
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("'" + JsonTrees.clip(s) + "' is not a VN ID (0..4294967295)");
        }
    }

    private static VsiId tsi(String s, String field) throws ApiError {
        try {
            return NvaJson.vsi(s, field);
        } catch (NvaJson.Bad e) {
            throw ApiError.badRequest(e.getMessage());
        }
    }

    /** An operator's action answered: 200/201 with the revision and the value, or its refusal. */
    private static <T> Reply applied(RevisionedNva.Applied<T> a, int status, JsonNode value) throws ApiError {
        switch (a.decision()) {
            case Decision.Allowed<T> ok -> {
                ObjectNode o = JsonTrees.object();
                o.put("revision", a.revision());
                if (value != null) {
                    o.set("value", value);
                }
                return new Reply.JsonReply(status, o);
            }
            case Decision.Refused<T> no -> throw refusal(no);
        }
    }

    private static ApiError refusal(Decision.Refused<?> no) {
        int status = switch (no.reason()) {
            case UNKNOWN_VN, UNKNOWN_NVE, UNKNOWN_TSI_INSTANCE -> 404;
            case VN_NAME_IN_USE, VN_ID_IN_USE, VN_ALIAS_IN_USE, VN_CONTEXT_IN_USE, INSTANCE_EXISTS, ADDRESS_IN_USE,
                    TAG_IN_USE -> 409;
            case STORE_FAILURE -> 503;
            default -> 422;
        };
        return new ApiError(status, no.reason().name() + ": " + no.text(1000), no.reason().detailCode(), no.detail());
    }

    private Reply createVn(Request r) throws ApiError {
        Body b = new Body(r, "id", "alias", "context", "service", "mode", "name", "permit_any");
        long id = b.integer("id", 0, 0xFFFF_FFFFL, true);
        String alias = b.string("alias", true);
        long context = Optional.ofNullable(b.integer("context", 0, 0xFF_FFFF, false)).orElse(id & 0xFF_FFFF);
        String service = Optional.ofNullable(b.string("service", false)).orElse("l2");
        String mode = Optional.ofNullable(b.string("mode", false)).orElse("trusted");
        String nameText = b.string("name", false);
        JsonNode permitAny = b.raw("permit_any");
        if (permitAny != null && !permitAny.isBoolean()) {
            throw ApiError.badRequest("permit_any: expected true or false");
        }
        if (!service.equals("l2") && !service.equals("l3")) {
            throw ApiError.badRequest("service: expected l2 or l3");
        }
        if (!mode.equals("trusted") && !mode.equals("validated")) {
            throw ApiError.badRequest("mode: expected trusted or validated");
        }
        UUID name;
        try {
            name = nameText == null ? UUID.randomUUID() : UUID.fromString(nameText);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("name: '" + JsonTrees.clip(nameText) + "' is not a UUID (the VN Name)");
        }
        VnRecord vn;
        try {
            vn = VnRecord.of(name, id, alias, (int) context, VnService.valueOf(service.toUpperCase(Locale.ROOT)))
                    .withMode(ProvisioningMode.valueOf(mode.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        RevisionedNva.Applied<VnRecord> a = nva.addVn(vn);
        if (a.decision() instanceof Decision.Allowed<VnRecord> && permitAny != null && permitAny.asBoolean()) {
            a = new RevisionedNva.Applied<>(a.decision(), nva.permitTsi(TsiRule.anyOn(vn.id())).revision());
        }
        return applied(a, 201, NvaJson.resource(new Resource.Vn(vn)).get("value"));
    }

    private Reply showVn(Request r) throws ApiError {
        int vn = vnParam(r);
        Resource v = nva.resource(ResourceKey.vn(vn)).orElseThrow(() -> ApiError.notFound("no VN " + Integer.toUnsignedString(vn)));
        ObjectNode o = JsonTrees.object();
        o.set("vn", NvaJson.resource(v).get("value"));
        ArrayNode permits = o.putArray("permits");
        ArrayNode records = o.putArray("records");
        ArrayNode mappings = o.putArray("mappings");
        for (Resource res : nva.list(Interest.operator()).resources()) {
            if (res.vnId() == null || res.vnId() != vn) {
                continue;
            }
            switch (res) {
                case Resource.TsiPermit p -> permits.add(NvaJson.resource(p).get("value"));
                case Resource.ValidatedTsi t -> records.add(NvaJson.resource(t).get("value"));
                case Resource.Mapping m -> mappings.add(NvaJson.resource(m).get("value"));
                default -> {
                }
            }
        }
        return Reply.ok(o);
    }

    private Reply deleteVn(Request r) throws ApiError {
        return applied(nva.removeVn(vnParam(r)), 200, null);
    }

    private Reply permitTsi(Request r) throws ApiError {
        int vn = vnParam(r);
        Body b = new Body(r, "tsi");
        String t = b.string("tsi", true);
        TsiRule rule = t.equals("*") ? TsiRule.anyOn(vn) : TsiRule.on(vn, tsi(t, "tsi"));
        return applied(nva.permitTsi(rule), 201, NvaJson.resource(new Resource.TsiPermit(rule)).get("value"));
    }

    private Reply revokeTsi(Request r) throws ApiError {
        int vn = vnParam(r);
        String t = r.param("tsi");
        TsiRule rule = t.equals("*") ? TsiRule.anyOn(vn) : TsiRule.on(vn, tsi(t, "tsi"));
        if (nva.resource(new Resource.TsiPermit(rule).key()).isEmpty()) {
            throw ApiError.notFound("no permit " + t + " in VN " + Integer.toUnsignedString(vn));
        }
        return applied(nva.revokeTsi(rule), 200, null);
    }

    private Reply putRecord(Request r) throws ApiError {
        int vn = vnParam(r);
        Body b = new Body(r, "tsi", "addresses");
        VsiId vsi = tsi(b.string("tsi", true), "tsi");
        JsonNode addrs = b.raw("addresses");
        if (addrs == null || !addrs.isArray()) {
            throw ApiError.badRequest("addresses: expected a list of {\"mac\", \"ip\"}");
        }
        TsiRecord rec;
        try {
            rec = new TsiRecord(vsi, vn, NvaJson.addresses(List.copyOf(addrs.values()), "addresses"), List.of());
        } catch (NvaJson.Bad e) {
            throw ApiError.badRequest(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        return applied(nva.putTsiRecord(rec), 201, NvaJson.resource(new Resource.ValidatedTsi(rec)).get("value"));
    }

    private Reply removeRecord(Request r) throws ApiError {
        int vn = vnParam(r);
        VsiId vsi = tsi(r.param("tsi"), "tsi");
        if (nva.resource(ResourceKey.tsiRecord(vn, vsi)).isEmpty()) {
            throw ApiError.notFound("no record of " + r.param("tsi") + " in VN " + Integer.toUnsignedString(vn));
        }
        return applied(nva.removeTsiRecord(vsi, vn), 200, null);
    }

    private static NveId nveParam(Request r) throws ApiError {
        try {
            return NveId.of(r.param("nve"));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("not an nNVE name: " + e.getMessage());
        }
    }

    /** A new token: 32 random octets, base64url (43 characters). */
    private String newTokenText() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private Reply addNve(Request r) throws ApiError {
        Body b = new Body(r, "name", "vtep", "token");
        NveId nve;
        try {
            nve = NveId.of(b.string("name", true));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("name: " + e.getMessage());
        }
        InetAddress vtep;
        try {
            TsiAddress a = TsiAddress.parse(b.string("vtep", true));
            if (a.prefixLength() != (a.ip() instanceof java.net.Inet4Address ? 32 : 128)) {
                throw new IllegalArgumentException("an address, not a prefix");
            }
            vtep = a.ip();
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("vtep: " + e.getMessage());
        }
        String given = b.string("token", false);
        if (given != null && (given.length() < 16 || !given.chars().allMatch(c -> c > 0x20 && c < 0x7F))) {
            throw ApiError.badRequest("token: at least 16 printable ASCII characters without spaces");
        }
        if (nva.resource(ResourceKey.nve(nve)).isPresent()) {
            throw ApiError.conflict(nve.name() + " is registered already (its token: POST /v1/nva/nves/" + nve.name()
                    + "/token)");
        }
        String token = given == null ? newTokenText() : given;
        RevisionedNva.Applied<?> a = nva.registerNve(nve, vtep);
        if (a.decision() instanceof Decision.Refused<?> no) {
            throw refusal(no);
        }
        long rev = nva.setCredential(nve, token).revision();
        ObjectNode o = JsonTrees.object();
        o.put("revision", rev);
        o.set("value", nva.resource(ResourceKey.nve(nve)).map(x -> NvaJson.resource(x).get("value")).orElse(null));
        if (given == null) {
            o.put("token", token); // shown once; the NVA keeps only its SHA-256
        }
        return new Reply.JsonReply(201, o);
    }

    private Reply newToken(Request r) throws ApiError {
        NveId nve = nveParam(r);
        Body b = new Body(r, "token");
        String given = b.string("token", false);
        if (given != null && (given.length() < 16 || !given.chars().allMatch(c -> c > 0x20 && c < 0x7F))) {
            throw ApiError.badRequest("token: at least 16 printable ASCII characters without spaces");
        }
        if (nva.resource(ResourceKey.nve(nve)).isEmpty()) {
            throw ApiError.notFound("no nNVE " + nve.name());
        }
        String token = given == null ? newTokenText() : given;
        ObjectNode o = JsonTrees.object();
        o.put("revision", nva.setCredential(nve, token).revision());
        if (given == null) {
            o.put("token", token);
        }
        return Reply.ok(o);
    }

    private Reply showNve(Request r) throws ApiError {
        NveId nve = nveParam(r);
        SessionInfo s = nva.session(nve);
        if (s.registration() == null) {
            throw ApiError.notFound("no nNVE " + nve.name());
        }
        ObjectNode o = NvaJson.registration(s.registration());
        o.put("acknowledged", s.acknowledged());
        o.put("last_report_seq", s.lastReportSeq());
        o.put("has_token", nva.resource(ResourceKey.credential(nve)).isPresent());
        return Reply.ok(o);
    }

    private Reply removeNve(Request r) throws ApiError {
        return applied(nva.removeNve(nveParam(r)), 200, null);
    }

    private EndDeviceRule deviceRule(Request r) throws ApiError {
        NveId nve = nveParam(r);
        Body b = new Body(r, "port", "station");
        Long port = b.integer("port", 0, Integer.MAX_VALUE, false);
        String station = b.string("station", false);
        MacAddress mac = null;
        if (station != null) {
            try {
                mac = MacAddress.parse(station);
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("station: '" + JsonTrees.clip(station) + "' is not a MAC address");
            }
        }
        return new EndDeviceRule(nve, port == null ? null : port.intValue(), mac);
    }

    private Reply permitDevice(Request r) throws ApiError {
        EndDeviceRule rule = deviceRule(r);
        return applied(nva.permitEndDevice(rule), 201, NvaJson.resource(new Resource.DevicePermit(rule)).get("value"));
    }

    private Reply revokeDevice(Request r) throws ApiError {
        EndDeviceRule rule = deviceRule(r);
        if (nva.resource(new Resource.DevicePermit(rule).key()).isEmpty()) {
            throw ApiError.notFound("no such end-device permit");
        }
        return applied(nva.revokeEndDevice(rule), 200, null);
    }

    private static TsiAddress claim(String s, String field) throws ApiError {
        try {
            return TsiAddress.mac(MacAddress.parse(s));
        } catch (IllegalArgumentException e) {
            try {
                return TsiAddress.parse(s);
            } catch (IllegalArgumentException e2) {
                throw ApiError.badRequest(field + ": '" + JsonTrees.clip(s) + "' is neither a MAC nor an IP address");
            }
        }
    }

    private Reply clearDuplicate(Request r) throws ApiError {
        return applied(nva.clearDuplicate(vnParam(r), claim(r.param("address"), "address")), 200, null);
    }

    /**
     * NVA-8: where an address or a TSI lives: every mapping entry that holds it, with its nNVE, port, VN, the
     * address's state there (forwarding or mapping), the mobility sequence number and since when.
     */
    private Reply where(Request r) throws ApiError {
        String mac = r.queryParam("mac");
        String ip = r.queryParam("ip");
        String tsiText = r.queryParam("tsi");
        String vnText = r.queryParam("vn");
        if ((mac == null ? 0 : 1) + (ip == null ? 0 : 1) + (tsiText == null ? 0 : 1) != 1) {
            throw ApiError.badRequest("where asks about one of mac=, ip= or tsi= (and optionally vn=)");
        }
        Integer vn = null;
        if (vnText != null) {
            try {
                long v = Long.parseLong(vnText);
                if (v < 0 || v > 0xFFFF_FFFFL) {
                    throw new NumberFormatException();
                }
                vn = (int) v;
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("vn: '" + JsonTrees.clip(vnText) + "' is not a VN ID");
            }
        }
        TsiAddress wanted = null;
        VsiId vsi = null;
        if (tsiText != null) {
            vsi = tsi(tsiText, "tsi");
        } else if (mac != null) {
            try {
                wanted = TsiAddress.mac(MacAddress.parse(mac));
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("mac: '" + JsonTrees.clip(mac) + "' is not a unicast MAC address");
            }
        } else {
            try {
                wanted = TsiAddress.parse(ip);
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("ip: " + e.getMessage());
            }
        }
        ArrayNode entries = JsonTrees.array();
        Snapshot all = nva.list(Interest.operator());
        for (Resource res : all.resources()) {
            if (!(res instanceof Resource.Mapping m) || (vn != null && m.entry().instance().vnId() != vn)) {
                continue;
            }
            MappingEntry e = m.entry();
            if (vsi != null) {
                if (!e.instance().vsi().equals(vsi)) {
                    continue;
                }
                for (TsiAddress a : e.addresses()) {
                    entries.add(whereEntry(e, a));
                }
                if (e.addresses().isEmpty()) {
                    entries.add(whereEntry(e, null));
                }
            } else {
                for (TsiAddress a : e.addresses()) {
                    if (matches(a, wanted)) {
                        entries.add(whereEntry(e, a));
                    }
                }
            }
        }
        ObjectNode o = JsonTrees.object();
        o.put("revision", all.revision());
        o.set("entries", entries);
        return Reply.ok(o);
    }

    private static boolean matches(TsiAddress a, TsiAddress wanted) {
        if (wanted.ip() == null) {
            return wanted.mac().equals(a.mac());
        }
        return wanted.ip().equals(a.ip()) && wanted.prefixLength() == a.prefixLength();
    }

    private static ObjectNode whereEntry(MappingEntry e, TsiAddress a) {
        ObjectNode o = NvaJson.instance(e.instance());
        if (a != null) {
            o.set("address", NvaJson.address(a));
            o.put("state", e.stateOf(a) == org.splitnve.nva.EntryState.FORWARDING ? "forwarding" : "mapping");
            o.put("withdrawn", e.withdrawn().contains(a));
        } else {
            o.put("state", e.state() == org.splitnve.nva.EntryState.FORWARDING ? "forwarding" : "mapping");
        }
        o.put("mobility_seq", e.mobilitySeq());
        o.put("since", e.since().toString());
        return o;
    }
}
