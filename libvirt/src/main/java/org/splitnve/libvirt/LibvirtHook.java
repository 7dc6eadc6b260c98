package org.splitnve.libvirt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.splitnve.api.Bodies;
import org.splitnve.api.TsiIds;
import org.splitnve.cli.ApiClient;
import org.splitnve.cli.ApiException;
import org.splitnve.cli.Io;
import org.splitnve.cli.Table;
import org.splitnve.cli.UsageException;
import org.splitnve.cli.VmCommand;
import org.splitnve.config.IpLiteral;
import org.splitnve.wire.MacAddress;
import tools.jackson.databind.JsonNode;

/**
 * {@code splitnve libvirt-hook GUEST OPERATION SUB_OPERATION [EXTRA]}: what {@code contrib/libvirt/qemu}
 * runs when libvirt calls {@code /etc/libvirt/hooks/qemu} (the domain XML on standard input). Maps
 * libvirt's events to the local tNVE's API (docs/api.md; contrib/libvirt/README.md):
 *
 * <pre>
 *   prepare begin    create: associate the TSIs (LC-CREATE); a refusal exits 1 and libvirt does not start the VM
 *                    (for an incoming migration the VM exists already, prepared by "migrate begin": nothing; a
 *                    VM the tNVE keeps shut down with these TSIs associated: nothing; otherwise it is deleted and
 *                    created afresh from the domain XML)
 *   started begin    start: activate; for an incoming migration, commit (activate with the arrival hint)
 *   stopped end      shutdown: de-associate (LC-TERMINATE), the VM stays shut down at the tNVE; an incoming
 *                    migration that failed is aborted; a departed one is finished
 *   release end      delete: libvirt released the domain; the tNVE forgets the VM (shut down first if need be)
 *   migrate begin    migrate prepare on this (destination) tNVE: associate with the arrival hint (LC-MIGRATE);
 *                    prints nothing (the XML stays as it is)
 *   reconnect begin  libvirtd restarted and found the domain running: a VM the tNVE knows is left as it is
 *                    (its TSIs undisturbed; a shut-down one is started); one it does not know is adopted from
 *                    the domain XML, running (REL-1); a failure is logged and exits 0 (libvirt would kill the
 *                    running domain on a failing reconnect hook)
 *   anything else    (start, attach, restore, ...) logged on stderr, exit 0
 * </pre>
 *
 * Nothing is written on standard output (libvirt reads it as the new XML for migrate and restore);
 * what the hook did goes to standard error, which libvirt logs when the exit status is not 0.
 * Environment: {@code SPLITNVE_API} (default http://127.0.0.1:7481), {@code SPLITNVE_TOKEN} or
 * {@code SPLITNVE_TOKEN_FILE}, {@code SPLITNVE_TIMEOUT} (seconds, default 30).
 */
public final class LibvirtHook {
    /** Largest domain XML read (libvirt's own are a few kilobytes). */
    static final int MAX_XML = 8 << 20;

    /** What a libvirt event means for the tNVE. */
    public enum Action {
        /** prepare begin: associate (or nothing when a migration prepared the VM). */
        CREATE,
        /** started begin: activate (or commit an incoming migration). */
        START,
        /** stopped end: de-associate, the VM kept shut down (or abort an incoming migration). */
        STOP,
        /** release end: forget the VM. */
        RELEASE,
        /** migrate begin: prepare the incoming migration. */
        MIGRATE_IN,
        /** reconnect begin: libvirtd found the domain running after its restart: the tNVE has the VM. */
        RECONNECT,
        /** anything else: nothing. */
        IGNORE
    }

    /** The action for libvirt's OPERATION and SUB_OPERATION. */
    public static Action action(String operation, String subOperation) {
        return switch (operation + " " + subOperation) {
            case "prepare begin" -> Action.CREATE;
            case "started begin" -> Action.START;
            case "stopped end" -> Action.STOP;
            case "release end" -> Action.RELEASE;
            case "migrate begin" -> Action.MIGRATE_IN;
            case "reconnect begin" -> Action.RECONNECT;
            default -> Action.IGNORE;
        };
    }

    private final String guest;
    private final String event;
    private final Io io;
    private final ApiClient api;

    private LibvirtHook(String guest, String event, Io io, ApiClient api) {
        this.guest = guest;
        this.event = event;
        this.io = io;
        this.api = api;
    }

    public static int run(List<String> argv, Io io) {
        String xml;
        try {
            // libvirt writes the XML for every event: read it all, so that its write never fails
            byte[] in = io.in().readNBytes(MAX_XML + 1);
            if (in.length > MAX_XML) {
                io.err().println("splitnve libvirt-hook: the domain XML is larger than " + MAX_XML + " octets");
                return 1;
            }
            xml = new String(in, StandardCharsets.UTF_8);
        } catch (IOException e) {
            io.err().println("splitnve libvirt-hook: cannot read the domain XML: " + e.getMessage());
            return 1;
        }
        if (argv.size() < 3 || argv.size() > 4) {
            io.err().println("splitnve libvirt-hook: libvirt passes GUEST OPERATION SUB_OPERATION EXTRA, got "
                    + argv.size() + " argument" + (argv.size() == 1 ? "" : "s"));
            io.err().println("see `splitnve libvirt-hook --help`");
            return 2;
        }
        String guest = argv.get(0);
        String event = argv.get(1) + " " + argv.get(2);
        Action action = action(argv.get(1), argv.get(2));
        if (action == Action.IGNORE) {
            io.err().println("splitnve libvirt-hook: " + guest + " " + event + ": nothing to do");
            return 0;
        }
        ApiClient api;
        try {
            long timeout = 30;
            String t = io.env("SPLITNVE_TIMEOUT");
            if (t != null) {
                try {
                    timeout = Long.parseLong(t.strip());
                } catch (NumberFormatException e) {
                    throw new UsageException("SPLITNVE_TIMEOUT is a number of seconds, not '" + t + "'");
                }
                if (timeout <= 0) {
                    throw new UsageException("SPLITNVE_TIMEOUT is a number of seconds above 0, not '" + t + "'");
                }
            }
            api = ApiClient.from(null, null, timeout, io, ApiClient.TNVE_DEFAULT);
        } catch (UsageException e) {
            io.err().println("splitnve libvirt-hook: " + e.getMessage());
            return 2;
        }
        LibvirtHook h = new LibvirtHook(guest, event, io, api);
        try {
            if ((action == Action.START || action == Action.STOP || action == Action.RELEASE) && !h.onVns(xml)) {
                return 0;
            }
            return switch (action) {
                case CREATE -> h.create(xml);
                case START -> h.start();
                case STOP -> h.stop();
                case RELEASE -> h.release();
                case MIGRATE_IN -> h.migrateIn(xml);
                case RECONNECT -> h.reconnect(xml);
                case IGNORE -> 0;
            };
        } catch (DomainXml.DomainXmlException e) {
            h.log("refused: " + e.getMessage());
            return action == Action.RECONNECT ? h.keepRunning() : 1;
        } catch (ApiException e) {
            h.log("failed: " + e.getMessage());
            return action == Action.RECONNECT ? h.keepRunning() : 1;
        }
    }

    /**
     * A failed reconnect exits 0 all the same: libvirt kills a running domain whose reconnect hook fails,
     * and a VM must not die because its network agent is away (a tNVE that starts takes its VMs over from
     * its state directory).
     */
    private int keepRunning() {
        log("the VM keeps running (libvirt would kill it on a failing reconnect hook)");
        return 0;
    }

    private void log(String what) {
        io.err().println("splitnve libvirt-hook: " + guest + " " + event + ": " + what);
    }

    /** The VM as the tNVE knows it, or null when it does not. */
    private JsonNode vm() throws ApiException {
        try {
            return api.get(vmPath());
        } catch (ApiException e) {
            if (e.status() == 404) {
                return null;
            }
            throw e;
        }
    }

    private String vmPath() {
        return VmCommand.vmPath(guest);
    }

    private static String state(JsonNode vm) {
        return vm == null ? null : Table.string(vm.path("state"));
    }

    /** The TSI_SPECs of the domain's NICs on VNs. */
    static List<Bodies.TsiSpec> tsiSpecs(DomainXml.Domain d) {
        List<Bodies.TsiSpec> out = new ArrayList<>();
        for (DomainXml.Nic n : d.nics()) {
            out.add(new Bodies.TsiSpec(n.tsi(), n.vn(), n.mac().toString(), n.ips()));
        }
        return out;
    }

    /** Parses the XML; null (and a log line) when no interface is on a VN: then the hook leaves the VM alone. */
    private DomainXml.Domain domain(String xml) throws DomainXml.DomainXmlException {
        DomainXml.Domain d = DomainXml.parse(xml);
        for (String s : d.skipped()) {
            log("interface " + s + " left alone");
        }
        if (d.nics().isEmpty()) {
            log("no interface on a Split-NVE VN: nothing to do");
            return null;
        }
        return d;
    }

    /**
     * For started, stopped and release: false (logged) when the domain has no interface on a VN, so a
     * VM the tNVE has nothing to do with never depends on it; an unreadable XML does not stop a stop
     * (true: the tNVE is asked by the VM's name).
     */
    private boolean onVns(String xml) {
        try {
            DomainXml.Domain d = DomainXml.parse(xml);
            if (d.nics().isEmpty()) {
                log("no interface on a Split-NVE VN: nothing to do");
                return false;
            }
        } catch (DomainXml.DomainXmlException e) {
            log("the domain XML is unusable (" + e.getMessage() + "); going by the VM's name");
        }
        return true;
    }

    private int create(String xml) throws DomainXml.DomainXmlException, ApiException {
        DomainXml.Domain d = domain(xml);
        if (d == null) {
            return 0;
        }
        JsonNode vm = vm();
        if ("MIGRATING_IN".equals(state(vm))) {
            log("incoming migration prepared already: nothing to do");
            return 0;
        }
        List<Bodies.TsiSpec> specs = tsiSpecs(d);
        if ("SHUTDOWN".equals(state(vm)) && associated(vm) && sameTsis(vm, specs)) {
            log("associated already (the tNVE keeps the VM shut down with these TSIs): nothing to do");
            return 0;
        }
        if (vm != null) {
            // kept shut down with other or de-associated TSIs, or left over from a run whose stop the tNVE
            // never heard of: start from scratch, from the domain XML as it is now
            log("the tNVE knows the VM (" + state(vm) + "): deleting it and creating it afresh");
            if (!"SHUTDOWN".equals(state(vm))) {
                api.post(vmPath() + "/shutdown", null);
            }
            api.delete(vmPath());
        }
        long t0 = System.nanoTime();
        api.post("/v1/vms", new Bodies.Create(guest, specs, false));
        log("associated " + d.nics().size() + " TSI" + (d.nics().size() == 1 ? "" : "s") + " in "
                + (System.nanoTime() - t0) / 1_000_000 + " ms");
        return 0;
    }

    private int start() throws ApiException {
        JsonNode vm = vm();
        if (vm == null) {
            log("the tNVE does not know the VM (no interface on a VN): nothing to do");
            return 0;
        }
        long t0 = System.nanoTime();
        String s = state(vm);
        if ("MIGRATING_IN".equals(s)) {
            api.post(vmPath() + "/migrate/commit", null);
            log("incoming migration committed (activated) in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        } else if ("RUNNING".equals(s)) {
            log("running already: nothing to do");
        } else {
            api.post(vmPath() + "/start", null);
            log("activated in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
        return 0;
    }

    private int stop() throws ApiException {
        JsonNode vm = vm();
        if (vm == null) {
            log("the tNVE does not know the VM: nothing to do");
            return 0;
        }
        long t0 = System.nanoTime();
        switch (state(vm)) {
            case "MIGRATING_IN" -> {
                api.post(vmPath() + "/migrate/abort", null);
                log("incoming migration aborted (de-associated) in " + ms(t0) + " ms");
            }
            case "MIGRATING_OUT" -> {
                api.post(vmPath() + "/migrate/finish", null);
                log("departed: de-associated and forgotten in " + ms(t0) + " ms");
            }
            case "SHUTDOWN" -> log("shut down already: nothing to do");
            default -> {
                api.post(vmPath() + "/shutdown", null);
                log("de-associated in " + ms(t0) + " ms (the tNVE keeps the VM shut down until release)");
            }
        }
        return 0;
    }

    /** release end: libvirt released the domain; the tNVE forgets the VM (the next prepare creates it afresh). */
    private int release() throws ApiException {
        JsonNode vm = vm();
        if (vm == null) {
            log("nothing left");
            return 0;
        }
        long t0 = System.nanoTime();
        String s = state(vm);
        if ("MIGRATING_IN".equals(s) || "MIGRATING_OUT".equals(s)) {
            return stop();
        }
        if (!"SHUTDOWN".equals(s)) {
            // the stopped hook failed or never ran
            api.post(vmPath() + "/shutdown", null);
        }
        try {
            api.delete(vmPath());
        } catch (ApiException e) {
            if (e.kind() != ApiException.Kind.HTTP || vm() != null) {
                throw e;
            }
            // the tNVE forgot the VM all the same (an nNVE did not confirm the De-Associate)
            log("forgotten; the nNVE answered " + e.getMessage());
            return 0;
        }
        log("deleted (forgotten) in " + ms(t0) + " ms");
        return 0;
    }

    /**
     * reconnect begin: libvirtd restarted and reconnected to the running domain. The tNVE keeps what it
     * knows (its TSIs are not disturbed); a VM it does not know (a tNVE whose state directory was lost) is
     * adopted from the domain XML, running: its TSIs are announced activated (REL-1).
     */
    private int reconnect(String xml) throws DomainXml.DomainXmlException, ApiException {
        DomainXml.Domain d = domain(xml);
        if (d == null) {
            return 0;
        }
        JsonNode vm = vm();
        long t0 = System.nanoTime();
        if ("SHUTDOWN".equals(state(vm))) {
            api.post(vmPath() + "/start", null);
            log("the tNVE had the running VM shut down: activated in " + ms(t0) + " ms");
            return 0;
        }
        if (vm != null) {
            log("the tNVE has the VM (" + state(vm) + "): nothing to do");
            return 0;
        }
        api.post(vmPath() + "/adopt", new Bodies.Adopt("RUNNING", tsiSpecs(d)));
        log("the tNVE did not know the running VM: adopted, " + d.nics().size() + " TSI"
                + (d.nics().size() == 1 ? "" : "s") + " announced activated in " + ms(t0) + " ms");
        return 0;
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** True when every TSI of the VM is associated or activated at every uplink. */
    private static boolean associated(JsonNode vm) {
        for (JsonNode t : VmCommand.list(vm.path("tsis"))) {
            for (JsonNode u : VmCommand.list(t.path("uplinks"))) {
                if ("INIT".equals(Table.string(u.path("state")))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** True when the VM the tNVE keeps has the TSIs the domain XML describes (same IDs, VNs, MACs, IPs). */
    private boolean sameTsis(JsonNode vm, List<Bodies.TsiSpec> specs) {
        java.util.Set<String> have = new java.util.HashSet<>();
        for (JsonNode t : VmCommand.list(vm.path("tsis"))) {
            JsonNode vn = t.path("vn");
            List<String> ips = VmCommand.list(t.path("ips")).stream().map(Table::string).toList();
            have.add(key(String.valueOf(Table.string(t.path("id"))), new Bodies.TsiSpec(null,
                    vn.isIntegralNumber() && vn.canConvertToLong() ? vn.longValue() : null,
                    Table.string(t.path("mac")), ips)));
        }
        java.util.Set<String> want = new java.util.HashSet<>();
        for (Bodies.TsiSpec t : specs) {
            want.add(key(t.id() != null ? t.id() : TsiIds.derivedId(guest, MacAddress.parse(t.mac())).toString(), t));
        }
        return have.equals(want);
    }

    /** A TSI as text to compare: ID, VN, MAC and the set of its addresses, each written one way. */
    private static String key(String id, Bodies.TsiSpec t) {
        java.util.TreeSet<String> ips = new java.util.TreeSet<>();
        for (String ip : t.ips() == null ? List.<String>of() : t.ips()) {
            String s = ip == null ? "" : ip;
            int slash = s.indexOf('/');
            java.net.InetAddress a = IpLiteral.parse(slash < 0 ? s : s.substring(0, slash));
            ips.add(a == null ? s : a.getHostAddress() + (slash < 0 ? "" : s.substring(slash)));
        }
        return id.toLowerCase(java.util.Locale.ROOT) + " " + t.vn() + " " + (t.mac() == null ? null : MacAddress.parse(t.mac()))
                + " " + ips;
    }

    private int migrateIn(String xml) throws DomainXml.DomainXmlException, ApiException {
        DomainXml.Domain d = domain(xml);
        if (d == null) {
            return 0;
        }
        JsonNode vm = vm();
        if ("MIGRATING_IN".equals(state(vm))) {
            log("incoming migration prepared already: nothing to do");
            return 0;
        }
        long t0 = System.nanoTime();
        UUID migration = UUID.randomUUID();
        api.post(vmPath() + "/migrate/prepare", new Bodies.Prepare(migration.toString(), tsiSpecs(d)));
        log("incoming migration " + migration + " prepared: " + d.nics().size() + " TSI"
                + (d.nics().size() == 1 ? "" : "s") + " associated with the arrival hint in "
                + (System.nanoTime() - t0) / 1_000_000 + " ms");
        return 0;
    }
}
