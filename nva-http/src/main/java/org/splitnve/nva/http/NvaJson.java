package org.splitnve.nva.http;

import java.net.InetAddress;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.splitnve.api.JsonCodec;
import org.splitnve.nva.EndDeviceRule;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.LocalTag;
import org.splitnve.nva.NveId;
import org.splitnve.nva.PrefixPolicy;
import org.splitnve.nva.ProvisioningMode;
import org.splitnve.nva.Refusal;
import org.splitnve.nva.TsiInstance;
import org.splitnve.nva.TsiRecord;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.nva.service.Change;
import org.splitnve.nva.service.ChangeEvent;
import org.splitnve.nva.service.Digest;
import org.splitnve.nva.service.DuplicateAddress;
import org.splitnve.nva.service.MappingEntry;
import org.splitnve.nva.service.NveRegistration;
import org.splitnve.nva.service.Poll;
import org.splitnve.nva.service.Receipt;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.ReportOp;
import org.splitnve.nva.service.Resource;
import org.splitnve.nva.service.ResourceKey;
import org.splitnve.nva.service.SessionInfo;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.Parameter;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiIdFormat;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON of the NVE-NVA protocol (docs/nva-protocol.md sections 3-7; that page is the schema): resources of
 * every kind, keys, changes and their events, reports and their operations, receipts, the session, and the lines
 * of the list and watch streams. Encoding is total for what the NVA holds (a credential is never encoded: it is
 * never sent). Decoding is total too: any text is either the value or a {@link Bad} naming the member and the
 * reason, never another exception. Reading is strict, as the API's {@link JsonCodec}: unknown members, a string
 * for a number, numbers out of range and keys that do not match their value are refused.
 */
public final class NvaJson {
    private NvaJson() {
    }

    /** A message that is not what the protocol says: the member ({@code ops[1].instance.port}) and why. */
    public static final class Bad extends Exception {
        private static final long serialVersionUID = 1L;
        private final String field;

        public Bad(String field, String reason) {
            super((field == null || field.isEmpty() ? "" : field + ": ") + reason, null, false, false);
            this.field = field == null ? "" : field;
        }

        /** The member the problem is in; empty for the whole message. */
        public String field() {
            return field;
        }
    }

    private static final long U32 = 0xFFFF_FFFFL;

    // ================================================================== entry points: text

    /** One object of text: syntax first (strict, as {@link JsonCodec#tree}), then the shape. */
    public static JsonNode parse(String text) throws Bad {
        try {
            return JsonCodec.tree(text);
        } catch (JsonCodec.Invalid e) {
            throw new Bad("", "not JSON: " + e.getMessage());
        } catch (RuntimeException e) {
            throw new Bad("", "not JSON: " + e);
        }
    }

    public static String text(JsonNode node) {
        return JsonCodec.write(node);
    }

    /** A decoder from a tree; {@link #read} applies it to text. */
    @FunctionalInterface
    public interface Decoder<T> {
        T decode(JsonNode node) throws Bad;
    }

    /** Text to value, totally: every failure, also an unexpected one, is a {@link Bad}. */
    public static <T> T read(String text, Decoder<T> d) throws Bad {
        JsonNode n = parse(text);
        try {
            return d.decode(n);
        } catch (IllegalArgumentException | NullPointerException | IllegalStateException | ArithmeticException e) {
            throw new Bad("", "not a valid value: " + e.getMessage());
        }
    }

    private static ObjectNode obj() {
        return JsonCodec.mapper().createObjectNode();
    }

    private static ArrayNode arr() {
        return JsonCodec.mapper().createArrayNode();
    }

    // ================================================================== resources (section 3)

    public static ObjectNode resource(Resource r) {
        ObjectNode o = obj();
        o.put("kind", r.key().kind().segment());
        o.put("key", r.key().path());
        o.set("value", value(r));
        return o;
    }

    private static ObjectNode value(Resource r) {
        ObjectNode v = obj();
        switch (r) {
            case Resource.Vn x -> {
                VnRecord vn = x.vn();
                v.put("name", vn.name().toString());
                v.put("id", vn.unsignedId());
                v.put("alias", vn.alias());
                v.put("context", vn.context());
                v.put("service", vn.service().name().toLowerCase(Locale.ROOT));
                v.put("mode", vn.mode().name().toLowerCase(Locale.ROOT));
                v.set("parameters", parameters(vn.parameters()));
                ObjectNode p = v.putObject("prefixes");
                p.put("shortest_ipv4", vn.prefixes().shortestIpv4());
                p.put("shortest_ipv6", vn.prefixes().shortestIpv6());
            }
            case Resource.DevicePermit x -> {
                v.put("nve", x.rule().nve().name());
                if (x.rule().port() == null) {
                    v.putNull("port");
                } else {
                    v.put("port", x.rule().port());
                }
                if (x.rule().station() == null) {
                    v.putNull("station");
                } else {
                    v.put("station", x.rule().station().toString());
                }
            }
            case Resource.TsiPermit x -> {
                v.put("vn", Integer.toUnsignedLong(x.rule().vnId()));
                if (x.rule().vsi() == null) {
                    v.putNull("tsi");
                } else {
                    v.put("tsi", tsi(x.rule().vsi()));
                }
            }
            case Resource.ValidatedTsi x -> {
                v.put("tsi", tsi(x.record().vsi()));
                v.put("vn", Integer.toUnsignedLong(x.record().vnId()));
                v.set("addresses", addresses(x.record().addresses()));
                v.set("parameters", parameters(x.record().parameters()));
            }
            case Resource.Nve x -> {
                return registration(x.registration());
            }
            case Resource.Mapping x -> {
                MappingEntry e = x.entry();
                instance(v, e.instance());
                v.put("state", state(e.state()));
                v.set("addresses", addresses(e.addresses()));
                v.set("held", addresses(e.held()));
                v.set("withdrawn", addresses(e.withdrawn()));
                v.put("mobility_seq", e.mobilitySeq());
                v.put("since", e.since().toString());
            }
            case Resource.Tag x -> tag(v, x.tag());
            case Resource.Duplicate x -> {
                DuplicateAddress d = x.duplicate();
                v.put("vn", Integer.toUnsignedLong(d.vnId()));
                v.set("address", address(d.claim()));
                v.put("reason", d.reason().name().toLowerCase(Locale.ROOT));
                v.put("frozen", d.frozen());
                v.put("activations", d.activations());
                ArrayNode claims = v.putArray("claims");
                for (DuplicateAddress.Claim c : d.recent()) {
                    ObjectNode co = claims.addObject();
                    co.set("instance", instance(c.instance()));
                    co.put("mobility_seq", c.mobilitySeq());
                }
                v.put("since", d.since().toString());
            }
            case Resource.Credential c ->
                throw new IllegalArgumentException("a credential is never sent (NVA-7): " + c.key());
        }
        return v;
    }

    public static Resource resource(JsonNode node) throws Bad {
        return resource(node, "");
    }

    static Resource resource(JsonNode node, String where) throws Bad {
        Json o = Json.object(node, where);
        String kindText = o.string("kind");
        ResourceKey.Kind kind;
        try {
            kind = ResourceKey.Kind.ofSegment(kindText);
        } catch (IllegalArgumentException e) {
            throw new Bad(o.at("kind"), "unknown kind '" + clip(kindText) + "'");
        }
        ResourceKey key = key(o.raw("key"), o.at("key"));
        if (key.kind() != kind) {
            throw new Bad(o.at("key"), "a key of kind " + key.kind().segment() + " in a resource of kind " + kindText);
        }
        Json v = o.obj("value");
        Resource r = valid(v.at(""), () -> value(kind, v));
        v.done();
        o.done();
        if (!r.key().equals(key)) {
            throw new Bad(o.at("key"), "'" + clip(key.path()) + "' is not the key of the value (" + clip(r.key().path())
                    + ")");
        }
        return r;
    }

    private static Resource value(ResourceKey.Kind kind, Json v) throws Bad {
        return switch (kind) {
            case VN -> {
                Json p = v.obj("prefixes");
                PrefixPolicy prefixes = new PrefixPolicy((int) p.integer("shortest_ipv4", 0, 32),
                        (int) p.integer("shortest_ipv6", 0, 128));
                p.done();
                yield new Resource.Vn(new VnRecord(uuid(v, "name"), (int) v.integer("id", 0, U32), v.string("alias"),
                        (int) v.integer("context", 0, 0xFF_FFFF), service(v), mode(v),
                        parameters(v.list("parameters"), v.at("parameters")), prefixes));
            }
            case DEVICE_PERMIT -> {
                NveId nve = nve(v, "nve");
                JsonNode port = v.optional("port");
                String station = v.optionalString("station");
                v.raw("port");
                v.raw("station");
                yield new Resource.DevicePermit(new EndDeviceRule(nve,
                        port == null ? null : (int) Json.integer(port, v.at("port"), 0, Integer.MAX_VALUE),
                        station == null ? null : mac(station, v.at("station"))));
            }
            case TSI_PERMIT -> {
                int vn = vn(v, "vn");
                v.raw("tsi");
                String tsi = v.optionalString("tsi");
                yield new Resource.TsiPermit(new TsiRule(vn, tsi == null ? null : vsi(tsi, v.at("tsi"))));
            }
            case TSI_RECORD -> new Resource.ValidatedTsi(new TsiRecord(vsi(v.string("tsi"), v.at("tsi")), vn(v, "vn"),
                    addresses(v.list("addresses"), v.at("addresses")),
                    parameters(v.list("parameters"), v.at("parameters"))));
            case NVE -> new Resource.Nve(registration(v));
            case MAPPING -> new Resource.Mapping(new MappingEntry(instance(v), entryState(v, "state"),
                    addresses(v.list("addresses"), v.at("addresses")), addresses(v.list("held"), v.at("held")),
                    addresses(v.list("withdrawn"), v.at("withdrawn")), v.integer("mobility_seq", 0, U32),
                    instant(v, "since")));
            case LOCAL_TAG -> new Resource.Tag(tag(v));
            case DUPLICATE -> {
                int vn = vn(v, "vn");
                TsiAddress claim = address(v.raw("address"), v.at("address"));
                String reason = v.string("reason");
                DuplicateAddress.Reason why = switch (reason) {
                    case "another_tsi" -> DuplicateAddress.Reason.ANOTHER_TSI;
                    case "unordered_claim" -> DuplicateAddress.Reason.UNORDERED_CLAIM;
                    case "flapping" -> DuplicateAddress.Reason.FLAPPING;
                    default -> throw new Bad(v.at("reason"), "expected another_tsi, unordered_claim or flapping");
                };
                boolean frozen = v.bool("frozen");
                long activations = v.integer("activations", 0, Long.MAX_VALUE);
                List<DuplicateAddress.Claim> claims = new ArrayList<>();
                int i = 0;
                for (JsonNode c : v.list("claims")) {
                    Json co = Json.object(c, v.at("claims") + "[" + i++ + "]");
                    claims.add(new DuplicateAddress.Claim(instance(co.raw("instance"), co.at("instance")), co.integer("mobility_seq", 0, U32)));
                    co.done();
                }
                yield new Resource.Duplicate(new DuplicateAddress(vn, claim, why, frozen, activations, claims,
                        instant(v, "since")));
            }
            case CREDENTIAL -> throw new Bad(v.at(""), "a credential is never sent (NVA-7)");
        };
    }

    public static ResourceKey key(JsonNode node, String where) throws Bad {
        if (node == null || !node.isString()) {
            throw new Bad(where, "expected a resource key \"kind/id\"" + Json.found(node));
        }
        try {
            return ResourceKey.parse(node.asString());
        } catch (IllegalArgumentException e) {
            throw new Bad(where, e.getMessage());
        }
    }

    public static ObjectNode registration(NveRegistration reg) {
        ObjectNode v = obj();
        v.put("nve", reg.nve().name());
        v.put("vtep", reg.vtep().getHostAddress());
        ArrayNode vns = v.putArray("vns");
        for (int vn : reg.vns()) {
            vns.add(Integer.toUnsignedLong(vn));
        }
        return v;
    }

    static NveRegistration registration(Json v) throws Bad {
        NveId nve = nve(v, "nve");
        InetAddress vtep = ip(v.string("vtep"), v.at("vtep"));
        Set<Integer> vns = new LinkedHashSet<>();
        int i = 0;
        for (JsonNode n : v.list("vns")) {
            vns.add((int) Json.integer(n, v.at("vns") + "[" + i++ + "]", 0, U32));
        }
        return new NveRegistration(nve, vtep, vns);
    }

    // ================================================================== changes (section 4)

    public static ObjectNode change(Change c) {
        ObjectNode o = obj();
        o.put("type", "change");
        o.put("revision", c.revision());
        o.put("source", c.source());
        ArrayNode events = o.putArray("events");
        for (ChangeEvent e : c.events()) {
            events.add(event(e));
        }
        return o;
    }

    public static ObjectNode event(ChangeEvent e) {
        ObjectNode o = obj();
        switch (e) {
            case ChangeEvent.Put p -> {
                o.put("op", "put");
                o.set("resource", resource(p.resource()));
            }
            case ChangeEvent.Removed r -> {
                o.put("op", "removed");
                o.put("key", r.key().path());
            }
            case ChangeEvent.Withdrawal w -> {
                o.put("op", "withdrawal");
                o.put("to", w.to().name());
                o.set("instance", instance(w.instance()));
                o.set("addresses", addresses(w.addresses()));
                o.set("winner", instance(w.winner()));
                o.put("winner_seq", w.winnerSeq());
            }
        }
        return o;
    }

    /** A {@code change} line's value (its {@code type} member included). */
    public static Change change(JsonNode node) throws Bad {
        Json o = Json.object(node, "");
        type(o, "change");
        Change c = change(o);
        o.done();
        return c;
    }

    private static Change change(Json o) throws Bad {
        long rev = o.integer("revision", 1, Long.MAX_VALUE);
        String source = o.string("source");
        List<ChangeEvent> events = new ArrayList<>();
        int i = 0;
        for (JsonNode e : o.list("events")) {
            events.add(event(e, o.at("events") + "[" + i++ + "]"));
        }
        return new Change(rev, source, events);
    }

    public static ChangeEvent event(JsonNode node, String where) throws Bad {
        Json o = Json.object(node, where);
        String op = o.string("op");
        ChangeEvent e = switch (op) {
            case "put" -> new ChangeEvent.Put(resource(o.raw("resource"), o.at("resource")));
            case "removed" -> new ChangeEvent.Removed(key(o.raw("key"), o.at("key")));
            case "withdrawal" -> {
                NveId to = nve(o, "to");
                TsiInstance in = instance(o.raw("instance"), o.at("instance"));
                List<TsiAddress> addrs = addresses(o.list("addresses"), o.at("addresses"));
                TsiInstance winner = instance(o.raw("winner"), o.at("winner"));
                long seq = o.integer("winner_seq", 0, U32);
                yield valid(where, () -> new ChangeEvent.Withdrawal(to, in, addrs, winner, seq));
            }
            default -> throw new Bad(o.at("op"), "expected put, removed or withdrawal, found '" + clip(op) + "'");
        };
        o.done();
        return e;
    }

    // ================================================================== stream lines (sections 4.1-4.3)

    /** What one line of a list or watch stream says. */
    public sealed interface Line {
        /** {@code {"type": "list", "history", "revision", "count"}}: a list begins. */
        record ListStart(String historyId, long revision, long count) implements Line {
        }

        /** One resource of a list. */
        record Item(Resource resource) implements Line {
        }

        /** {@code {"type": "list_end", "revision"}}. */
        record ListEnd(long revision) implements Line {
        }

        record ChangeLine(Change change) implements Line {
        }

        /** {@code {"type": "progress", "revision"}}: everything up to the revision was sent. */
        record Progress(long revision) implements Line {
        }

        /** {@code {"type": "too_old", ...}}: the last line of a watch (NVA-4). */
        record TooOld(Poll.TooOld tooOld) implements Line {
        }
    }

    public static ObjectNode listStart(String historyId, long revision, long count) {
        ObjectNode o = obj();
        o.put("type", "list");
        o.put("history", historyId);
        o.put("revision", revision);
        o.put("count", count);
        return o;
    }

    public static ObjectNode listEnd(long revision) {
        ObjectNode o = obj();
        o.put("type", "list_end");
        o.put("revision", revision);
        return o;
    }

    public static ObjectNode progress(long revision) {
        ObjectNode o = obj();
        o.put("type", "progress");
        o.put("revision", revision);
        return o;
    }

    public static ObjectNode tooOld(Poll.TooOld t) {
        ObjectNode o = obj();
        o.put("type", "too_old");
        o.put("history", t.historyId());
        o.put("compacted_through", t.compactedThrough());
        o.put("revision", t.revision());
        return o;
    }

    /** One line of a list or watch stream: a {@code type}d line, or a resource (it has a {@code kind}). */
    public static Line line(JsonNode node) throws Bad {
        Json o = Json.object(node, "");
        if (!o.has("type")) {
            return new Line.Item(resource(node));
        }
        String type = o.string("type");
        Line l = switch (type) {
            case "list" -> new Line.ListStart(o.string("history"), o.integer("revision", 0, Long.MAX_VALUE),
                    o.integer("count", 0, Long.MAX_VALUE));
            case "list_end" -> new Line.ListEnd(o.integer("revision", 0, Long.MAX_VALUE));
            case "change" -> new Line.ChangeLine(change(o));
            case "progress" -> new Line.Progress(o.integer("revision", 0, Long.MAX_VALUE));
            case "too_old" -> new Line.TooOld(new Poll.TooOld(o.string("history"),
                    o.integer("compacted_through", 0, Long.MAX_VALUE), o.integer("revision", 0, Long.MAX_VALUE)));
            default -> throw new Bad(o.at("type"), "expected list, list_end, change, progress or too_old, found '"
                    + clip(type) + "'");
        };
        o.done();
        return l;
    }

    // ================================================================== reports and receipts (section 5)

    public static ObjectNode report(Report r) {
        ObjectNode o = obj();
        o.put("seq", r.seq());
        ArrayNode ops = o.putArray("ops");
        for (ReportOp op : r.ops()) {
            ops.add(op(op));
        }
        return o;
    }

    public static ObjectNode op(ReportOp op) {
        ObjectNode o = obj();
        switch (op) {
            case ReportOp.Bind b -> {
                o.put("op", "bind");
                o.set("instance", instance(b.instance()));
                o.put("state", state(b.state()));
                o.set("addresses", addresses(b.addresses()));
                o.set("held", addresses(b.held()));
                o.put("mobility_seq", b.mobilitySeq());
                o.put("migration", b.migration());
            }
            case ReportOp.Unbind u -> {
                o.put("op", "unbind");
                o.set("instance", instance(u.instance()));
            }
            case ReportOp.MovePort m -> {
                o.put("op", "move_port");
                o.set("instance", instance(m.from()));
                o.put("to_port", m.toPort());
            }
            case ReportOp.RecordTag t -> {
                o.put("op", "record_tag");
                o.set("tag", tag(obj(), t.tag()));
            }
            case ReportOp.ReleaseTag t -> {
                o.put("op", "release_tag");
                o.set("tag", tag(obj(), t.tag()));
            }
            case ReportOp.Serve s -> {
                o.put("op", "serve");
                ArrayNode vns = o.putArray("vns");
                s.vns().stream().sorted(Integer::compareUnsigned).forEach(v -> vns.add(Integer.toUnsignedLong(v)));
            }
        }
        return o;
    }

    public static Report report(JsonNode node) throws Bad {
        Json o = Json.object(node, "");
        long seq = o.integer("seq", 1, Long.MAX_VALUE);
        List<JsonNode> ops = o.list("ops");
        if (ops.isEmpty() || ops.size() > Report.MAX_OPS) {
            throw new Bad(o.at("ops"), "a report holds 1.." + Report.MAX_OPS + " operations, not " + ops.size());
        }
        List<ReportOp> out = new ArrayList<>(ops.size());
        int i = 0;
        for (JsonNode n : ops) {
            out.add(op(n, o.at("ops") + "[" + i++ + "]"));
        }
        o.done();
        return new Report(seq, out);
    }

    static ReportOp op(JsonNode node, String where) throws Bad {
        Json o = Json.object(node, where);
        String op = o.string("op");
        ReportOp r = switch (op) {
            case "bind" -> {
                TsiInstance in = instance(o.raw("instance"), o.at("instance"));
                EntryState state = entryState(o, "state");
                List<TsiAddress> addrs = addresses(o.list("addresses"), o.at("addresses"));
                List<TsiAddress> held = addresses(o.list("held"), o.at("held"));
                long seq = o.integer("mobility_seq", 0, U32);
                boolean migration = o.bool("migration");
                yield valid(where, () -> new ReportOp.Bind(in, state, addrs, held, seq, migration));
            }
            case "unbind" -> new ReportOp.Unbind(instance(o.raw("instance"), o.at("instance")));
            case "move_port" -> new ReportOp.MovePort(instance(o.raw("instance"), o.at("instance")),
                    (int) o.integer("to_port", 0, Integer.MAX_VALUE));
            case "record_tag" -> new ReportOp.RecordTag(tagObject(o.obj("tag")));
            case "release_tag" -> new ReportOp.ReleaseTag(tagObject(o.obj("tag")));
            case "serve" -> {
                Set<Integer> vns = new LinkedHashSet<>();
                int i = 0;
                for (JsonNode n : o.list("vns")) {
                    vns.add((int) Json.integer(n, o.at("vns") + "[" + i++ + "]", 0, U32));
                }
                yield new ReportOp.Serve(vns);
            }
            default -> throw new Bad(o.at("op"), "expected bind, unbind, move_port, record_tag, release_tag or serve,"
                    + " found '" + clip(op) + "'");
        };
        o.done();
        return r;
    }

    public static ObjectNode receipt(Receipt r) {
        ObjectNode o = obj();
        o.put("seq", r.seq());
        o.put("status", r.status().name().toLowerCase(Locale.ROOT));
        o.put("revision", r.revision());
        if (r.refusal() != null) {
            o.put("reason", r.refusal().name());
            o.put("code", r.refusal().detailCode());
            o.put("detail", r.detail());
        }
        ArrayNode results = o.putArray("results");
        for (Receipt.Result x : r.results()) {
            ObjectNode ro = results.addObject();
            ro.put("ok", x.applied());
            if (x.applied()) {
                ro.put("changed", x.changed());
            } else {
                ro.put("reason", x.refusal().name());
                ro.put("code", x.refusal().detailCode());
                ro.put("detail", x.detail());
            }
        }
        return o;
    }

    public static Receipt receipt(JsonNode node) throws Bad {
        Json o = Json.object(node, "");
        long seq = o.integer("seq", 1, Long.MAX_VALUE);
        String statusText = o.string("status");
        Receipt.Status status = switch (statusText) {
            case "applied" -> Receipt.Status.APPLIED;
            case "repeated" -> Receipt.Status.REPEATED;
            case "refused" -> Receipt.Status.REFUSED;
            default -> throw new Bad(o.at("status"), "expected applied, repeated or refused");
        };
        long rev = o.integer("revision", 0, Long.MAX_VALUE);
        Refusal refusal = null;
        String detail = "";
        if (status == Receipt.Status.REFUSED) {
            refusal = refusal(o);
            detail = o.string("detail");
        }
        List<Receipt.Result> results = new ArrayList<>();
        int i = 0;
        for (JsonNode n : o.list("results")) {
            Json ro = Json.object(n, o.at("results") + "[" + i++ + "]");
            if (ro.bool("ok")) {
                results.add(ro.bool("changed") ? Receipt.Result.CHANGED : Receipt.Result.UNCHANGED);
            } else {
                results.add(Receipt.Result.refused(refusal(ro), ro.string("detail")));
            }
            ro.done();
        }
        o.done();
        Refusal why = refusal;
        String d = detail;
        return valid("", () -> new Receipt(seq, rev, results, status, why, d));
    }

    /** A reason by its name; its code, when given, must be the name's. */
    private static Refusal refusal(Json o) throws Bad {
        String name = o.string("reason");
        Refusal r;
        try {
            r = Refusal.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new Bad(o.at("reason"), "unknown reason '" + clip(name) + "'");
        }
        long code = o.integer("code", 0, 0xFFFF);
        if (code != r.detailCode()) {
            throw new Bad(o.at("code"), "the code of " + name + " is " + r.detailCode() + ", not " + code);
        }
        return r;
    }

    // ================================================================== session and ack (sections 6, 7)

    public static ObjectNode session(SessionInfo s) {
        ObjectNode o = obj();
        o.put("history", s.historyId());
        o.put("revision", s.revision());
        o.put("compacted_through", s.compactedThrough());
        o.put("last_report_seq", s.lastReportSeq());
        o.put("acknowledged", s.acknowledged());
        if (s.registration() == null) {
            o.putNull("registration");
        } else {
            o.set("registration", registration(s.registration()));
        }
        return o;
    }

    public static SessionInfo session(JsonNode node) throws Bad {
        Json o = Json.object(node, "");
        String history = o.string("history");
        long rev = o.integer("revision", 0, Long.MAX_VALUE);
        long compacted = o.integer("compacted_through", 0, Long.MAX_VALUE);
        long last = o.integer("last_report_seq", 0, Long.MAX_VALUE);
        long acked = o.integer("acknowledged", 0, Long.MAX_VALUE);
        o.raw("registration");
        JsonNode reg = o.optional("registration");
        NveRegistration registration = null;
        if (reg != null) {
            Json r = Json.object(reg, o.at("registration"));
            registration = registration(r);
            r.done();
        }
        o.done();
        return new SessionInfo(history, rev, compacted, last, acked, registration);
    }

    /**
     * {@code POST /v1/nva/ack}'s body: {@code {"history", "revision", "digest"}}; {@code digest} (section 12) is the
     * replica's at that revision, null when none came.
     */
    public record Ack(String historyId, long revision, Digest digest) {
        public Ack(String historyId, long revision) {
            this(historyId, revision, null);
        }
    }

    public static ObjectNode ack(Ack a) {
        ObjectNode o = obj();
        o.put("history", a.historyId());
        o.put("revision", a.revision());
        if (a.digest() != null) {
            o.set("digest", digest(a.digest()));
        }
        return o;
    }

    public static Ack ack(JsonNode node) throws Bad {
        Json o = Json.object(node, "");
        String history = o.string("history");
        long revision = o.integer("revision", 0, Long.MAX_VALUE);
        JsonNode d = o.optional("digest");
        Digest digest = d == null ? null : digest(Json.object(d, o.at("digest")));
        o.done();
        return new Ack(history, revision, digest);
    }

    /** A digest (section 12): {@code {"count": n, "hash": "<16 hex digits>"}}. */
    public static ObjectNode digest(Digest d) {
        ObjectNode o = obj();
        o.put("count", d.count());
        o.put("hash", d.hashHex());
        return o;
    }

    private static final java.util.regex.Pattern HEX16 = java.util.regex.Pattern.compile("[0-9a-f]{16}");

    private static Digest digest(Json o) throws Bad {
        long count = o.integer("count", 0, Long.MAX_VALUE);
        String hash = o.string("hash");
        if (!HEX16.matcher(hash).matches()) {
            throw new Bad(o.at("hash"), "expected 16 lower-case hexadecimal digits, found \"" + hash + "\"");
        }
        o.done();
        return Digest.of(count, hash);
    }

    /**
     * {@code GET /v1/nva/own-digest}'s answer (section 12): {@code {"revision": R, "count": n, "hash": "..."}}, the
     * NVA's digest of the nNVE's own entries at its revision R.
     */
    public static ObjectNode ownDigest(Digest.At at) {
        ObjectNode o = obj();
        o.put("revision", at.revision());
        o.put("count", at.digest().count());
        o.put("hash", at.digest().hashHex());
        return o;
    }

    public static Digest.At ownDigest(JsonNode node) throws Bad {
        Json o = Json.object(node, "");
        long revision = o.integer("revision", 0, Long.MAX_VALUE);
        return new Digest.At(revision, digest(o));
    }

    /** {@code POST /v1/nva/ack}'s answer to an acknowledgement with a digest: {@code {"audit": "matches"}}. */
    public static ObjectNode audit(Digest.Audit a) {
        ObjectNode o = obj();
        o.put("audit", a.name().toLowerCase(Locale.ROOT));
        return o;
    }

    public static Digest.Audit audit(JsonNode node) throws Bad {
        Json o = Json.object(node, "");
        String a = o.string("audit");
        o.done();
        return switch (a) {
            case "matches" -> Digest.Audit.MATCHES;
            case "unchecked" -> Digest.Audit.UNCHECKED;
            default -> throw new Bad(o.at("audit"), "expected \"matches\" or \"unchecked\", found \"" + a + "\"");
        };
    }

    /** The reason of a {@code 409} answering an acknowledgement whose digest diverged (section 12). */
    public static final String RESYNC = "resync";

    // ================================================================== parts

    public static ObjectNode instance(TsiInstance in) {
        return instance(obj(), in);
    }

    private static ObjectNode instance(ObjectNode o, TsiInstance in) {
        o.put("tsi", tsi(in.vsi()));
        o.put("vn", Integer.toUnsignedLong(in.vnId()));
        o.put("nve", in.nve().name());
        o.put("port", in.port());
        return o;
    }

    /** The four members of an instance in {@code o} (which may hold more: a mapping's value). */
    static TsiInstance instance(Json o) throws Bad {
        VsiId vsi = vsi(o.string("tsi"), o.at("tsi"));
        int vn = vn(o, "vn");
        NveId nve = nve(o, "nve");
        int port = (int) o.integer("port", 0, Integer.MAX_VALUE);
        return valid(o.at(""), () -> new TsiInstance(vsi, nve, port, vn));
    }

    /** An instance object {@code {"tsi", "vn", "nve", "port"}}, nothing else. */
    public static TsiInstance instance(JsonNode node, String where) throws Bad {
        Json o = Json.object(node, where);
        TsiInstance in = instance(o);
        o.done();
        return in;
    }

    /** A TSI's VSI ID: the UUID (the usual format), else {@code FORMAT:32 hex digits}, as in keys. */
    public static String tsi(VsiId v) {
        return v.format() == VsiIdFormat.UUID ? v.toString() : v.format().name() + ":" + HexFormat.of().formatHex(v.toBytes());
    }

    public static VsiId vsi(String s, String where) throws Bad {
        if (s.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")) {
            return valid(where, () -> VsiId.uuid(UUID.fromString(s)));
        }
        int colon = s.indexOf(':');
        if (colon > 0 && s.length() - colon - 1 == 32 && s.substring(colon + 1).matches("[0-9a-fA-F]{32}")) {
            VsiIdFormat f;
            try {
                f = VsiIdFormat.valueOf(s.substring(0, colon));
            } catch (IllegalArgumentException e) {
                throw new Bad(where, "unknown VSI ID format '" + clip(s.substring(0, colon)) + "'");
            }
            byte[] b = HexFormat.of().parseHex(s.substring(colon + 1));
            return valid(where, () -> new VsiId(f, longAt(b, 0), longAt(b, 8)));
        }
        throw new Bad(where, "'" + clip(s) + "' is not a TSI (a UUID, or FORMAT:32 hex digits)");
    }

    private static long longAt(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    public static ArrayNode addresses(List<TsiAddress> l) {
        ArrayNode a = arr();
        for (TsiAddress x : l) {
            a.add(address(x));
        }
        return a;
    }

    public static ObjectNode address(TsiAddress a) {
        ObjectNode o = obj();
        if (a.ip() != null) {
            o.put("ip", a.ipText());
        }
        if (a.mac() != null) {
            o.put("mac", a.mac().toString());
        }
        if (a.groupId() != null) {
            o.put("group", Integer.toUnsignedLong(a.groupId()));
        }
        return o;
    }

    public static List<TsiAddress> addresses(List<JsonNode> l, String where) throws Bad {
        List<TsiAddress> out = new ArrayList<>(l.size());
        int i = 0;
        for (JsonNode n : l) {
            out.add(address(n, where + "[" + i++ + "]"));
        }
        return out;
    }

    public static TsiAddress address(JsonNode node, String where) throws Bad {
        Json o = Json.object(node, where);
        String ip = o.optionalString("ip");
        String macText = o.optionalString("mac");
        JsonNode group = o.optional("group");
        o.done();
        MacAddress mac = macText == null ? null : mac(macText, o.at("mac"));
        Integer g = group == null ? null : (int) Json.integer(group, o.at("group"), 0, U32);
        if (ip == null) {
            if (mac == null) {
                throw new Bad(where, "an address has an ip, a mac, or both");
            }
            return valid(where, () -> new TsiAddress(null, 48, mac, g));
        }
        TsiAddress parsed;
        try {
            parsed = TsiAddress.parse(ip);
        } catch (IllegalArgumentException e) {
            throw new Bad(o.at("ip"), e.getMessage());
        }
        return valid(where, () -> new TsiAddress(parsed.ip(), parsed.prefixLength(), mac, g));
    }

    private static ArrayNode parameters(List<Parameter> l) {
        ArrayNode a = arr();
        for (Parameter p : l) {
            ObjectNode o = a.addObject();
            o.put("type", p.type());
            o.put("value", p.value().hex());
        }
        return a;
    }

    private static List<Parameter> parameters(List<JsonNode> l, String where) throws Bad {
        List<Parameter> out = new ArrayList<>();
        int i = 0;
        for (JsonNode n : l) {
            Json o = Json.object(n, where + "[" + i++ + "]");
            int type = (int) o.integer("type", 0, 255);
            String hex = o.string("value");
            o.done();
            if (hex.length() % 2 != 0 || hex.length() > 510 || !hex.matches("[0-9a-fA-F]*")) {
                throw new Bad(o.at("value"), "expected hexadecimal octets (at most 255)");
            }
            out.add(valid(o.at(""), () -> new Parameter(type, Bytes.of(HexFormat.of().parseHex(hex)))));
        }
        return out;
    }

    private static ObjectNode tag(ObjectNode o, LocalTag t) {
        o.put("nve", t.nve().name());
        o.put("scope", t.portScope());
        o.put("tag", t.tag());
        o.put("vn", Integer.toUnsignedLong(t.vnId()));
        return o;
    }

    private static LocalTag tag(Json o) throws Bad {
        NveId nve = nve(o, "nve");
        int scope = (int) o.integer("scope", 0, Integer.MAX_VALUE);
        int tag = (int) o.integer("tag", 0, 0xFFFF);
        int vn = vn(o, "vn");
        return valid(o.at(""), () -> new LocalTag(nve, scope, tag, vn));
    }

    private static LocalTag tagObject(Json o) throws Bad {
        LocalTag t = tag(o);
        o.done();
        return t;
    }

    private static String state(EntryState s) {
        return s == EntryState.FORWARDING ? "forwarding" : "mapping";
    }

    private static EntryState entryState(Json o, String name) throws Bad {
        String s = o.string(name);
        return switch (s) {
            case "mapping" -> EntryState.MAPPING;
            case "forwarding" -> EntryState.FORWARDING;
            default -> throw new Bad(o.at(name), "expected mapping or forwarding, found '" + clip(s) + "'");
        };
    }

    private static VnService service(Json o) throws Bad {
        String s = o.string("service");
        return switch (s) {
            case "l2" -> VnService.L2;
            case "l3" -> VnService.L3;
            default -> throw new Bad(o.at("service"), "expected l2 or l3");
        };
    }

    private static ProvisioningMode mode(Json o) throws Bad {
        String s = o.string("mode");
        return switch (s) {
            case "trusted" -> ProvisioningMode.TRUSTED;
            case "validated" -> ProvisioningMode.VALIDATED;
            default -> throw new Bad(o.at("mode"), "expected trusted or validated");
        };
    }

    private static int vn(Json o, String name) throws Bad {
        return (int) o.integer(name, 0, U32);
    }

    private static NveId nve(Json o, String name) throws Bad {
        String s = o.string(name);
        return valid(o.at(name), () -> NveId.of(s));
    }

    private static UUID uuid(Json o, String name) throws Bad {
        String s = o.string(name);
        if (!s.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")) {
            throw new Bad(o.at(name), "'" + clip(s) + "' is not a UUID");
        }
        return UUID.fromString(s);
    }

    static MacAddress mac(String s, String where) throws Bad {
        try {
            return MacAddress.parse(s);
        } catch (IllegalArgumentException e) {
            throw new Bad(where, "'" + clip(s) + "' is not a MAC address");
        }
    }

    private static InetAddress ip(String s, String where) throws Bad {
        try {
            TsiAddress a = TsiAddress.parse(s);
            if (a.prefixLength() != (a.ip() instanceof java.net.Inet4Address ? 32 : 128)) {
                throw new Bad(where, "an address, not a prefix");
            }
            return a.ip();
        } catch (IllegalArgumentException e) {
            throw new Bad(where, e.getMessage());
        }
    }

    private static Instant instant(Json o, String name) throws Bad {
        String s = o.string(name);
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new Bad(o.at(name), "'" + clip(s) + "' is not a time (2026-12-01T10:00:00Z)");
        }
    }

    private static void type(Json o, String expected) throws Bad {
        String t = o.string("type");
        if (!t.equals(expected)) {
            throw new Bad(o.at("type"), "expected " + expected + ", found '" + clip(t) + "'");
        }
    }

    @FunctionalInterface
    private interface Make<T> {
        T make() throws Bad;
    }

    /** The value a constructor makes, its refusal a {@link Bad} at {@code where}. */
    private static <T> T valid(String where, Make<T> m) throws Bad {
        try {
            return m.make();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new Bad(where, "not a valid value: " + e.getMessage());
        }
    }

    static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
