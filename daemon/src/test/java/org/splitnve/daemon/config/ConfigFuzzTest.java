package org.splitnve.daemon.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.splitnve.config.ConfFile;
import org.splitnve.config.ConfigException;
import org.splitnve.wire.testing.FuzzRun;

/**
 * REL-5: coverage-guided fuzzing of the configuration readers, {@code NnveSettings} and
 * {@code TnveSettings}, on the steps of their {@code load(Path)}: the octets as strict UTF-8 (a file that
 * is not UTF-8 is written and loaded, and must be refused), {@link ConfFile#parse} (TOML 1.0, parsed by
 * tomlj, whose classes the fuzzer instruments too; its errors with a line), then {@code from} of both
 * schemas, for a file in a temporary directory (key and token files it names are looked up beside it).
 * In memory, as the file costs 25 times the parse under the fuzzer's hooks. A file gives settings or a
 * {@link ConfigException}; nothing else is thrown, nothing hangs. Seeds (ConfigFuzzTestInputs/load):
 * examples/nnve.conf, examples/tnve.conf, smaller files with every section, the same in TOML's other
 * forms (inline tables, dotted keys, literal and multi-line strings), and escaped NULs in file names.
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
        // what load(Path) does after reading the file: strict UTF-8, the syntax, then the schema
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(file)).toString();
        } catch (CharacterCodingException notUtf8) {
            Files.write(conf, file);
            refused(() -> NnveSettings.load(conf));
            return;
        }
        ConfFile parsed;
        try {
            parsed = ConfFile.parse(conf, text);
        } catch (ConfFile.SyntaxError e) {
            if (e.line < 1) {
                throw new AssertionError("a syntax error on line " + e.line, e);
            }
            return;
        }
        refused(() -> NnveSettings.from(parsed));
        refused(() -> TnveSettings.from(parsed));
    }

    @FunctionalInterface
    interface Load {
        Object load() throws ConfigException;
    }

    /** Settings, or the contract's refusal: a ConfigException with at least one problem. */
    private static void refused(Load load) {
        try {
            load.load();
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
