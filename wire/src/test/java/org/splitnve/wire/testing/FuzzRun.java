package org.splitnve.wire.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What one fuzz test ran (REL-5): how many inputs, for how long, in which mode (regression: the saved
 * inputs of {@code <Test>Inputs/}; fuzzing: Jazzer's coverage-guided run, {@code JAZZER_FUZZ=1}). A
 * fuzz test counts each input with {@link #input()} and calls {@link #report()} from its
 * {@code @AfterAll}; the line goes to standard output and to {@code target/fuzz-runs.txt}, where
 * {@code bench/run-fuzz.sh} and RELIABILITY.md read the figures. Used by one test thread at a time.
 */
public final class FuzzRun {
    private final String target;
    private final long start = System.nanoTime();
    private long inputs;

    public FuzzRun(String target) {
        this.target = target;
    }

    public void input() {
        inputs++;
    }

    public static boolean fuzzing() {
        String v = System.getenv("JAZZER_FUZZ");
        return v != null && !v.isEmpty() && !v.equals("0") && !v.equalsIgnoreCase("false");
    }

    public void report() {
        double seconds = (System.nanoTime() - start) / 1e9;
        String line = String.format("fuzz %s %s: %d inputs in %.1f s (%.0f/s)", fuzzing() ? "fuzzing" : "regression",
                target, inputs, seconds, inputs / Math.max(seconds, 1e-3));
        System.out.println(line);
        try {
            Files.writeString(Path.of("target", "fuzz-runs.txt"), line + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
