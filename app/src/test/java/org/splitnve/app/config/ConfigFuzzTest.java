package org.splitnve.app.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.splitnve.wire.testing.FuzzRun;

/**
 * REL-5: coverage-guided fuzzing of the configuration readers, {@code NnveSettings.load} and
 * {@code TnveSettings.load}, as the daemons call them: the input is written to a file in a temporary
 * directory (so files it names, key and token files, are looked up beside it) and read by both. A
 * file gives settings or a {@link ConfigException}; nothing else is thrown, nothing hangs. Seeds
 * (ConfigFuzzTestInputs/load): examples/nnve.conf, examples/tnve.conf and smaller files with every
 * section.
 */
@DisplayName("REL-5: the configuration readers under coverage-guided fuzzing")
class ConfigFuzzTest {
    private static final FuzzRun RUN = new FuzzRun("ConfigFuzzTest.load");
    private static Path dir;

    @FuzzTest(maxDuration = "15s")
    void load(byte[] file) throws IOException {
        RUN.input();
        if (dir == null) {
            dir = Files.createTempDirectory("splitnve-config-fuzz");
        }
        Path conf = dir.resolve("fuzz.conf");
        Files.write(conf, file);
        try {
            NnveSettings.load(conf);
        } catch (ConfigException refused) {
            // the contract: a typed refusal with its problems
            if (refused.problems().isEmpty()) {
                throw new AssertionError("a ConfigException without a problem", refused);
            }
        }
        try {
            TnveSettings.load(conf);
        } catch (ConfigException refused) {
            if (refused.problems().isEmpty()) {
                throw new AssertionError("a ConfigException without a problem", refused);
            }
        }
    }

    @AfterAll
    static void report() throws IOException {
        RUN.report();
        if (dir != null) {
            Files.deleteIfExists(dir.resolve("fuzz.conf"));
            Files.deleteIfExists(dir);
        }
    }
}
