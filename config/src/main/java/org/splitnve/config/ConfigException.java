package org.splitnve.config;

import java.util.List;

/** Everything wrong with a configuration file, one precise message per mistake ("FILE:LINE: ..."). */
public final class ConfigException extends Exception {
    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
