package org.splitnve.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.splitnve.app.daemon.NnveDaemon;
import org.splitnve.app.daemon.TnveDaemon;
import org.splitnve.app.decode.DecodeCommand;
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
              help                             this text

            Daemon configuration files: docs/configuration.md, examples/nnve.conf, examples/tnve.conf.
            Exit status: 0 after a clean stop, 1 when an interface cannot be opened, 2 on a usage or
            configuration error (every mistake listed on stderr as FILE:LINE: [section] key: message).

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
        if (args.length == 0) {
            System.err.print(USAGE);
            return 2;
        }
        List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
        return switch (args[0]) {
            case "decode" -> decode(rest);
            case "nnve", "tnve" -> daemon(args[0], rest);
            case "demo" -> DemoCommand.run(rest, System.out, System.err);
            case "help", "--help", "-h" -> {
                System.out.print(USAGE);
                yield 0;
            }
            default -> usage("unknown command '" + args[0] + "'");
        };
    }

    private static int decode(List<String> args) {
        int oui = VdpCodec.DEFAULT_OUI;
        Path file = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--oui")) {
                if (i + 1 >= args.size()) {
                    return usage("--oui needs a value");
                }
                try {
                    oui = Integer.parseInt(args.get(++i).replace("-", "").replace(":", ""), 16);
                } catch (NumberFormatException e) {
                    return usage("--oui takes 6 hex digits, not '" + args.get(i) + "'");
                }
                if ((oui & ~0xFFFFFF) != 0) {
                    return usage("--oui takes 6 hex digits");
                }
            } else if (a.startsWith("-")) {
                return usage("unknown option '" + a + "'");
            } else if (file == null) {
                file = Path.of(a);
            } else {
                return usage("decode takes one file");
            }
        }
        return new DecodeCommand(oui, System.out, System.err).run(file).exitStatus();
    }

    /** The configuration file of {@code nnve --config FILE} / {@code tnve --config FILE}, or null after a usage message. */
    static Path configArgument(String command, List<String> args) {
        if (args.size() == 2 && (args.get(0).equals("--config") || args.get(0).equals("-c"))) {
            return Path.of(args.get(1));
        }
        if (args.size() == 1 && args.get(0).startsWith("--config=")) {
            return Path.of(args.get(0).substring("--config=".length()));
        }
        usage(command + " takes --config FILE");
        return null;
    }

    private static int daemon(String command, List<String> args) {
        Path config = configArgument(command, args);
        if (config == null) {
            return 2;
        }
        return command.equals("nnve") ? NnveDaemon.main(config, System.out, System.err)
                : TnveDaemon.main(config, System.out, System.err);
    }

    private static int usage(String message) {
        System.err.println("splitnve: " + message);
        System.err.print(USAGE);
        return 2;
    }
}
