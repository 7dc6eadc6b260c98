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
    @DisplayName("SEC-5: sources that each repeat an event are tracked while the event's lines of the interval last; "
            + "sources first seen after that share one summary; every occurrence is a line or counted in a summary")
    void sourcesBounded() {
        int sources = EventLog.MAX_SOURCES + 100;
        for (int i = 0; i < sources; i++) {
            MacAddress m = new MacAddress(0x02AB_0000_0000L | i);
            for (int k = 0; k <= EventLog.BURST; k++) {
                log.accept(refused(m, k));
            }
        }
        log.close();
        int tracked = EventLog.NAME_BURST / EventLog.BURST;
        assertThat(lines("request.refused")).hasSize(EventLog.NAME_BURST);
        assertThat(lines("log.suppressed")).as("one summary per tracked source, one for the others")
                .hasSize(tracked + 1)
                .anySatisfy(l -> assertThat(l).contains("source=others")
                        .contains("count=" + (long) (sources - tracked) * (EventLog.BURST + 1)));
        assertThat(lines("request.refused").size() + counted("request.refused"))
                .isEqualTo((long) sources * (EventLog.BURST + 1));
    }

    @Test
    @DisplayName("SEC-5: a flood from made-up stations (a new source MAC per frame: the peer each one makes, the answers "
            + "that go unacknowledged, the peer's expiry) costs NAME_BURST lines per event and interval and one summary "
            + "each, not three lines per frame; a peer that released TSIs is always logged")
    void madeUpStationsLoggedInAggregate() {
        List<Event> tapped = new ArrayList<>();
        log.addTap((at, e) -> tapped.add(e));
        int stations = 20_000;
        for (int i = 0; i < stations; i++) {
            MacAddress m = new MacAddress(0x02AB_0000_0000L | i);
            log.accept(new NnveEvent.PeerUp(0, m, false, false));
            log.accept(new org.splitnve.protocol.ecp.EcpEvent.TransmitError(m, 1, 1));
            log.accept(new NnveEvent.PeerLost(0, m, "idle", 0));
            now.addAndGet(500_000); // 2,000 stations a second: the interval does not pass
        }
        log.accept(new NnveEvent.PeerLost(0, OTHER, "keep-alive timeout", 2));
        assertThat(tapped).hasSize(3 * stations + 1);
        for (String event : List.of("peer.up", "ecp.transmit_error")) {
            assertThat(lines(event)).as(event).hasSize(EventLog.NAME_BURST);
        }
        assertThat(lines("peer.lost")).as("NAME_BURST of the idle ones, and the one that released TSIs")
                .hasSize(EventLog.NAME_BURST + 1)
                .anySatisfy(l -> assertThat(l).contains("station=" + OTHER).contains("tsisReleased=2"));
        now.addAndGet(EventLog.INTERVAL_NANOS);
        log.summarise(false);
        for (String event : List.of("peer.up", "ecp.transmit_error", "peer.lost")) {
            assertThat(lines("log.suppressed")).filteredOn(l -> l.contains("suppressed=" + event + " "))
                    .as("one summary of " + event).singleElement()
                    .satisfies(l -> assertThat(l).contains("source=others"));
            assertThat(counted(event)).as(event).isEqualTo(stations - EventLog.NAME_BURST);
        }
        log.close();
    }

    /** The occurrences of {@code event} counted in summaries. */
    private long counted(String event) {
        return lines("log.suppressed").stream().filter(l -> l.contains("suppressed=" + event + " "))
                .mapToLong(l -> Long.parseLong(l.replaceAll(".* count=(\\d+).*", "$1"))).sum();
    }
}
