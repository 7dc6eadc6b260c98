package org.splitnve.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.splitnve.app.cli.CaptureCommand;
import org.splitnve.app.cli.Io;
import org.splitnve.app.cli.ShowCommand;
import org.splitnve.app.cli.VmCommand;
import org.splitnve.app.cli.WatchCommand;
import org.splitnve.app.daemon.NnveDaemon;
import org.splitnve.app.daemon.TnveDaemon;
import org.splitnve.app.decode.DecodeCommand;
import org.splitnve.app.libvirt.LibvirtHook;
import org.splitnve.app.demo.DemoCommand;
import org.splitnve.wire.vdp.VdpCodec;

/** The {@code splitnve} command line. Exit status: 0 success, 1 failure, 2 usage error. */
public final class Main {
    static final String USAGE = """
            usage: splitnve <command> [options]

            commands:
              demo [--keep] [--memory] [--step-delay MS] [--json]
                                               a whole Split-NVE on this machine: two nNVEs, three hypervisors
                                               (two behind one switch), VMs on three VNs, played through create,
                                               start, pause, suspend, resume, two live migrations, an address
                                               change, an nNVE-initiated deactivate and shutdown, every step
                                               checked; as root in network namespaces over real frames, else
                                               in one process over in-memory links
              decode [FILE.pcap] [--oui HEX]   print every ECP/VDP22 and LLDP/EVB frame of a capture, every
                                               field; without FILE, the embedded lldpad reference capture
              nnve --config FILE               run the External NVE (VDP bridge) daemon until SIGTERM/SIGINT
              tnve --config FILE               run the hypervisor agent (VDP station) daemon until SIGTERM/SIGINT
                                               (SIGHUP reloads FILE; one daemon per interface)

            operating (over a daemon's HTTP API, docs/api.md; `splitnve COMMAND --help` for details):
              vm create NAME --vn ID --mac MAC [--ip IP]... [--start]
                                               define a VM on a tNVE and associate its TSIs (one per --vn)
              vm start|pause|unpause|suspend|resume|shutdown NAME
                                               the VM lifecycle; each returns when the nNVE has answered
              vm migrate NAME --to URL         live migration to another tNVE (make-before-break)
              vm addr NAME --tsi UUID|MAC add|remove|replace IP...
                                               change a TSI's IP addresses
              vm list | vm show NAME           the VMs of a tNVE and their TSIs
              show peers|vns|tsis|tags|status  an nNVE's state as tables
              tags release --port P [--station MAC]  free the local tags an end device holds (SEC-5)
              watch                            live events of a daemon, one line each, until Ctrl-C
              capture IFACE --out FILE.pcap    record ECP and LLDP frames for `decode` (root)
              libvirt-hook GUEST OP SUBOP [EXTRA]
                                               what contrib/libvirt/qemu runs (contrib/libvirt/README.md)
              help                             this text
            common options: --api URL (default tNVE http://127.0.0.1:7481 for vm, nNVE http://127.0.0.1:7480
            for show and watch; env SPLITNVE_API), --token-file FILE (env SPLITNVE_TOKEN or
            SPLITNVE_TOKEN_FILE), --json (the daemon's JSON instead of text), --timeout SECONDS

            Daemon configuration files: docs/configuration.md, examples/nnve.conf, examples/tnve.conf.
            Exit status: 0 success (daemons: after a clean stop); 1 a failure (an interface cannot be
            opened, no daemon answers, the nNVE refused: the reason on stderr); 2 a usage or
            configuration error (configuration mistakes listed on stderr as FILE:LINE: [section] key: message),
            or an interface another splitnve daemon serves.

            --oui HEX   the OUI of splitnve extension TLVs (default 0a534e)

            demo options:
              --keep            leave everything running after the lifecycle, to explore, until Ctrl-C
              --memory          in-memory links even as root (no namespaces, no frames on any interface)
              --step-delay MS   pause between steps (default 1000 on a terminal, 0 otherwise)
              --json            the daemons' events as JSON objects, one a line
            The demo removes what it made (also on Ctrl-C/SIGTERM) and exits with 0 when every step
            reached its expected state, 1 naming the step that did not.
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        return run(args, Io.system());
    }

    /** Runs one command with these streams and this environment; the exit status. */
    public static int run(String[] args, Io io) {
        if (args.length == 0) {
            io.err().print(USAGE);
            return 2;
        }
        List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
        return switch (args[0]) {
            case "decode" -> decode(rest, io);
            case "nnve", "tnve" -> daemon(args[0], rest, io);
            case "vm" -> VmCommand.run(rest, io);
            case "show" -> ShowCommand.run(rest, io);
            case "watch" -> WatchCommand.run(rest, io);
            case "tags" -> org.splitnve.app.cli.TagsCommand.run(rest, io);
            case "capture" -> CaptureCommand.run(rest, io);
            case "libvirt-hook" -> LibvirtHook.run(rest, io);
            case "demo" -> DemoCommand.run(rest, io.out(), io.err());
            case "help", "--help", "-h" -> {
                io.out().print(USAGE);
                yield 0;
            }
            default -> usage(io, "unknown command '" + args[0] + "'");
        };
    }

    private static int decode(List<String> args, Io io) {
        int oui = VdpCodec.DEFAULT_OUI;
        Path file = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--oui")) {
                if (i + 1 >= args.size()) {
                    return usage(io, "--oui needs a value");
                }
                try {
                    oui = Integer.parseInt(args.get(++i).replace("-", "").replace(":", ""), 16);
                } catch (NumberFormatException e) {
                    return usage(io, "--oui takes 6 hex digits, not '" + args.get(i) + "'");
                }
                if ((oui & ~0xFFFFFF) != 0) {
                    return usage(io, "--oui takes 6 hex digits");
                }
            } else if (a.startsWith("-")) {
                return usage(io, "unknown option '" + a + "'");
            } else if (file == null) {
                file = Path.of(a);
            } else {
                return usage(io, "decode takes one file");
            }
        }
        return new DecodeCommand(oui, io.out(), io.err()).run(file).exitStatus();
    }

    /** The configuration file of {@code nnve --config FILE} / {@code tnve --config FILE}, or null after a usage message. */
    static Path configArgument(String command, List<String> args, Io io) {
        if (args.size() == 2 && (args.get(0).equals("--config") || args.get(0).equals("-c"))) {
            return Path.of(args.get(1));
        }
        if (args.size() == 1 && args.get(0).startsWith("--config=")) {
            return Path.of(args.get(0).substring("--config=".length()));
        }
        usage(io, command + " takes --config FILE");
        return null;
    }

    private static int daemon(String command, List<String> args, Io io) {
        Path config = configArgument(command, args, io);
        if (config == null) {
            return 2;
        }
        return command.equals("nnve") ? NnveDaemon.main(config, io.out(), io.err())
                : TnveDaemon.main(config, io.out(), io.err());
    }

    private static int usage(Io io, String message) {
        io.err().println("splitnve: " + message);
        io.err().print(USAGE);
        return 2;
    }
}
