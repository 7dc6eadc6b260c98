package org.splitnve.app.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The API's JSON: what the daemons read from requests must be parsed totally (SEC-4: bad input, typed error). */
class JsonTest {

    @Test
    @DisplayName("values round-trip through write and parse, members keep their order")
    void roundTrip() throws Exception {
        Json v = Json.obj("name", "vm1", "n", 42, "neg", -7L, "f", 1.5, "ok", true, "none", null,
                "tsis", List.of(Json.obj("mac", "02:00:00:00:00:01", "ips", List.of("10.0.0.1", "fe80::1"))),
                "esc", "a\"b\\c\n\u0001\u00e9");
        String text = v.write();
        assertThat(Json.parse(text)).isEqualTo(v);
        assertThat(text).startsWith("{\"name\":\"vm1\",\"n\":42,\"neg\":-7,\"f\":1.5,\"ok\":true,\"none\":null,");
        assertThat(text).contains("\\u0001");
        Json p = Json.parse(" {\"a\" : [1, 2e3, -0.5, \"\\u00e9\\/\"] } ");
        assertThat(p.get("a").asList()).hasSize(4);
        assertThat(p.get("a").asList().get(1).asLong(0, 10_000)).isEqualTo(2000L);
        assertThat(p.get("a").asList().get(3).asString()).isEqualTo("\u00e9/");
        assertThat(p.get("missing")).isEqualTo(Json.Null.NULL);
        assertThat(p.get("a").asList().get(2).asLong(-10, 10)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e100", "-9.75e9999", "1e-9999", "0.5e-40", "12345678901234567890123456789012345678901234567890"
            + "1234567890123456789012345678901234567890123456789e-9950", "5000", "0.25", "-1.5e30"})
    @DisplayName("REL-5: a number of any size the parser reads is written back to a text it reads as the same number"
            + " (the fuzzer's finding: 1e100 was written as 101 digits and refused)")
    void largeAndSmallNumbersRoundTrip(String text) throws Exception {
        Json v = Json.parse(text);
        assertThat(v.write().length()).isLessThanOrEqualTo(Json.Parser.MAX_NUMBER_LENGTH);
        assertThat(Json.parse(v.write())).isEqualTo(v);
    }

    @Test
    @DisplayName("REL-5: ordinary numbers keep their plain form; a number beyond the parser's range is refused")
    void numberForms() throws Exception {
        assertThat(Json.parse("[5000, 0.25, 1e3, -1.5e30]").write()).isEqualTo("[5000,0.25,1000,-1500000000000000000000000000000]");
        assertThat(Json.parse("1e100").write()).isEqualTo("1E+100");
        assertThatThrownBy(() -> Json.parse("0.001e-9999")).isInstanceOf(Json.JsonException.class)
                .hasMessageContaining("out of range");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "[1,", "{\"a\":}", "{\"a\" 1}", "{a:1}", "[1 2]", "\"abc", "\"\\x\"", "\"\\u12\"",
            "tru", "nul", "-", "01x", "1.", "1e", "1e99999", "{\"a\":1,\"a\":2}", "[1]x", "\"tab\there\"", "}",
            "-\u0662", "{\"e\":-1,\"\":[-\u0662]}"})
    @DisplayName("malformed text gives a JsonException with an offset, never another exception (SEC-4; REL-5: the"
            + " fuzzer's finding, a minus before a non-ASCII digit threw NumberFormatException)")
    void malformed(String text) {
        assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(Json.JsonException.class)
                .hasMessageContaining("at offset");
    }

    @Test
    @DisplayName("deep nesting is refused, not a stack overflow; random text never throws anything else (SEC-4)")
    void total() {
        assertThatThrownBy(() -> Json.parse("[".repeat(100_000))).isInstanceOf(Json.JsonException.class)
                .hasMessageContaining("nested deeper");
        Random r = new Random(8394);
        String alphabet = "{}[]\",:-.0123456789eEtrufalsn\\/ u\u0001ab";
        int parsed = 0;
        for (int i = 0; i < 50_000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = r.nextInt(24);
            for (int k = 0; k < n; k++) {
                sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            try {
                Json v = Json.parse(sb.toString());
                assertThat(Json.parse(v.write())).isEqualTo(v);
                parsed++;
            } catch (Json.JsonException e) {
                assertThat(e.offset()).isBetween(0, sb.length());
            }
        }
        assertThat(parsed).isPositive();
    }
}
