package org.splitnve.app.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.splitnve.wire.testing.FuzzRun;

/**
 * REL-5: coverage-guided fuzzing of {@link Json#parse}, the parser of every API request body, the
 * CLI's answers and the libvirt hook's. The body is read as the API server reads it (UTF-8). Any text
 * gives a value or a {@link Json.JsonException} with an offset inside the text; a value is written back
 * to a text that parses to the same value. Seeds (JsonFuzzTestInputs/parse): the request bodies of
 * docs/api.md.
 */
@DisplayName("REL-5: the JSON parser under coverage-guided fuzzing")
class JsonFuzzTest {
    private static final FuzzRun RUN = new FuzzRun("JsonFuzzTest.parse");

    @FuzzTest(maxDuration = "15s")
    void parse(byte[] body) throws Json.JsonException {
        RUN.input();
        String text = new String(body, StandardCharsets.UTF_8);
        Json value;
        try {
            value = Json.parse(text);
        } catch (Json.JsonException refused) {
            assertThat(refused.offset()).as("offset of the refusal").isBetween(0, text.length());
            return;
        }
        assertThat(Json.parse(value.write())).as("the value written and parsed again").isEqualTo(value);
    }

    @AfterAll
    static void report() {
        RUN.report();
    }
}
