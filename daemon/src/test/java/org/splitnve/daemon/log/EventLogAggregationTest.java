package org.splitnve.daemon.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.daemon.config.LogSettings;
import org.splitnve.nnve.NnveEvent;
import org.splitnve.protocol.event.Event;
import org.splitnve.wire.MacAddress;

/** SEC-5: what one source can repeat at will is logged in aggregate; the taps (metrics, event stream) see it all. */
class EventLogAggregationTest {
    private static final MacAddress FLOODER = MacAddress.parse("02:00:00:00:00:66");
    private static final MacAddress OTHER = MacAddress.parse("02:00:00:00:00:01");

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final AtomicLong now = new AtomicLong(1_700_000_000_000_000_000L);
    private final EventLog log = new EventLog("n1", new LogSettings(false, Event.Level.INFO),
            new PrintStream(bytes, true, StandardCharsets.UTF_8), now::get);

    private List<String> lines(String event) {
        return Arrays.stream(bytes.toString(StandardCharsets.UTF_8).split("\n"))
                .filter(l -> l.contains("event=" + event + " ")).toList();
    }

    private static NnveEvent.Refused refused(MacAddress station, int i) {
        return new NnveEvent.Refused(2, station, "PRE_ASSOCIATE", "tsi-" + i, 4, "the VN is not known");
    }

    @Test
    @DisplayName("SEC-5: 10,000 refusals from one station cost 5 log lines and one summary per interval; another station's refusal is still logged; every refusal reaches the taps")
    void floodLoggedInAggregate() {
        List<Event> tapped = new ArrayList<>();
        log.addTap((at, e) -> tapped.add(e));
        for (int i = 0; i < 10_000; i++) {
            log.accept(refused(FLOODER, i));
            now.addAndGet(100_000); // 10,000 a second
        }
        log.accept(refused(OTHER, 0));

        assertThat(tapped).hasSize(10_001);
        assertThat(lines("request.refused")).hasSize(EventLog.BURST + 1);
        assertThat(lines("request.refused")).filteredOn(l -> l.contains(OTHER.toString())).hasSize(1);
        assertThat(lines("log.suppressed")).as("the interval has not passed yet").isEmpty();

        now.addAndGet(EventLog.INTERVAL_NANOS);
        log.summarise(false);
        assertThat(lines("log.suppressed")).singleElement().satisfies(l -> assertThat(l)
                .contains("source=2/" + FLOODER).contains("count=" + (10_000 - EventLog.BURST))
                .contains("suppressed=request.refused"));

        // still flooding: no new burst of lines, one summary per interval
        for (int i = 0; i < 100; i++) {
            log.accept(refused(FLOODER, i));
        }
        assertThat(lines("request.refused")).hasSize(EventLog.BURST + 1);
        now.addAndGet(EventLog.INTERVAL_NANOS);
        log.summarise(false);
        assertThat(lines("log.suppressed")).hasSize(2).last().satisfies(l -> assertThat(l).contains("count=100"));

        // quiet for a whole interval: forgotten, its next refusal is logged as it comes
        now.addAndGet(EventLog.INTERVAL_NANOS);
        log.summarise(false);
        log.accept(refused(FLOODER, 1));
        assertThat(lines("request.refused")).hasSize(EventLog.BURST + 2);
        log.close();
    }

    @Test
    @DisplayName("SEC-5: a stop logs the counts not reported yet; events nobody can repeat (state changes) are never suppressed")
    void closeReportsTheRest() {
        for (int i = 0; i < 50; i++) {
            log.accept(new NnveEvent.BadInput(1, FLOODER, "TRUNCATED", "frame " + i));
            log.accept(new DaemonEvent.Stopping("not from a peer " + i));
        }
        assertThat(lines("input.bad")).hasSize(EventLog.BURST);
        assertThat(lines("daemon.stopping")).hasSize(50);
        log.close();
        assertThat(lines("log.suppressed")).singleElement().satisfies(l -> assertThat(l)
                .contains("suppressed=input.bad").contains("count=45").contains("source=1/" + FLOODER));
    }

    @Test
    @DisplayName("SEC-5: many flooding sources are tracked up to a bound; the rest share one summary")
    void sourcesBounded() {
        for (int i = 0; i < EventLog.MAX_SOURCES + 100; i++) {
            MacAddress m = new MacAddress(0x02AB_0000_0000L | i);
            for (int k = 0; k <= EventLog.BURST; k++) {
                log.accept(refused(m, k));
            }
        }
        log.close();
        assertThat(lines("log.suppressed")).hasSize(EventLog.MAX_SOURCES + 1)
                .anySatisfy(l -> assertThat(l).contains("source=others"));
    }
}
