package org.splitnve.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.splitnve.wire.testing.FuzzRun;
import tools.jackson.databind.JsonNode;

/**
 * REL-5: coverage-guided fuzzing of {@link JsonCodec#tree}, Jackson as the project configured it (duplicate
 * names, depth and number length refused), the reader of every API request body, the CLI's answers, the libvirt
 * hook's and the tNVE's VM files. The text is read as the API server reads a body (UTF-8). Any text gives a tree
 * or a {@link JsonCodec.Invalid} (syntax) whose offset lies inside the text, nothing else; a tree is written back
 * to a text that reads as the same value (numbers compared by value). Seeds (JsonCodecFuzzTestInputs/tree): the request bodies of docs/api.md
 * and the findings of the hand-written parser it replaces.
 */
@DisplayName("REL-5: the JSON reader (Jackson, configured) under coverage-guided fuzzing")
class JsonCodecFuzzTest {
    private static final FuzzRun RUN = new FuzzRun("JsonCodecFuzzTest.tree");
    private static final Pattern OFFSET = Pattern.compile(" at offset (\\d+)$");

    @FuzzTest(maxDuration = "15s")
    void tree(byte[] body) throws JsonCodec.Invalid {
        RUN.input();
        String text = new String(body, StandardCharsets.UTF_8);
        JsonNode value;
        try {
            value = JsonCodec.tree(text);
        } catch (JsonCodec.Invalid refused) {
            assertThat(refused.syntax()).isTrue();
            assertThat(refused.getMessage()).as("the refusal says why").isNotBlank();
            Matcher m = OFFSET.matcher(refused.getMessage());
            if (m.find()) {
                assertThat(Long.parseLong(m.group(1))).as("offset of the refusal").isBetween(0L, (long) text.length());
            }
            return;
        }
        assertThat(JsonCodecTest.same(JsonCodec.tree(JsonCodec.write(value)), value))
                .as("the value written and read again: %s", JsonCodec.write(value)).isTrue();
    }

    @AfterAll
    static void report() {
        RUN.report();
    }
}
