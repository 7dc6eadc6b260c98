package org.splitnve.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The JSON the daemons read from requests, files and answers (Jackson as {@link JsonCodec} configures it): text
 * that is not exactly one JSON value, and JSON that is not the record asked for, are refused with a typed
 * {@link JsonCodec.Invalid} naming the member, never another exception (SEC-4); what is written reads back the
 * same (REL-5).
 */
class JsonCodecTest {
    /** The same JSON value: numbers by their value (3, 3.0 and 3e0 are one number), the rest by equality. */
    static boolean same(JsonNode a, JsonNode b) {
        return a.equals((x, y) -> x.isNumber() && y.isNumber() ? x.decimalValue().compareTo(y.decimalValue())
                : x.equals(y) ? 0 : 1, b);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"name\": \"vm1\"", "[1,", "{\"a\":}", "{\"a\" 1}", "{a:1}", "[1 2]", "\"abc", "\"\\x\"", "\"\\u12\"",
            "tru", "nul", "-", "01x", "1.", "1e", "[1]x", "{\"a\":1} {}", "\"tab\there\"", "}", "-\u0662",
            "{\"e\":-1,\"\":[-\u0662]}", "NaN", "[1,]", "{\"a\":1,}", "// c\n1", "'a'"})
    @DisplayName("SEC-4: malformed text (also text after the value, comments, NaN, trailing commas) is an Invalid "
            + "saying where, never another exception (REL-5: the hand-written parser's fuzzer findings are kept as cases)")
    void malformed(String text) {
        assertThatThrownBy(() -> JsonCodec.tree(text)).isInstanceOf(JsonCodec.Invalid.class)
                .satisfies(e -> assertThat(((JsonCodec.Invalid) e).syntax()).isTrue())
                .satisfies(e -> assertThat(e.getMessage()).isNotBlank().doesNotContain("REDACTED", "StreamReadConstraints"));
    }

    @Test
    @DisplayName("SEC-4: a member name that appears twice is refused (STRICT_DUPLICATE_DETECTION), at any depth")
    void duplicateNames() throws Exception {
        assertThatThrownBy(() -> JsonCodec.tree("{\"name\":\"a\",\"name\":\"b\"}")).isInstanceOf(JsonCodec.Invalid.class)
                .hasMessageContaining("\"name\"");
        assertThatThrownBy(() -> JsonCodec.tree("{\"tsis\":[{\"vn\":1,\"vn\":2}]}")).isInstanceOf(JsonCodec.Invalid.class)
                .hasMessageContaining("\"vn\"");
        assertThat(JsonCodec.tree("[{\"vn\":1},{\"vn\":2}]").size()).isEqualTo(2);
    }

    @Test
    @DisplayName("SEC-4: nesting beyond 64 levels and numbers beyond 120 characters are refused, not a stack overflow; "
            + "random text never throws anything but Invalid")
    void bounded() throws Exception {
        assertThat(JsonCodec.tree("[".repeat(JsonCodec.MAX_DEPTH) + "]".repeat(JsonCodec.MAX_DEPTH)).isArray()).isTrue();
        assertThatThrownBy(() -> JsonCodec.tree("[".repeat(JsonCodec.MAX_DEPTH + 1) + "]".repeat(JsonCodec.MAX_DEPTH + 1)))
                .isInstanceOf(JsonCodec.Invalid.class).hasMessage("Document nesting depth (65) exceeds the maximum allowed (64)");
        assertThatThrownBy(() -> JsonCodec.tree("[".repeat(100_000))).isInstanceOf(JsonCodec.Invalid.class);
        assertThat(JsonCodec.tree("1" + "0".repeat(JsonCodec.MAX_NUMBER_LENGTH - 1)).isNumber()).isTrue();
        assertThatThrownBy(() -> JsonCodec.tree("1" + "0".repeat(JsonCodec.MAX_NUMBER_LENGTH)))
                .isInstanceOf(JsonCodec.Invalid.class).hasMessageContaining("length");
        Random r = new Random(8394);
        String alphabet = "{}[]\",:-.0123456789eEtrufalsn\\/ u\u0001ab";
        int read = 0;
        for (int i = 0; i < 50_000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = r.nextInt(24);
            for (int k = 0; k < n; k++) {
                sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            try {
                JsonNode v = JsonCodec.tree(sb.toString());
                assertThat(same(JsonCodec.tree(JsonCodec.write(v)), v)).as(sb.toString()).isTrue();
                read++;
            } catch (JsonCodec.Invalid e) {
                assertThat(e.syntax()).isTrue();
            }
        }
        assertThat(read).isPositive();
    }

    @Test
    @DisplayName("SEC-4, REL-5: a number whose exponent BigDecimal cannot hold is an Invalid, not a NumberFormatException"
            + " (the fuzzer's finding)")
    void exponentBeyondLimits() {
        String text = "55555500000000000000000000000000000000000000000000000000000000E000000000800000000000000000"
                + "8000000000000000000000793279535";
        assertThatThrownBy(() -> JsonCodec.tree(text)).isInstanceOf(JsonCodec.Invalid.class)
                .satisfies(e -> assertThat(((JsonCodec.Invalid) e).syntax()).isTrue())
                .hasMessageContaining("exponent");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e100", "-9.75e9999", "1e-9999", "5000", "0.25", "-1.5e30", "[1,2e3,-0.5,\"\\u00e9\\/\"]",
            "{\"a\":\"a\\\"b\\\\c\\n\\u0001\\u00e9\",\"n\":null,\"t\":true}"})
    @DisplayName("REL-5: what is read is written back to a text that reads as the same value (the hand-written parser's "
            + "finding: 1e100 was written as 101 digits and refused)")
    void roundTrip(String text) throws Exception {
        JsonNode v = JsonCodec.tree(text);
        assertThat(same(JsonCodec.tree(JsonCodec.write(v)), v)).as(JsonCodec.write(v)).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"vn\": \"5000\"}                          | vn         | vn: expected an integer, found a string",
        "{\"vn\": 1.5}                               | vn         | vn: expected an integer",
        "{\"vn\": 5e3}                               | vn         | vn: expected an integer",
        "{\"vn\": true}                              | vn         | vn: expected an integer",
        "{\"mac\": 5}                                | mac        | mac: expected a string, found an integer",
        "{\"mac\": false}                            | mac        | mac: expected a string, found true or false",
        "{\"ips\": \"10.0.0.1\"}                     | ips        | ips: expected a list, found a string",
        "{\"ips\": [\"10.0.0.1\", 7]}                | ips[1]     | ips[1]: expected a string, found an integer",
        "{\"vn\": 99999999999999999999999}           | vn         | vn: expected an integer",
    })
    @DisplayName("SEC-4: a member of another JSON type is refused naming it, never coerced (\"5000\" is not 5000, "
            + "1.5 not 1, 7 not \"7\")")
    void noCoercion(String body, String field, String message) {
        assertThatThrownBy(() -> JsonCodec.read(body, Bodies.TsiSpec.class)).isInstanceOf(JsonCodec.Invalid.class)
                .hasMessageStartingWith(message)
                .satisfies(e -> assertThat(((JsonCodec.Invalid) e).field()).isEqualTo(field))
                .satisfies(e -> assertThat(((JsonCodec.Invalid) e).syntax()).isFalse());
    }

    @Test
    @DisplayName("SEC-4: a member the record does not declare is refused naming it and the known ones, at any depth; "
            + "so is a value of the wrong shape where a record or a list is expected")
    void unknownMembers() throws Exception {
        assertThatThrownBy(() -> JsonCodec.read("{\"name\": \"vm1\", \"strat\": true}", Bodies.Create.class))
                .isInstanceOf(JsonCodec.Invalid.class)
                .hasMessage("strat: unknown member (known: name, tsis, start)");
        assertThatThrownBy(() -> JsonCodec.read("{\"tsis\": [{\"vn\": 1}, {\"vn\": 2, \"vlan\": 3}]}", Bodies.Create.class))
                .isInstanceOf(JsonCodec.Invalid.class)
                .hasMessage("tsis[1].vlan: unknown member (known: id, vn, mac, ips)");
        assertThatThrownBy(() -> JsonCodec.read("{\"tsis\": [5]}", Bodies.Create.class))
                .hasMessageStartingWith("tsis[0]: expected an object {\"id\", \"vn\", \"mac\", \"ips\"}");
        assertThatThrownBy(() -> JsonCodec.read("{\"tsis\": {}}", Bodies.Create.class))
                .hasMessageStartingWith("tsis: expected a list, found an object");
        assertThatThrownBy(() -> JsonCodec.read("{\"anything\": 1}", Bodies.None.class))
                .hasMessage("anything: unknown member (known: )");
    }

    @Test
    @DisplayName("absent members and null read as null; records are written in declaration order; request bodies "
            + "leave null members out, answers write them")
    void recordsBothWays() throws Exception {
        Bodies.Create c = JsonCodec.read("{\"name\": \"vm1\", \"start\": null, \"tsis\": [{\"mac\": \"52:54:00:00:00:01\","
                + " \"vn\": 5000}]}", Bodies.Create.class);
        assertThat(c).isEqualTo(new Bodies.Create("vm1", List.of(new Bodies.TsiSpec(null, 5000L, "52:54:00:00:00:01",
                null)), null));
        assertThat(JsonCodec.write(c)).isEqualTo("{\"name\":\"vm1\",\"tsis\":[{\"vn\":5000,\"mac\":\"52:54:00:00:00:01\"}]}");
        // answers write them: the daemon's view records, AnswerJsonTest (daemon/src/test/.../http)
        assertThat(JsonCodec.quote("a\"b\\c\n\u0001")).isEqualTo("\"a\\\"b\\\\c\\n\\u0001\"");
    }
}
