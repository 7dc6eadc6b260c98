package org.splitnve.daemon.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.splitnve.api.Bodies;
import org.splitnve.api.TsiIds;
import org.splitnve.daemon.config.TnveSettings;
import org.splitnve.daemon.log.DaemonEvent;
import org.splitnve.daemon.log.EventLog;
import org.splitnve.daemon.metrics.DaemonMetrics;
import org.splitnve.daemon.metrics.Metrics;
import org.splitnve.daemon.state.VmStore;
import org.splitnve.protocol.PortAgent;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveConfig;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.Vm;
import org.splitnve.tnve.VmState;
import org.splitnve.transport.AgentRunner;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.ReasonCode;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.TsiAddressTlv;
import org.splitnve.wire.vdp.VsiId;

/**
 * The tNVE's routes (docs/api.md): VMs and their lifecycle operations, each answered when every nNVE
 * concerned has answered. A handler checks the VM's state and starts the operation in one task on
 * the engine thread (404 unknown VM, 409 a state that does not fit), then waits for the engine's
 * future: 200 with the VM, 422 with the VDP reason code when an nNVE refused, 504 when none answered, 400
 * at once, before anything is sent, when the request is beyond a limit the nNVE advertised (OPS-3).
 */
public final class TnveApi {
    /** How long a request waits for the nNVEs' answers (the engine gives up earlier on its own timers). */
    static final long OPERATION_TIMEOUT_SECONDS = 60;

    /**
     * What the routes read and act on, handed over by the tNVE daemon (which implements it): the API knows
     * this interface, never the daemon's class, so the dependency points one way (daemon to API).
     */
    public interface Backend {
        /** The engine: call it only on the engine thread ({@link EngineThread}). */
        TnveEngine engine();

        AgentRunner<PortAgent> runner();

        /** The configuration in effect. */
        TnveSettings settings();

        /** Where the VMs are kept (REL-1). */
        VmStore store();

        EventLog log();

        DaemonMetrics metrics();
    }

    private final Backend d;

    private TnveApi(Backend d) {
        this.d = d;
    }

    public static List<Route> routes(Backend d) {
        TnveApi a = new TnveApi(d);
        return List.of(
                Route.get("/v1/status", r -> Reply.ok(a.read(a::status))),
                Route.get("/v1/vms", r -> Reply.ok(a.read(() -> a.engine().vms().stream().map(a::vm).toList()))),
                Route.get("/v1/vms/{name}", r -> Reply.ok(a.read(() -> a.vm(a.existing(r.param("name")))))),
                Route.post("/v1/vms", a::create),
                Route.delete("/v1/vms/{name}", r -> a.op(r, "delete", states(VmState.SHUTDOWN), (e, n) -> e.delete(n))),
                Route.post("/v1/vms/{name}/start", r -> a.op(r, "start", states(VmState.SHUTDOWN), (e, n) -> e.start(n))),
                Route.post("/v1/vms/{name}/pause", r -> a.op(r, "pause", states(VmState.RUNNING), (e, n) -> e.pause(n))),
                Route.post("/v1/vms/{name}/unpause", r -> a.op(r, "unpause", states(VmState.PAUSED),
                        (e, n) -> e.unpause(n))),
                Route.post("/v1/vms/{name}/suspend", r -> a.op(r, "suspend", states(VmState.RUNNING, VmState.PAUSED),
                        (e, n) -> e.suspend(n))),
                Route.post("/v1/vms/{name}/resume", r -> a.op(r, "resume", states(VmState.SUSPENDED),
                        (e, n) -> e.resume(n))),
                Route.post("/v1/vms/{name}/shutdown", r -> a.op(r, "shutdown", states(VmState.RUNNING, VmState.PAUSED,
                        VmState.SUSPENDED, VmState.SHUTDOWN), (e, n) -> e.shutdown(n))),
                Route.post("/v1/vms/{name}/reconnect", r -> a.op(r, "reconnect", states(VmState.RUNNING, VmState.PAUSED,
                        VmState.SUSPENDED), (e, n) -> e.reconnect(n))),
                Route.post("/v1/vms/{name}/adopt", a::adopt),
                Route.post("/v1/vms/{name}/migrate/prepare", a::migratePrepare),
                Route.post("/v1/vms/{name}/migrate/start", r -> {
                    UUID m = a.migration(r);
                    return a.op(r, "migrate_start", states(VmState.RUNNING, VmState.PAUSED),
                            (e, n) -> e.migrateStart(n, m));
                }),
                Route.post("/v1/vms/{name}/migrate/commit", r -> a.op(r, "migrate_commit", states(VmState.MIGRATING_IN),
                        (e, n) -> e.migrateActivate(n))),
                Route.post("/v1/vms/{name}/migrate/depart", r -> {
                    UUID m = a.migration(r);
                    return a.op(r, "migrate_depart", states(VmState.MIGRATING_OUT),
                            (e, n) -> e.migrateDepart(n, m));
                }),
                Route.post("/v1/vms/{name}/migrate/finish", r -> a.op(r, "migrate_finish", states(VmState.MIGRATING_OUT),
                        (e, n) -> e.migrateFinish(n))),
                Route.post("/v1/vms/{name}/migrate/abort", r -> a.op(r, "migrate_abort",
                        states(VmState.MIGRATING_IN, VmState.MIGRATING_OUT), (e, n) -> e.migrateAbort(n))),
                Route.post("/v1/vms/{name}/addresses", a::addresses));
    }

    private TnveEngine engine() {
        return d.engine();
    }

    private static Set<VmState> states(VmState... s) {
        return Set.of(s);
    }

    // ------------------------------------------------------------------ reading on the engine thread

    /** Runs {@code c} on the engine thread and returns its value (ApiErrors pass through). */
    <T> T read(EngineThread.Call<T> c) throws ApiError {
        return EngineThread.read(d.runner(), c);
    }

    Vm existing(String name) throws ApiError {
        Vm vm = engine().vmNamed(name);
        if (vm == null) {
            throw ApiError.notFound("no VM named '" + Fields.clip(name) + "'");
        }
        return vm;
    }

    /** {@code GET /v1/status}. */
    public record Status(String node, String role, long epoch, List<UplinkStatus> uplinks, int vms) {}

    /** An uplink in {@link Status}. */
    public record UplinkStatus(String name, @JsonProperty("interface") String iface, boolean alive, boolean extensions,
            boolean inSync, String nnve) {}

    Status status() {
        TnveEngine e = engine();
        TnveSettings s = d.settings();
        List<UplinkStatus> ups = new ArrayList<>();
        for (TnveSettings.UplinkSettings u : s.uplinks()) {
            MacAddress peer = e.uplinkPeer(u.name());
            ups.add(new UplinkStatus(u.name(), u.portLabel(), e.uplinkAlive(u.name()), e.uplinkHasExtensions(u.name()),
                    e.uplinkInSync(u.name()), peer == null ? null : peer.toString()));
        }
        return new Status(s.name(), "tnve", Integer.toUnsignedLong(e.epoch()), ups, e.vms().size());
    }

    /** The uplinks serving a VN: its placement's, or the first uplink. */
    private List<String> uplinksOf(long vn) {
        TnveConfig.Placement p = d.settings().placements().get(vn);
        return p != null ? p.uplinks() : List.of(d.settings().uplinks().getFirst().name());
    }

    /** A VM: {@code GET /v1/vms/{name}}, and the {@code vm} of an operation's answer. */
    public record VmView(String name, String state, String migration, List<TsiView> tsis) {}

    /** A TSI of {@link VmView}: its spec, and what each uplink's nNVE confirmed. */
    public record TsiView(String id, long vn, String mac, List<String> ips, List<TsiUplink> uplinks) {}

    /** A TSI on one uplink. */
    public record TsiUplink(String uplink, String state, int localTag, List<String> inactiveIps, List<String> ips) {}

    /** An operation's answer: the VM, and how long the nNVE took to answer (ms, one decimal; null: not asked). */
    public record Done(boolean ok, VmView vm, java.math.BigDecimal nnveMs) {}

    VmView vm(Vm vm) {
        List<TsiView> tsis = new ArrayList<>();
        for (TsiSpec t : vm.tsis()) {
            List<TsiUplink> ups = new ArrayList<>();
            for (String u : uplinksOf(t.vnId())) {
                ups.add(new TsiUplink(u, engine().tsiState(u, t.id()).name(), engine().localTag(u, t.id()),
                        ipTexts(engine().inactiveAddresses(u, t.id())), ipTexts(engine().acknowledgedIps(u, t.id()))));
            }
            tsis.add(new TsiView(t.id().toString(), t.vnId(), t.mac().toString(), ipTexts(t.ips()), ups));
        }
        return new VmView(vm.name(), vm.state().name(), vm.migration() == null ? null : vm.migration().toString(), tsis);
    }

    private static List<String> ipTexts(List<TsiAddress> addresses) {
        return addresses.stream().filter(a -> a.ip() != null).map(Fields::ipText).toList();
    }

    // ------------------------------------------------------------------ operations

    /** An engine operation on a VM by name. */
    interface Op {
        CompletableFuture<OpResult> start(TnveEngine e, String name);
    }

    /**
     * What an operation started on the engine thread: the VM (to show afterwards), the engine's future,
     * and the VM's record taken on the engine thread as soon as that future completes (REL-1).
     */
    private record Started(Vm vm, CompletableFuture<OpResult> result) {}

    /** An operation's outcome and the VM's record at that moment. */
    private record Outcome(OpResult result, VmStore.Snapshot snapshot) {}

    /**
     * One lifecycle operation: on the engine thread, the VM must exist (404) and be in one of
     * {@code allowed} (null: any; 409 otherwise), then the engine starts it; the answer comes when the
     * nNVEs have answered.
     */
    Reply op(Request r, String operation, Set<VmState> allowed, Op op) throws ApiError {
        String name = r.param("name");
        boolean withMigration = operation.equals("migrate_start") || operation.equals("migrate_depart");
        if (withMigration) {
            r.body(Bodies.Migration.class);
        } else {
            r.body(Bodies.None.class);
        }
        return run(operation, name, () -> {
            Vm vm = existing(name);
            if (allowed != null && !allowed.contains(vm.state())) {
                throw ApiError.conflict("VM '" + name + "' is " + vm.state() + "; " + operation.replace('_', ' ')
                        + " needs " + String.join(" or ", allowed.stream().map(Enum::name).sorted().toList())
                        + hint(operation, vm.state()));
            }
            return new Started(vm, op.start(engine(), name));
        });
    }

    /** What to do instead, for the refusals people meet most. */
    private static String hint(String operation, VmState state) {
        return switch (operation) {
            case "reconnect" -> state == VmState.SHUTDOWN ? " (start associates and activates a shut-down VM)" : "";
            case "delete" -> " (shut it down first)";
            case "shutdown" -> state == VmState.MIGRATING_IN || state == VmState.MIGRATING_OUT
                    ? " (migrate abort or finish ends a migration)" : "";
            default -> "";
        };
    }

    /**
     * Starts an operation on the engine thread, waits for the nNVEs, makes the VM's record durable (REL-1:
     * before the answer, so a VM the API confirmed survives a restart, even SIGKILL), then answers with
     * the VM or the refusal.
     */
    private Reply run(String operation, String name, EngineThread.Call<Started> begin) throws ApiError {
        long t0 = System.nanoTime();
        Started[] started = new Started[1];
        // how long the nNVEs took: from starting the operation to its result, unless it needed no request
        long[] nnve = {-1};
        CompletableFuture<Outcome> outcome = read(() -> {
            long sent = System.nanoTime();
            Started s = begin.call();
            started[0] = s;
            boolean asked = !s.result.isDone();
            // completes on the engine thread (engine futures do): the record is taken there
            return s.result.thenApply(res -> {
                if (asked) {
                    nnve[0] = System.nanoTime() - sent;
                }
                return new Outcome(res, d.store().capture(engine(), name));
            });
        });
        Outcome o;
        try {
            o = EngineThread.await(outcome, OPERATION_TIMEOUT_SECONDS);
        } catch (ApiError e) {
            // the operation may still complete: its record is written then
            d.log().logFailure(operation + " of VM " + name + " after its timeout",
                    outcome.thenAcceptAsync(late -> save(late.snapshot), r -> Thread.ofVirtual().start(r)));
            throw e;
        }
        OpResult result = o.result;
        d.metrics().operations().with(operation, result.ok() ? "ok" : result.refusedHere() ? "over_limit"
                : result.code() < 0 ? "no_answer" : "refused").observeNanos(System.nanoTime() - t0);
        if (!save(o.snapshot)) {
            throw new ApiError(500, "the operation was done, but the VM's record could not be written to "
                    + d.store().dir() + " (the VM would not survive a restart): see the state.write_failed event",
                    0, result.ok() ? "" : result.detail());
        }
        Vm v = started[0].vm;
        VmView vm = v == null ? null : read(() -> vm(v));
        if (result.ok()) {
            return Reply.ok(new Done(true, vm,
                    nnve[0] < 0 ? null : java.math.BigDecimal.valueOf(nnve[0] / 100_000).movePointLeft(1)));
        }
        throw failure(result);
    }

    /** Writes a VM's record; false (and a state.write_failed event) when it cannot. */
    private boolean save(VmStore.Snapshot s) {
        try {
            d.store().write(s);
            return true;
        } catch (IOException | RuntimeException e) {
            d.log().accept(new DaemonEvent.StateWriteFailed(s.name(), e.toString()));
            return false;
        }
    }

    static ApiError failure(OpResult r) {
        if (r.refusedHere()) {
            // OPS-3: beyond a limit the nNVE advertised (or the built-in bound); nothing was sent
            return new ApiError(400, "over the nNVE's limit: " + r.detail(), r.code(), r.detail());
        }
        if (r.code() < 0) {
            return new ApiError(504, "the nNVE did not answer: " + r.detail(), -1, r.detail());
        }
        return new ApiError(422, "the nNVE refused: " + ReasonCode.of(r.code() & 0x0F).description(), r.code(),
                r.detail());
    }

    UUID migration(Request r) throws ApiError {
        return Fields.uuid(r.body(Bodies.Migration.class).migration(), "migration", true);
    }

    /** LC-CREATE: {@code {"name", "tsis": [TSI_SPEC], "start": false}}. */
    Reply create(Request r) throws ApiError {
        Bodies.Create o = r.body(Bodies.Create.class);
        String name = name(o.name());
        List<TsiSpec> tsis = tsis(o.tsis(), name);
        boolean start = Fields.bool(o.start(), false);
        Reply created = run("create", name, () -> {
            if (engine().vmNamed(name) != null) {
                throw ApiError.conflict("VM '" + name + "' exists (state " + engine().vmNamed(name).state() + ")");
            }
            taken(tsis);
            CompletableFuture<OpResult> f = engine().create(name, tsis);
            return new Started(engine().vmNamed(name), f);
        });
        if (!start) {
            return created;
        }
        return op(new Request("POST", r.path(), Map.of("name", name), "", r.remote()), "start",
                states(VmState.SHUTDOWN), (e, n) -> e.start(n));
    }

    /** LC-MIGRATE, destination: {@code {"migration": UUID, "tsis": [TSI_SPEC]}}. */
    Reply migratePrepare(Request r) throws ApiError {
        String name = r.param("name");
        Bodies.Prepare o = r.body(Bodies.Prepare.class);
        UUID m = Fields.uuid(o.migration(), "migration", true);
        List<TsiSpec> tsis = tsis(o.tsis(), name);
        return run("migrate_prepare", name, () -> {
            if (engine().vmNamed(name) != null) {
                throw ApiError.conflict("VM '" + name + "' exists here (state " + engine().vmNamed(name).state() + ")");
            }
            taken(tsis);
            CompletableFuture<OpResult> f = engine().migratePrepare(name, tsis, m);
            return new Started(engine().vmNamed(name), f);
        });
    }

    /**
     * REL-1, the libvirt hook's {@code reconnect}: a VM that exists on this hypervisor already, in the state
     * it is in, which this tNVE does not know: {@code {"state": "RUNNING", "tsis": [TSI_SPEC]}}. Its TSIs
     * are announced in the state the VM's state asks for (running or paused: activated; suspended or shut
     * down: associated); an nNVE that holds them already keeps them as they are.
     */
    Reply adopt(Request r) throws ApiError {
        String name = r.param("name");
        Bodies.Adopt o = r.body(Bodies.Adopt.class);
        if (name.isEmpty() || name.length() > 128 || !name.chars().allMatch(c -> c > 0x20 && c != 0x7F && c != '/')) {
            throw ApiError.badRequest("name: 1 to 128 printable characters without spaces or '/'");
        }
        String stateText = Fields.string(o.state(), "state", true);
        VmState state = switch (stateText) {
            case "RUNNING" -> VmState.RUNNING;
            case "PAUSED" -> VmState.PAUSED;
            case "SUSPENDED" -> VmState.SUSPENDED;
            case "SHUTDOWN" -> VmState.SHUTDOWN;
            default -> throw ApiError.badRequest("state: '" + Fields.clip(stateText)
                    + "' is not RUNNING, PAUSED, SUSPENDED or SHUTDOWN");
        };
        List<TsiSpec> tsis = tsis(o.tsis(), name);
        return run("adopt", name, () -> {
            if (engine().vmNamed(name) != null) {
                throw ApiError.conflict("VM '" + name + "' exists (state " + engine().vmNamed(name).state() + ")");
            }
            taken(tsis);
            CompletableFuture<OpResult> f = engine().adopt(name, tsis, state);
            return new Started(engine().vmNamed(name), f);
        });
    }

    /** 409 when a TSI ID is already used by another VM here. */
    private void taken(List<TsiSpec> tsis) throws ApiError {
        for (Vm other : engine().vms()) {
            for (TsiSpec t : other.tsis()) {
                for (TsiSpec n : tsis) {
                    if (t.id().equals(n.id())) {
                        throw ApiError.conflict("TSI " + n.id() + " belongs to VM '" + other.name() + "'");
                    }
                }
            }
        }
    }

    static String name(String value) throws ApiError {
        String name = Fields.string(value, "name", true);
        if (name.isEmpty() || name.length() > 128 || !name.chars().allMatch(c -> c > 0x20 && c != 0x7F && c != '/')) {
            throw ApiError.badRequest("name: 1 to 128 printable characters without spaces or '/'");
        }
        return name;
    }

    /** TSI_SPEC list; an absent id becomes a name-based UUID of the VM name and MAC. */
    static List<TsiSpec> tsis(List<Bodies.TsiSpec> items, String vmName) throws ApiError {
        if (items == null) {
            throw ApiError.badRequest("tsis: required (a list of {\"vn\", \"mac\", \"ips\", \"id\"})");
        }
        if (items.isEmpty()) {
            throw ApiError.badRequest("tsis: expected a non-empty list of {\"vn\", \"mac\", \"ips\", \"id\"}");
        }
        List<TsiSpec> out = new ArrayList<>();
        Set<VsiId> ids = new HashSet<>();
        Set<MacAddress> macs = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String where = "tsis[" + i + "]";
            Bodies.TsiSpec t = items.get(i);
            if (t == null) {
                throw ApiError.badRequest(where + ": expected an object {\"vn\", \"mac\", \"ips\", \"id\"}");
            }
            long vn = Fields.integer(t.vn(), where + ".vn", 0, 0xFFFF_FFFFL);
            MacAddress mac = Fields.mac(t.mac(), where + ".mac");
            List<TsiAddress> ips = Fields.ips(t.ips(), where + ".ips", false);
            UUID id = Fields.uuid(t.id(), where + ".id", false);
            VsiId vsi = VsiId.uuid(id != null ? id : TsiIds.derivedId(vmName, mac));
            if (!macs.add(mac)) {
                throw ApiError.badRequest(where + ".mac: " + mac + " appears twice");
            }
            if (!ids.add(vsi)) {
                throw ApiError.badRequest(where + ".id: " + vsi + " appears twice");
            }
            out.add(TsiSpec.of(vsi, vn, mac, ips));
        }
        return out;
    }

    /** REQ-10: {@code {"tsi": UUID or MAC, "op": "add"/"remove"/"replace", "ips": [IP]}}. */
    Reply addresses(Request r) throws ApiError {
        String name = r.param("name");
        Bodies.Addresses o = r.body(Bodies.Addresses.class);
        String tsi = Fields.string(o.tsi(), "tsi", true);
        String opText = Fields.string(o.op(), "op", true);
        TsiAddressTlv.Operation op = switch (opText) {
            case "add" -> TsiAddressTlv.Operation.ADD;
            case "remove" -> TsiAddressTlv.Operation.REMOVE;
            case "replace" -> TsiAddressTlv.Operation.REPLACE;
            default -> throw ApiError.badRequest("op: '" + Fields.clip(opText) + "' is not add, remove or replace");
        };
        List<TsiAddress> ips = Fields.ips(o.ips(), "ips", true);
        if (ips.isEmpty() && op != TsiAddressTlv.Operation.REPLACE) {
            throw ApiError.badRequest("ips: names at least one address to " + opText);
        }
        MacAddress mac = Fields.mac(tsi);
        UUID uuid = mac == null ? Fields.uuid(tsi, "tsi") : null;
        return run("addresses", name, () -> {
            Vm vm = existing(name);
            if (vm.state() == VmState.DESTROYED || vm.state() == VmState.PREPARING) {
                throw ApiError.conflict("VM '" + name + "' is " + vm.state());
            }
            TsiSpec found = null;
            for (TsiSpec t : vm.tsis()) {
                if (mac != null ? t.mac().equals(mac) : t.id().format() == org.splitnve.wire.vdp.VsiIdFormat.UUID
                        && t.id().asUuid().equals(uuid)) {
                    found = t;
                }
            }
            if (found == null) {
                throw ApiError.notFound("VM '" + name + "' has no TSI " + Fields.clip(tsi));
            }
            return new Started(vm, engine().updateAddresses(name, found.id(), op, ips));
        });
    }

    // ------------------------------------------------------------------ metrics

    /** The scrape: VMs per state, TSIs per uplink and state, uplinks, read on the engine thread. */
    public static io.prometheus.metrics.model.snapshots.MetricSnapshots scrape(Backend d) {
        Metrics.Scrape s = d.metrics().metrics().scrape();
        try {
            new TnveApi(d).read(() -> {
                TnveEngine e = d.engine();
                Map<VmState, Integer> vms = new EnumMap<>(VmState.class);
                for (VmState st : VmState.values()) {
                    vms.put(st, 0);
                }
                Map<String, Map<TnveEngine.TsiState, Integer>> links = new java.util.LinkedHashMap<>();
                for (TnveSettings.UplinkSettings u : d.settings().uplinks()) {
                    Map<TnveEngine.TsiState, Integer> counts = new EnumMap<>(TnveEngine.TsiState.class);
                    for (TnveEngine.TsiState st : TnveEngine.TsiState.values()) {
                        counts.put(st, 0);
                    }
                    links.put(u.name(), counts);
                }
                TnveApi a = new TnveApi(d);
                for (Vm vm : e.vms()) {
                    vms.merge(vm.state(), 1, Integer::sum);
                    for (TsiSpec t : vm.tsis()) {
                        for (String u : a.uplinksOf(t.vnId())) {
                            links.get(u).merge(e.tsiState(u, t.id()), 1, Integer::sum);
                        }
                    }
                }
                for (Map.Entry<VmState, Integer> v : vms.entrySet()) {
                    s.gauge("splitnve_vms", "VMs on this hypervisor by state", v.getValue(), "state", v.getKey().name());
                }
                for (Map.Entry<String, Map<TnveEngine.TsiState, Integer>> l : links.entrySet()) {
                    for (Map.Entry<TnveEngine.TsiState, Integer> st : l.getValue().entrySet()) {
                        s.gauge("splitnve_tsis", "TSIs by the state their nNVE confirmed, per uplink",
                                st.getValue(), "uplink", l.getKey(), "state", st.getKey().name());
                    }
                }
                for (TnveSettings.UplinkSettings u : d.settings().uplinks()) {
                    s.gauge("splitnve_peers", "uplinks whose nNVE is alive (1) or lost (0)",
                            e.uplinkAlive(u.name()) ? 1 : 0, "uplink", u.name());
                    s.gauge("splitnve_uplink_in_sync", "uplinks whose nNVE holds what this agent believes (1), "
                            + "or not yet after a restart (0)", e.uplinkInSync(u.name()) ? 1 : 0, "uplink", u.name());
                }
                return null;
            });
        } catch (ApiError err) {
            // the engine is stopping: the counters below still answer
        }
        d.metrics().common(s, d.runner());
        return d.metrics().metrics().render(s);
    }
}
