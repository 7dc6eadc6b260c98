package org.splitnve.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A command line split into words (positional arguments) and options, both in the order given.
 * Options are {@code --name value}, {@code --name=value} or flags ({@code --json}); {@code --} ends the
 * options. Which options a command takes, and whether each takes a value, is given by the command.
 */
public final class Args {
    /** One option as given: its name with the dashes, and its value (null for a flag). */
    public record Opt(String name, String value) {}

    private final List<String> words;
    private final List<Opt> options;

    private Args(List<String> words, List<Opt> options) {
        this.words = List.copyOf(words);
        this.options = List.copyOf(options);
    }

    /** These words and options, parsed already (by picocli). */
    public static Args of(List<String> words, List<Opt> options) {
        return new Args(words, options);
    }

    /**
     * Parses {@code argv}; {@code known} maps each option this command takes to whether it takes a
     * value. Unknown options, missing values and values given to flags are usage errors.
     */
    public static Args parse(List<String> argv, Map<String, Boolean> known) throws UsageException {
        List<String> words = new ArrayList<>();
        List<Opt> options = new ArrayList<>();
        boolean onlyWords = false;
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (onlyWords || !a.startsWith("--") || (a.length() == 2 && !a.equals("--"))) {
                if (!onlyWords && a.startsWith("-") && a.length() > 1 && !isNumber(a)) {
                    throw new UsageException("unknown option '" + a + "'");
                }
                words.add(a);
                continue;
            }
            if (a.equals("--")) {
                onlyWords = true;
                continue;
            }
            int eq = a.indexOf('=');
            String name = eq < 0 ? a : a.substring(0, eq);
            Boolean valued = known.get(name);
            if (valued == null) {
                throw new UsageException("unknown option '" + name + "'");
            }
            if (!valued) {
                if (eq >= 0) {
                    throw new UsageException(name + " takes no value");
                }
                options.add(new Opt(name, null));
            } else if (eq >= 0) {
                options.add(new Opt(name, a.substring(eq + 1)));
            } else {
                if (i + 1 >= argv.size()) {
                    throw new UsageException(name + " needs a value");
                }
                options.add(new Opt(name, argv.get(++i)));
            }
        }
        return new Args(words, options);
    }

    private static boolean isNumber(String s) {
        return s.length() > 1 && s.substring(1).chars().allMatch(Character::isDigit);
    }

    public List<String> words() {
        return words;
    }

    /** Every option, in the order given (repeated options and groups such as --vn/--mac/--ip). */
    public List<Opt> options() {
        return options;
    }

    public boolean flag(String name) {
        return options.stream().anyMatch(o -> o.name().equals(name));
    }

    /** The value of an option given at most once; null when absent. */
    public String value(String name) throws UsageException {
        String v = null;
        for (Opt o : options) {
            if (o.name().equals(name)) {
                if (v != null) {
                    throw new UsageException(name + " is given twice");
                }
                v = o.value();
            }
        }
        return v;
    }

    /** The value of a required option. */
    public String required(String name) throws UsageException {
        String v = value(name);
        if (v == null) {
            throw new UsageException("missing " + name);
        }
        return v;
    }

    /** A positive whole number option, or {@code otherwise} when absent. */
    public long positive(String name, long otherwise) throws UsageException {
        String v = value(name);
        if (v == null) {
            return otherwise;
        }
        try {
            long n = Long.parseLong(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new UsageException(name + " takes a whole number above 0, not '" + v + "'");
    }

    /** Exactly {@code n} words, else a usage error naming what they are. */
    public List<String> words(int n, String what) throws UsageException {
        if (words.size() < n) {
            throw new UsageException("missing " + what);
        }
        if (words.size() > n) {
            throw new UsageException("unexpected '" + words.get(n) + "'");
        }
        return words;
    }
}
