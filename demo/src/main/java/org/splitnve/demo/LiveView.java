package org.splitnve.demo;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.function.Supplier;
import org.splitnve.nnve.TsiState;
import org.splitnve.nnve.Vap;
import org.splitnve.wire.vdp.TsiAddress;

/**
 * What the demo shows: its narration, a table of each nNVE's VNs, local tags and TSIs (and each
 * hypervisor's VMs), and the daemons' events. On a terminal a screen redrawn in place (ANSI escapes);
 * elsewhere (pipes, tests, CI) plain text: the narration, the events and a table after each step.
 */
abstract sealed class LiveView implements AutoCloseable permits LiveView.Plain, LiveView.Screen {
    protected final PrintStream out;
    protected final boolean json;
    /** Unix time (seconds) the demo began: event times are shown relative to it. */
    private final double start = System.currentTimeMillis() / 1000.0;

    LiveView(PrintStream out, boolean json) {
        this.out = out;
        this.json = json;
    }

    /** A plain-text view, or on a terminal a screen one. */
    static LiveView of(PrintStream out, boolean json, boolean terminal, Supplier<World> world) {
        return terminal ? new Screen(out, json, world) : new Plain(out, json);
    }

    /** A stream for a daemon's log: each line it writes becomes an event of the view. */
    PrintStream eventStream(String node) {
        return new PrintStream(new LineSplitter(line -> event(node, line)), true, StandardCharsets.UTF_8);
    }

    /** A line before the lifecycle (what runs where) or after it. */
    abstract void message(String line);

    /** One line of a daemon's log (logfmt or JSON). */
    abstract void event(String node, String line);

    abstract void stepStarted(int n, int total, Lifecycle.Step step);

    abstract void stepDone(int n, int total, Lifecycle.Step step, World world);

    abstract void stepFailed(int n, int total, Lifecycle.Step step, String problem, World world);

    /** The lifecycle is over and the daemons keep running (--keep): events are shown as they come. */
    abstract void live();

    @Override
    public abstract void close();

    // ------------------------------------------------------------------ formatting

    /**
     * An event for people: logfmt without the absolute time and the INFO level, the time relative to
     * the demo's start, MACs of the plan's interfaces and TSI IDs shown by name. JSON lines stay as they are.
     */
    String pretty(String node, String line) {
        if (json) {
            return line;
        }
        String rest = line;
        String time = "";
        if (rest.startsWith("t=")) {
            int sp = rest.indexOf(' ');
            try {
                java.time.Instant at = java.time.Instant.parse(rest.substring(2, sp)); // RFC 3339
                time = String.format(Locale.ROOT, "%7.3f", at.getEpochSecond() + at.getNano() / 1e9 - start);
            } catch (RuntimeException e) {
                time = "";
            }
            rest = rest.substring(sp + 1);
        }
        rest = rest.replaceFirst("^node=\\S+ ", "").replaceFirst("^level=INFO ", "").replaceFirst("^event=", "");
        return time + " " + String.format("%-6s ", node) + names(rest);
    }

    /** Replaces the plan's MACs and TSI IDs by the names of their interfaces and VMs. */
    static String names(String s) {
        for (Plan.Vm vm : Plan.VMS) {
            s = s.replace(vm.tsi().id().toString(), vm.name());
        }
        for (String host : Plan.HOSTS) {
            for (Plan.Uplink u : Plan.uplinks(host)) {
                s = s.replace(u.iface().mac().toString(), u.iface().toString());
            }
        }
        for (String n : Plan.NNVES) {
            for (Plan.NnvePort p : Plan.nnvePorts(n)) {
                s = s.replace(p.iface().mac().toString(), p.iface().toString());
            }
        }
        return s;
    }

    /** The tables of a world: per nNVE its ports, peers, VNs (VAPs) and TSIs; then the hypervisors' VMs. */
    static List<String> tables(World w) {
        List<String> lines = new ArrayList<>();
        for (World.NnveView n : w.nnves().values()) {
            StringJoiner ports = new StringJoiner(", ");
            for (Plan.NnvePort p : Plan.nnvePorts(n.name())) {
                ports.add(p.iface().name() + " " + p.iface().mac() + " (scope " + p.scope() + ", tags " + p.tags() + ")");
            }
            StringJoiner peers = new StringJoiner(" ");
            for (World.PeerRow p : n.peers()) {
                peers.add(Plan.station(p.station()) + "@" + Plan.portName(n.name(), p.port()));
            }
            lines.add(n.name() + "  ports " + ports + "  peers: " + (n.peers().isEmpty() ? "-" : peers));
            if (n.vaps().isEmpty()) {
                lines.add("   no VN connected");
            } else {
                lines.add(String.format(Locale.ROOT, "   %-5s %-5s %-6s %-7s %-6s %-13s %-5s %-11s %s", "VN", "alias",
                        "VNI", "scope", "tag", "VAP state", "TSIs", "NVA map/fwd", "NVA churn +/-"));
                for (World.VapRow v : n.vaps()) {
                    World.NvaRow r = n.nva(v.vn());
                    lines.add(String.format(Locale.ROOT, "   %-5d %-5s %-6d %-7s %-6s %-13s %-5d %-11s +%d/-%d", v.vn(),
                            Plan.alias(v.vn()), v.vni(), v.scope(), tags(v.tags()), v.state() == Vap.State.VN_CONNECTED
                                    ? "VN_CONNECTED" : "DISCONNECTED", v.tsis(), r.mapping() + "/" + r.forwarding(),
                            r.churn().added(), r.churn().removed()));
                }
            }
            if (n.tsis().isEmpty()) {
                lines.add("   no TSI");
            } else {
                lines.add(String.format(Locale.ROOT, "   %-8s %-5s %-10s %-17s %-28s %-8s %-4s %-4s %s", "TSI of", "VN",
                        "state", "MAC", "IPs", "station", "port", "tag", "NVA"));
                for (World.TsiRow t : n.tsis()) {
                    lines.add(String.format(Locale.ROOT, "   %-8s %-5d %-10s %-17s %-28s %-8s %-4s %-4d %s",
                            Plan.vmOf(t.id()), t.vn(), state(t.state()), t.mac() == null ? "-" : t.mac(), ips(t.ips()),
                            Plan.station(t.station()), Plan.portName(n.name(), t.port()), t.tag(),
                            t.ownsNva() ? "entries" : "-"));
                }
            }
        }
        lines.addAll(nvaTable(w.nva()));
        StringJoiner hosts = new StringJoiner("   ");
        for (World.TnveView h : w.tnves().values()) {
            StringJoiner vms = new StringJoiner(", ");
            for (World.VmRow vm : h.vms()) {
                vms.add(vm.name() + " " + vm.state());
            }
            hosts.add(h.name() + ": " + (h.vms().isEmpty() ? "-" : vms.toString()));
        }
        lines.add("VMs  " + hosts);
        return lines;
    }

    /**
     * Where every TSI lives according to the NVA (NVA-6): per instance its nNVE and port, its state (FORWARDING:
     * Activated, MAPPING: Associated), its mobility sequence number and its addresses, those withdrawn marked.
     */
    static List<String> nvaTable(World.NvaView nva) {
        List<String> lines = new ArrayList<>();
        lines.add("NVA (shared by nnve-a and nnve-b, revision " + nva.revision() + "): where every TSI lives");
        if (nva.places().isEmpty()) {
            lines.add("   no TSI");
            return lines;
        }
        lines.add(String.format(Locale.ROOT, "   %-8s %-5s %-7s %-4s %-10s %-4s %s", "TSI of", "VN", "nNVE", "port",
                "state", "seq", "addresses (withdrawn: another nNVE forwards them)"));
        for (World.PlaceRow p : nva.places()) {
            StringJoiner addrs = new StringJoiner(" ");
            for (TsiAddress a : p.addresses()) {
                String t = a.ip() == null ? a.mac().toString() : text(a.ip());
                addrs.add(p.withdrawn().contains(a) ? t + "(withdrawn)" : t);
            }
            lines.add(String.format(Locale.ROOT, "   %-8s %-5d %-7s %-4s %-10s %-4d %s", Plan.vmOf(p.tsi()), p.vn(),
                    p.nve(), Plan.portName(p.nve(), p.port()), p.state(), p.seq(), addrs));
        }
        return lines;
    }

    private static String state(TsiState s) {
        return s.name();
    }

    private static String tags(List<Integer> tags) {
        StringJoiner j = new StringJoiner(",");
        tags.forEach(t -> j.add(String.valueOf(t)));
        return tags.isEmpty() ? "-" : j.toString();
    }

    private static String ips(List<TsiAddress> ips) {
        if (ips.isEmpty()) {
            return "-";
        }
        StringJoiner j = new StringJoiner(" ");
        for (TsiAddress a : ips) {
            j.add(text(a.ip()) + (a.prefixLength() == (a.family() == 4 ? 32 : 128) ? "" : "/" + a.prefixLength()));
        }
        return j.toString();
    }

    /** An address as people write it: IPv6 with its longest run of zero groups as "::" (RFC 5952). */
    static String text(java.net.InetAddress ip) {
        return org.splitnve.wire.IpText.format(ip);
    }

    static String stepLine(int n, int total, Lifecycle.Step step) {
        return "step " + n + "/" + total + " [" + step.name() + "] " + step.title() + "   (" + step.requirements() + ")";
    }

    /** {@code text} in lines of at most {@code width} characters, each starting with {@code indent}. */
    static List<String> wrap(String text, int width, String indent) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder(indent);
        String[] words = text.split(" ", -1);
        int n = words.length;
        while (n > 0 && words[n - 1].isEmpty()) {
            n--; // spaces at the end add no word
        }
        for (String word : java.util.Arrays.asList(words).subList(0, n)) {
            if (line.length() > indent.length() && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line = new StringBuilder(indent);
            }
            if (line.length() > indent.length()) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > indent.length()) {
            lines.add(line.toString());
        }
        return lines;
    }

    /** Splits what a daemon's log writes into lines. */
    static final class LineSplitter extends OutputStream {
        private final java.util.function.Consumer<String> lines;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        LineSplitter(java.util.function.Consumer<String> lines) {
            this.lines = lines;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                String line = buf.toString(StandardCharsets.UTF_8);
                buf.reset();
                lines.accept(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
            } else {
                buf.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }
    }

    // ------------------------------------------------------------------ plain text

    /** Plain text, in order: narration, the step's events, the table. */
    static final class Plain extends LiveView {
        private final List<String> pending = new ArrayList<>();
        private boolean streaming;

        Plain(PrintStream out, boolean json) {
            super(out, json);
        }

        @Override
        synchronized void message(String line) {
            flushEvents();
            out.println(line);
            out.flush();
        }

        @Override
        synchronized void event(String node, String line) {
            String p = pretty(node, line);
            if (streaming) {
                out.println(json ? p : "   " + p);
                out.flush();
            } else {
                pending.add(p);
            }
        }

        private void flushEvents() {
            for (String p : pending) {
                out.println(json ? p : "   " + p);
            }
            pending.clear();
        }

        @Override
        synchronized void stepStarted(int n, int total, Lifecycle.Step step) {
            flushEvents();
            out.println();
            out.println("== " + stepLine(n, total, step));
            wrap(step.narration(), 110, "   ").forEach(out::println);
            out.flush();
        }

        @Override
        synchronized void stepDone(int n, int total, Lifecycle.Step step, World world) {
            flushEvents();
            out.println("   -- as expected (" + step.expect().size() + " checks); the network now:");
            tables(world).forEach(l -> out.println("   " + l));
            out.flush();
        }

        @Override
        synchronized void stepFailed(int n, int total, Lifecycle.Step step, String problem, World world) {
            flushEvents();
            out.println("   -- FAILED at step " + n + " [" + step.name() + "]: " + problem);
            if (world != null) {
                tables(world).forEach(l -> out.println("   " + l));
            }
            out.flush();
        }

        @Override
        synchronized void live() {
            flushEvents();
            streaming = true;
            out.flush();
        }

        @Override
        public synchronized void close() {
            flushEvents();
            out.flush();
        }
    }

    // ------------------------------------------------------------------ terminal

    /** A screen redrawn in place: where the lifecycle is, the tables (read every 300 ms), the latest events. */
    static final class Screen extends LiveView {
        private static final String CLEAR_LINE = "\033[K";
        private final Supplier<World> world;
        private final List<String> messages = new ArrayList<>();
        /** Messages once the lifecycle has begun (its outcome, what --keep offers): under the narration. */
        private final List<String> notes = new ArrayList<>();
        private final ArrayDeque<String> events = new ArrayDeque<>();
        private final List<String> stepMarks = new ArrayList<>();
        private final int rows;
        private final int cols;
        private String current = "";
        private String narration = "";
        private String outcome = "";
        private World last;
        private boolean dirty = true;
        private boolean closed;
        private final Thread painter;

        Screen(PrintStream out, boolean json, Supplier<World> world) {
            super(out, json);
            this.world = world;
            int[] size = terminalSize();
            this.rows = size[0];
            this.cols = size[1];
            out.print("\033[?25l\033[H\033[2J");
            out.flush();
            painter = Thread.ofPlatform().daemon().name("demo screen").start(this::paintLoop);
        }

        /** Rows and columns of the terminal: stty, then $LINES/$COLUMNS, then 24 x 80. */
        private static int[] terminalSize() {
            try {
                Process p = new ProcessBuilder("stty", "size").redirectInput(new java.io.File("/dev/tty"))
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String[] rc = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim().split("\\s+", -1);
                if (p.waitFor() == 0 && rc.length == 2) {
                    return new int[] {Math.max(16, Integer.parseInt(rc[0])), Math.max(60, Integer.parseInt(rc[1]))};
                }
            } catch (Exception e) {
                // no stty or no tty: the environment, then defaults
            }
            try {
                return new int[] {Integer.parseInt(System.getenv("LINES")), Integer.parseInt(System.getenv("COLUMNS"))};
            } catch (RuntimeException e) {
                return new int[] {24, 80};
            }
        }

        private void paintLoop() {
            long lastWorld = 0;
            while (true) {
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                }
                long now = System.nanoTime();
                if (now - lastWorld > 300_000_000L) {
                    lastWorld = now;
                    World w = world.get();
                    synchronized (this) {
                        if (w != null) {
                            last = w;
                            dirty = true;
                        }
                    }
                }
                synchronized (this) {
                    if (dirty && !closed) {
                        paint();
                    }
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void paint() {
            dirty = false;
            List<String> top = new ArrayList<>(messages);
            StringJoiner marks = new StringJoiner(" ");
            stepMarks.forEach(marks::add);
            if (!stepMarks.isEmpty()) {
                top.add(marks.toString());
            }
            if (!current.isEmpty()) {
                top.add("\033[1m" + cut(current) + "\033[0m");
                top.addAll(wrap(narration, cols - 1, "  "));
            }
            if (!outcome.isEmpty()) {
                top.add("\033[1m" + cut(outcome) + "\033[0m");
            }
            top.addAll(notes);
            top.add("");
            if (last != null) {
                top.addAll(tables(last));
            }
            top.add("");
            int room = Math.max(3, rows - top.size() - 2);
            top.add("events (latest " + Math.min(room, events.size()) + " of the daemons' log):");
            List<String> ev = new ArrayList<>(events);
            top.addAll(ev.subList(Math.max(0, ev.size() - room), ev.size()));
            StringBuilder sb = new StringBuilder("\033[H");
            int shown = 0;
            for (String l : top) {
                if (shown++ >= rows - 1) {
                    break;
                }
                sb.append(l.startsWith("\033[") ? l : cut(l)).append(CLEAR_LINE).append('\n');
            }
            sb.append("\033[J");
            out.print(sb);
            out.flush();
        }

        private String cut(String l) {
            return l.length() < cols ? l : l.substring(0, cols - 1);
        }

        @Override
        synchronized void message(String line) {
            if (closed) {
                out.println(line);
                out.flush();
                return;
            }
            (stepMarks.isEmpty() ? messages : notes).addAll(line.isEmpty() ? List.of("") : wrap(line, cols - 1, ""));
            dirty = true;
        }

        @Override
        synchronized void event(String node, String line) {
            events.add(pretty(node, line));
            while (events.size() > 500) {
                events.poll();
            }
            dirty = true;
        }

        @Override
        synchronized void stepStarted(int n, int total, Lifecycle.Step step) {
            if (stepMarks.isEmpty()) {
                for (int i = 1; i <= total; i++) {
                    stepMarks.add("[ ]" + i);
                }
            }
            stepMarks.set(n - 1, "[>]" + n);
            current = stepLine(n, total, step);
            narration = step.narration();
            dirty = true;
        }

        @Override
        synchronized void stepDone(int n, int total, Lifecycle.Step step, World w) {
            stepMarks.set(n - 1, "[x]" + n);
            last = w;
            dirty = true;
        }

        @Override
        synchronized void stepFailed(int n, int total, Lifecycle.Step step, String problem, World w) {
            stepMarks.set(n - 1, "[!]" + n);
            outcome = "FAILED at step " + n + " [" + step.name() + "]: " + problem;
            if (w != null) {
                last = w;
            }
            dirty = true;
        }

        @Override
        synchronized void live() {
            current = "";
            narration = "";
            dirty = true;
        }

        /** Paints a last time and leaves the screen as it is, the cursor below it. */
        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                paint();
                closed = true;
                out.print("\033[?25h");
                out.flush();
            }
            painter.interrupt();
        }
    }
}
