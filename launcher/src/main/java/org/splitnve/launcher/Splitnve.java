package org.splitnve.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.splitnve.cli.ApiClient;
import org.splitnve.cli.ApiException;
import org.splitnve.cli.CaptureCommand;
import org.splitnve.cli.Cli;
import org.splitnve.cli.Io;
import org.splitnve.cli.IoCommand;
import org.splitnve.cli.ShowCommand;
import org.splitnve.cli.ReconcileCommand;
import org.splitnve.cli.TagsCommand;
import org.splitnve.cli.TsiCommand;
import org.splitnve.cli.UsageException;
import org.splitnve.cli.VmCommand;
import org.splitnve.cli.WatchCommand;
import org.splitnve.cli.decode.DecodeCommand;
import org.splitnve.daemon.NnveDaemon;
import org.splitnve.daemon.TnveDaemon;
import org.splitnve.demo.DemoCommand;
import org.splitnve.libvirt.LibvirtHook;
import org.splitnve.wire.vdp.VdpCodec;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine;

/**
 * The {@code splitnve} command line as a picocli command model: every command and subcommand, its options
 * and its help. Exit status: 0 success (and {@code --help}, {@code --version}), 1 failure, 2 a usage or
 * configuration mistake (one line saying what, and which {@code --help} to read).
 */
@Command(name = "splitnve", mixinStandardHelpOptions = true, versionProvider = Splitnve.Version.class,
        description = "Split Network Virtualization Edge (RFC 8394): the nNVE and tNVE daemons, the operator's"
                + " commands over their HTTP API, the demo, and VDP/ECP capture tools.",
        commandListHeading = "%ncommands:%n",
        footer = {"",
            "operating (over a daemon's HTTP API, docs/api.md):",
            "  vm create NAME --vn ID --mac MAC [--ip IP]... [--start]   define a VM, associate its TSIs",
            "  vm start|pause|unpause|suspend|resume|shutdown|delete|reconnect NAME",
            "  vm migrate NAME --to URL|ENDPOINT      live migration to another tNVE (make-before-break)",
            "  vm addr NAME --tsi UUID|MAC add|remove|replace IP...",
            "  vm list | vm show NAME",
            "  show peers|vns|tsis|tags|status | show tsi ID|MAC         an nNVE's state as tables",
            "  show flows [--tsi ID|MAC]              per TSI, what the nNVE's switch does for it and why",
            "  reconcile                              repair the nNVE's switch now (drift)",
            "  tsi deactivate|deassociate ID|MAC [--address IP]... [--reason TEXT]   the nNVE's own initiative",
            "  tags release --port P [--station MAC]   free the local tags an end device holds",
            "  watch [--follow]                       live events of a daemon, one line each",
            "  capture IFACE --out FILE.pcap          record ECP and LLDP frames for `decode` (root)",
            "  libvirt-hook GUEST OP SUBOP [EXTRA]    what contrib/libvirt/qemu runs",
            "which daemon: --endpoint NAME of ~/.config/splitnve/client.conf (or env SPLITNVE_CLIENT_CONFIG),",
            "or --api URL with --token-file FILE (env SPLITNVE_API, SPLITNVE_TOKEN, SPLITNVE_TOKEN_FILE)",
            "",
            "Daemon configuration files: docs/configuration.md, examples/nnve.conf, examples/tnve.conf.",
            "Exit status: 0 success (daemons: after a clean stop); 1 a failure (an interface cannot be opened,",
            "no daemon answers, the nNVE refused: the reason on stderr); 2 a usage or configuration error",
            "(configuration mistakes on stderr as FILE:LINE: [section] key: message), or an interface another",
            "splitnve daemon serves. `splitnve COMMAND --help` details each command."})
public final class Splitnve extends IoCommand implements Callable<Integer> {
    /** Where the build puts the bash completion script in the jar. */
    public static final String COMPLETION_RESOURCE = "/splitnve-completion.bash";

    /** The commands, in the order the help lists them (the last, hidden, trains the start-up cache). */
    static final List<Class<?>> COMMANDS = List.of(Demo.class, Decode.class, Nnve.class, Tnve.class, Nva.class, org.splitnve.cli.NvaCommands.Where.class, VmCommand.class,
            ShowCommand.class, ReconcileCommand.class, TsiCommand.class, TagsCommand.class, WatchCommand.class, Capture.class, Hook.class,
            Completion.class, CommandLine.HelpCommand.class, Train.class);

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws UsageException {
        throw new UsageException("which command? " + String.join(", ", visibleSubcommands(spec)));
    }

    /**
     * Runs one command line with these streams and this environment: the exit status. Only the command named
     * is built when the first word names one (a CLI call starts faster: picocli reads each command's annotations
     * when it is added); the whole model otherwise (the help, a mistyped command).
     */
    public static int run(String[] args, Io io) {
        return ApiClient.closingAfter(() -> commandLine(io, args.length == 0 ? null : args[0]).execute(args));
    }

    /** The whole command model, writing to {@code io}. */
    public static CommandLine commandLine(Io io) {
        return commandLine(io, null);
    }

    /** The command model with every command, or only {@code only} when that names one, writing to {@code io}. */
    static CommandLine commandLine(Io io, String only) {
        Splitnve root = new Splitnve();
        root.io = io;
        Factory factory = new Factory(io);
        CommandLine cl = new CommandLine(root, factory);
        Class<?> named = null;
        for (Class<?> c : COMMANDS) {
            Command a = c.getAnnotation(Command.class);
            if (a != null && a.name().equals(only) && c != CommandLine.HelpCommand.class) {
                named = c;
            }
        }
        boolean versionOnly = "--version".equals(only) || "-V".equals(only);
        for (Class<?> c : COMMANDS) {
            if (!versionOnly && (named == null || c == named)) {
                try {
                    cl.addSubcommand(new CommandLine(factory.create(c), factory));
                } catch (Exception e) {
                    throw new IllegalStateException("cannot make the command " + c.getName(), e);
                }
            }
        }
        configure(cl);
        cl.setOut(new PrintWriter(io.out(), true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(io.err(), true, StandardCharsets.UTF_8));
        cl.setParameterExceptionHandler(Splitnve::parameterError);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof UsageException u) {
                return usageError(cmd, u.getMessage());
            }
            if (ex instanceof ApiException a) {
                cmd.getErr().println("splitnve: " + a.getMessage());
                cmd.getErr().flush();
                return 1;
            }
            throw ex;
        });
        return cl;
    }

    /**
     * Every command the same way: the "usage: " heading, wide help, plain text; {@code -h/--help} on each
     * (added where a command does not declare it, so no command can lack it).
     */
    private static void configure(CommandLine root) {
        List<CommandLine> all = new ArrayList<>();
        collect(root, all);
        for (CommandLine c : all) {
            CommandSpec s = c.getCommandSpec();
            s.usageMessage().synopsisHeading("usage: ").optionListHeading("%noptions:%n").parameterListHeading("%n")
                    .width(100);
            if (s.usageMessage().commandListHeading().equals("Commands:%n")) {
                s.usageMessage().commandListHeading("%n" + (s.parent() == null ? "commands" : "operations") + ":%n");
            }
            if (s.userObject() instanceof CommandLine.HelpCommand) {
                s.usageMessage().header(new String[0]).description("Print the help of a command: `splitnve help vm`"
                        + " is `splitnve vm --help`.");
            }
            if (s.optionsMap().get("--help") == null) {
                s.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("print this help and exit")
                        .build());
            }
            c.setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF));
        }
    }

    private static void collect(CommandLine c, List<CommandLine> out) {
        out.add(c);
        for (CommandLine sub : c.getSubcommands().values()) {
            if (!out.contains(sub)) {
                collect(sub, out);
            }
        }
    }

    private static List<String> visibleSubcommands(CommandSpec s) {
        List<String> names = new ArrayList<>();
        s.subcommands().forEach((name, c) -> {
            if (!c.getCommandSpec().usageMessage().hidden() && name.equals(c.getCommandName())) {
                names.add(name);
            }
        });
        return names;
    }

    /** A picocli parse failure: one line saying what (with "did you mean" when something is close), and where to read more. */
    static int parameterError(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String message = ex.getMessage();
        if (ex instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String first = u.getUnmatched().getFirst();
            CommandSpec s = cmd.getCommandSpec();
            if (first.startsWith("-") && first.length() > 1 && !first.matches("-\\d+")) {
                int at = first.indexOf('=');
                message = "unknown option '" + (at > 0 ? first.substring(0, at) : first) + "'";
            } else if (!s.subcommands().isEmpty()) {
                message = "unknown " + (s.parent() == null ? "command" : s.name() + " operation") + " '" + first + "'";
            } else {
                message = "unexpected argument '" + first + "'";
            }
            boolean option = first.startsWith("-") && first.length() > 1 && !first.matches("-\\d+");
            List<String> candidates = new ArrayList<>();
            if (option) {
                s.options().forEach(o -> candidates.addAll(List.of(o.names())));
            } else {
                s.subcommands().forEach((name, c) -> {
                    if (!c.getCommandSpec().usageMessage().hidden()) {
                        candidates.add(name);
                    }
                });
            }
            int eq = first.indexOf('=');
            List<String> close = suggestions(option && eq > 0 ? first.substring(0, eq) : first, candidates);
            if (!close.isEmpty()) {
                message += "; did you mean " + String.join(" or ", close) + "?";
            } else if (!s.subcommands().isEmpty() && !option) {
                message += " (" + String.join(", ", visibleSubcommands(s)) + ")";
            }
        } else if (message != null && !message.isEmpty()) {
            message = message.substring(0, 1).toLowerCase(Locale.ROOT) + message.substring(1);
        }
        return usageError(cmd, message);
    }

    /**
     * The names close to what was typed: those at the smallest edit distance (a transposition counts one) when
     * it is at most 2 and less than half the word, else those that start with it; at most three.
     */
    static List<String> suggestions(String typed, java.util.Collection<String> candidates) {
        int best = Integer.MAX_VALUE;
        List<String> out = new ArrayList<>();
        for (String c : candidates) {
            int d = distance(typed.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
            if (d < best) {
                best = d;
                out.clear();
            }
            if (d == best && !out.contains(c)) {
                out.add(c);
            }
        }
        String bare = typed.replaceFirst("^-+", "");
        if (best > 2 || best * 2 >= bare.length()) {
            out.clear();
            if (bare.length() >= 2) {
                for (String c : candidates) {
                    if (c.replaceFirst("^-+", "").startsWith(bare) && !out.contains(c)) {
                        out.add(c);
                    }
                }
            }
        }
        return out.subList(0, Math.min(3, out.size()));
    }

    /** The optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** "splitnve: MESSAGE" and "see `splitnve vm start --help`" on stderr; status 2. */
    static int usageError(CommandLine cmd, String message) {
        PrintWriter err = cmd.getErr();
        err.println("splitnve: " + message);
        err.println("see `" + cmd.getCommandSpec().qualifiedName() + " --help`");
        err.flush();
        return 2;
    }

    /** Creates the commands, handing each the streams and environment. */
    private record Factory(Io io) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            K k = CommandLine.defaultFactory().create(cls);
            if (k instanceof IoCommand c) {
                c.use(io);
            }
            return k;
        }
    }

    /** {@code --version}: the build's version (a resource Maven fills in) and the Java runtime. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"splitnve " + version(), "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name")
                    + ")"};
        }

        static String version() {
            try (InputStream in = Splitnve.class.getResourceAsStream("/org/splitnve/launcher/version.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    String v = p.getProperty("version");
                    if (v != null && !v.startsWith("$")) {
                        return v;
                    }
                }
            } catch (IOException e) {
                // below
            }
            return "(unknown version: built without Maven)";
        }
    }

    // ------------------------------------------------------------------ the commands that do not talk to an API

    @Command(name = "demo", description = {
        "A whole Split-NVE on this machine, every step narrated and checked.",
        "Two nNVEs, three hypervisors (two behind one switch), VMs on three VNs, played through create,",
        "start, pause, suspend, resume, two live migrations, an address change, an nNVE-initiated deactivate",
        "and shutdown, every step checked; as root in network namespaces over real",
        "frames, else in one process over in-memory links. As root with Open vSwitch installed, tenant traffic too:",
        "the VMs are namespaces that ping each other through the nNVEs' and hypervisors' switches, only when the",
        "protocol says they may. It removes what it made (also on Ctrl-C/SIGTERM)",
        "and exits with 0 when every step reached its expected state, 1 naming the step that did not."})
    static final class Demo extends IoCommand implements Callable<Integer> {
        @Option(names = "--keep", description = "leave everything running after the lifecycle, to explore, until Ctrl-C")
        boolean keep;
        @Option(names = "--memory", description = "in-memory links even as root (no namespaces, no frames on any interface)")
        boolean memory;
        @Option(names = "--step-delay", paramLabel = "MS",
                description = "pause between steps (default 1000 on a terminal, 0 otherwise)")
        String stepDelay;
        @Option(names = "--json", description = "the daemons' events as JSON objects, one a line")
        boolean json;
        @Option(names = "--no-traffic", description = "the control plane only: no Open vSwitch, no VMs pinging")
        boolean noTraffic;

        @Override
        public Integer call() throws UsageException {
            Long delay = null;
            if (stepDelay != null) {
                try {
                    delay = Long.parseLong(stepDelay);
                } catch (NumberFormatException e) {
                    delay = -1L;
                }
                if (delay < 0 || delay > 600_000) {
                    throw new UsageException("--step-delay takes milliseconds from 0 to 600000, not '" + stepDelay + "'");
                }
            }
            return DemoCommand.run(new DemoCommand.Options(keep, memory, delay, json, noTraffic), io.out(), io.err());
        }
    }

    @Command(name = "decode", description = {
        "Print every ECP/VDP22 and LLDP/EVB frame of a capture, every field.",
        "Without FILE, the embedded lldpad reference capture. Exit status 1 when a frame is malformed or the",
        "file cannot be read."})
    static final class Decode extends IoCommand implements Callable<Integer> {
        @Parameters(arity = "0..1", paramLabel = "FILE.pcap", description = "a pcap file (tcpdump -w, splitnve capture)")
        Path file;
        @Option(names = "--oui", paramLabel = "HEX", description = "the OUI of splitnve extension TLVs (default 0a534e)")
        String oui;

        @Override
        public Integer call() throws UsageException {
            int o = VdpCodec.DEFAULT_OUI;
            if (oui != null) {
                try {
                    o = Integer.parseInt(oui.replace("-", "").replace(":", ""), 16);
                } catch (NumberFormatException e) {
                    throw new UsageException("--oui takes 6 hex digits, not '" + oui + "'");
                }
                if ((o & ~0xFFFFFF) != 0) {
                    throw new UsageException("--oui takes 6 hex digits");
                }
            }
            return new DecodeCommand(o, io.out(), io.err()).run(file).exitStatus();
        }
    }

    @Command(name = "nnve", description = {
        "Run the External NVE (VDP bridge) daemon until SIGTERM/SIGINT.",
        "On raw Ethernet, as root, one daemon per interface; SIGHUP reloads FILE. Every option of FILE:",
        "docs/configuration.md."})
    static final class Nnve extends IoCommand implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "the configuration file")
        Path config;

        @Override
        public Integer call() {
            return NnveDaemon.main(config, io.out(), io.err());
        }
    }

    @Command(name = "nva", description = {
        "Run the NVA (the domain's Network Virtualization Authority) until SIGTERM/SIGINT, or operate it.",
        "With --config: the daemon (SQLite state, HTTP API for nNVEs and operators; docs/nva-api.md).",
        "Without: vn|nve|duplicate commands over its API."},
            subcommands = {org.splitnve.cli.NvaCommands.Vn.class, org.splitnve.cli.NvaCommands.Nve.class,
                org.splitnve.cli.NvaCommands.Duplicate.class})
    static final class Nva extends IoCommand implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "run the NVA with this configuration")
        Path config;

        @Override
        public Integer call() throws UsageException {
            if (config == null) {
                throw new UsageException("nva needs --config FILE (the daemon) or an operation: vn, nve, duplicate");
            }
            return org.splitnve.daemon.NvaDaemon.main(config, io.out(), io.err());
        }
    }

    @Command(name = "tnve", description = {
        "Run the hypervisor agent (VDP station) daemon until SIGTERM/SIGINT.",
        "On raw Ethernet, as root, one daemon per interface; SIGHUP reloads FILE. Every option of FILE:",
        "docs/configuration.md."})
    static final class Tnve extends IoCommand implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "the configuration file")
        Path config;

        @Override
        public Integer call() {
            return TnveDaemon.main(config, io.out(), io.err());
        }
    }

    @Command(name = "capture", description = {
        "Record ECP and LLDP frames for `decode` (root).",
        "ECP (0x8940) and LLDP (0x88CC) frames on IFACE, both directions, into FILE.pcap (read it with",
        "`splitnve decode FILE.pcap`, tshark or tcpdump); stops on Ctrl-C, after N frames or after SECONDS,",
        "and prints how many frames of each EtherType it recorded. Needs root (or CAP_NET_RAW; CAP_SYS_ADMIN",
        "too with --netns)."})
    static final class Capture extends IoCommand implements Callable<Integer> {
        @Parameters(paramLabel = "IFACE", description = "the interface")
        String iface;
        @Option(names = "--out", required = true, paramLabel = "FILE.pcap", description = "the capture file to write")
        Path out;
        @Option(names = "--netns", paramLabel = "NS", description = "IFACE is in network namespace NS (a name under /var/run/netns)")
        String netns;
        @Option(names = "--count", paramLabel = "N", description = "stop after N frames")
        String count;
        @Option(names = "--duration", paramLabel = "SECONDS", description = "stop after SECONDS")
        String duration;

        @Override
        public Integer call() throws UsageException {
            long n = Cli.positive("--count", count, Long.MAX_VALUE);
            long seconds = Cli.positive("--duration", duration, Long.MAX_VALUE);
            if (iface.isEmpty() || iface.length() > 15) {
                throw new UsageException("interface names have 1 to 15 characters: '" + iface + "'");
            }
            return CaptureCommand.capture(iface, netns, out, n, seconds, io);
        }
    }

    @Command(name = "libvirt-hook", description = {
        "What contrib/libvirt/qemu runs for libvirt.",
        "Installed as /etc/libvirt/hooks/qemu (contrib/libvirt/README.md); the domain XML on standard input.",
        "Environment: SPLITNVE_API (the tNVE, default http://127.0.0.1:7481),",
        "SPLITNVE_TOKEN or SPLITNVE_TOKEN_FILE, SPLITNVE_TIMEOUT (seconds, default 30)."})
    static final class Hook extends IoCommand implements Callable<Integer> {
        @Parameters(arity = "0..*", paramLabel = "GUEST OPERATION SUB_OPERATION [EXTRA]",
                description = "as libvirt passes them")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() {
            return LibvirtHook.run(args, io);
        }
    }

    @Command(name = "completion", description = {
        "Print the bash completion script.",
        "Generated from this command model by the build: `source <(splitnve completion)`, or install it as",
        "/etc/bash_completion.d/splitnve."})
    static final class Completion extends IoCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            try (InputStream in = Splitnve.class.getResourceAsStream(COMPLETION_RESOURCE)) {
                if (in != null) {
                    io.out().write(in.readAllBytes());
                } else {
                    io.out().print(AutoComplete.bash("splitnve", commandLine(io)));
                }
            }
            io.out().flush();
            return 0;
        }
    }

    /** The build's generator of the bash completion script: writes it to the file {@code args[0]}. */
    public static final class CompletionScript {
        private CompletionScript() {
        }

        public static void main(String[] args) throws IOException {
            java.nio.file.Files.writeString(Path.of(args[0]), AutoComplete.bash("splitnve", commandLine(Io.system())),
                    StandardCharsets.UTF_8);
        }
    }

    /**
     * The start-up cache's training run (hidden): what a CLI call loads, done in one process: the help of
     * every command, a usage error, and an API call to a port where nothing listens.
     */
    @Command(name = "aot-training", hidden = true)
    static final class Train extends IoCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Io quiet = new Io(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()),
                    new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), InputStream.nullInputStream(),
                    io.env());
            List<List<String>> runs = new ArrayList<>();
            List<CommandLine> all = new ArrayList<>();
            collect(commandLine(quiet), all);
            for (CommandLine c : all) {
                if (!c.getCommandSpec().usageMessage().hidden()) {
                    List<String> argv = new ArrayList<>(List.of(c.getCommandSpec().qualifiedName().split(" ")));
                    argv.removeFirst();
                    argv.add("--help");
                    runs.add(argv);
                }
            }
            runs.add(List.of("--version"));
            runs.add(List.of("vm", "strat", "web1"));
            runs.add(List.of("vm", "list", "--api", "http://127.0.0.1:1"));
            runs.add(List.of("vm", "start", "web1", "--api", "http://127.0.0.1:1"));
            runs.add(List.of("show", "tsis", "--api", "http://127.0.0.1:1", "--json"));
            for (List<String> argv : runs) {
                run(argv.toArray(String[]::new), quiet);
            }
            return 0;
        }
    }
}
