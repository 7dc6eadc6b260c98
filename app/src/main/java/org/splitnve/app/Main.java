package org.splitnve.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.splitnve.app.decode.DecodeCommand;
import org.splitnve.wire.vdp.VdpCodec;

/** The {@code splitnve} command line. Exit status: 0 success, 1 failure, 2 usage error. */
public final class Main {
    static final String USAGE = """
            usage: splitnve <command> [options]

            commands:
              decode [FILE.pcap] [--oui HEX]   print every ECP/VDP22 and LLDP/EVB frame of a capture, every
                                               field; without FILE, the embedded lldpad reference capture
              help                             this text

            --oui HEX   the OUI of splitnve extension TLVs (default 0a534e)
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

    private static int usage(String message) {
        System.err.println("splitnve: " + message);
        System.err.print(USAGE);
        return 2;
    }
}
