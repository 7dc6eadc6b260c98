package org.splitnve.protocol.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.lldp.LldpAgent;
import org.splitnve.wire.MacAddress;

/** The log line of an event (SEC-3): its time, and its fields as values rather than Java's text of a structure. */
class EventFormatTest {
    static final MacAddress PEER = MacAddress.parse("02:00:00:00:00:66");
    /** 2026-12-07T00:31:02.123456789Z as Unix nanoseconds. */
    static final long AT = Instant.parse("2026-12-07T00:31:02.123456789Z").getEpochSecond() * 1_000_000_000L + 123_456_789L;

    /** A made-up event with a list of records, a map and a list of numbers. */
    record Batch(List<Timers> offers, Map<String, Integer> counts, List<Integer> tags, String note) implements Event {
        @Override
        public String name() {
            return "test.batch";
        }
    }

    @Test
    @DisplayName("SEC-3: the time of a log line, text and JSON alike, is RFC 3339 in UTC with microseconds; parsed back "
            + "with java.time it is the event's instant (to the microsecond)")
    void rfc3339() {
        LldpAgent.BadLldp e = new LldpAgent.BadLldp(0, PEER, "truncated");
        String text = EventFormat.logfmt(AT, "tor1", e);
        String json = EventFormat.json(AT, "tor1", e);
        assertThat(text).startsWith("t=2026-12-07T00:31:02.123456Z node=tor1 level=WARN event=lldp.bad_input ");
        assertThat(json).startsWith("{\"t\":\"2026-12-07T00:31:02.123456Z\",\"node\":\"tor1\",");
        Instant expected = Instant.parse("2026-12-07T00:31:02.123456789Z").truncatedTo(ChronoUnit.MICROS);
        for (String t : List.of(field(text, "t=(\\S+)"), field(json, "\"t\":\"([^\"]+)\""))) {
            assertThat(t).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z");
            assertThat(Instant.from(DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(t))).isEqualTo(expected);
        }
        // a whole second keeps its six digits; a time before 1970 too
        assertThat(EventFormat.time(0)).isEqualTo("1970-01-01T00:00:00.000000Z");
        assertThat(EventFormat.time(-1_000)).isEqualTo("1969-12-31T23:59:59.999999Z");
    }

    @Test
    @DisplayName("SEC-3: a record field (the EVB timers) is key=value fields in text (timers.retries=3 ...) and a nested "
            + "object in JSON, not Java's Timers[retries=3, ...]; a record with a text of its own (a MAC) stays that text")
    void recordFields() {
        LldpAgent.PeerEvb e = new LldpAgent.PeerEvb(1, PEER, "STATION", new Timers(7, 31, 31, 25), new Timers(7, 31, 31, 25),
                true);
        String text = EventFormat.logfmt(AT, "tor1", e);
        assertThat(text).doesNotContain("Timers[").endsWith(" port=1 peer=02:00:00:00:00:66 mode=STATION"
                + " peerTimers.retries=7 peerTimers.rte=31 peerTimers.rwd=31 peerTimers.rka=25"
                + " negotiated.retries=7 negotiated.rte=31 negotiated.rwd=31 negotiated.rka=25 extensions=true");
        assertThat(EventFormat.json(AT, "tor1", e)).doesNotContain("Timers[").endsWith(",\"port\":1,\"peer\":\"02:00:00:00:00:66\","
                + "\"mode\":\"STATION\",\"peerTimers\":{\"retries\":7,\"rte\":31,\"rwd\":31,\"rka\":25},"
                + "\"negotiated\":{\"retries\":7,\"rte\":31,\"rwd\":31,\"rka\":25},\"extensions\":true}");
    }

    @Test
    @DisplayName("SEC-3: a collection field is a comma-separated value in text and an array in JSON (numbers stay numbers); "
            + "a collection of records and a map are key.N.member / key.name fields and JSON arrays of objects and objects; "
            + "a value with spaces, quotes or a line break is quoted on one line")
    void collectionFields() {
        Batch b = new Batch(List.of(new Timers(3, 14, 20, 20)), new java.util.TreeMap<>(Map.of("a", 1, "b", 2)),
                List.of(100, 101), "two\nlines \"quoted\"");
        String text = EventFormat.logfmt(AT, "h1", b);
        assertThat(text).endsWith(" offers.0.retries=3 offers.0.rte=14 offers.0.rwd=20 offers.0.rka=20 counts.a=1"
                + " counts.b=2 tags=100,101 note=\"two\\nlines \\\"quoted\\\"\"").doesNotContain("\n");
        assertThat(EventFormat.json(AT, "h1", b)).endsWith(",\"offers\":[{\"retries\":3,\"rte\":14,\"rwd\":20,\"rka\":20}],"
                + "\"counts\":{\"a\":1,\"b\":2},\"tags\":[100,101],\"note\":\"two\\nlines \\\"quoted\\\"\"}");
        assertThat(EventFormat.plainRecord(new Timers(3, 14, 20, 20))).isTrue();
        assertThat(EventFormat.plainRecord(PEER)).as("MacAddress has a text of its own").isFalse();
    }

    private static String field(String line, String regex) {
        Matcher m = Pattern.compile(regex).matcher(line);
        assertThat(m.find()).as("%s in %s", regex, line).isTrue();
        return m.group(1);
    }
}
