package org.splitnve.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.daemon.config.LogSettings;
import org.splitnve.daemon.log.DaemonEvent;
import org.splitnve.daemon.log.EventLog;
import org.splitnve.protocol.event.Event;

/** The event stream's fan-out: bounded per client, a slow client dropped, the log level respected. */
class EventStreamTest {
    static EventLog log(Event.Level level) {
        return new EventLog("n1", new LogSettings(true, level),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("SEC-4: a client that does not read is dropped once it is a queue behind; the log (the engine thread) never waits, others keep their events")
    void slowClientDropped() throws Exception {
        EventLog log = log(Event.Level.INFO);
        EventStream s = new EventStream(log);
        log.addTap(s);
        EventStream.Client slow = s.subscribe();
        EventStream.Client fast = s.subscribe();
        int n = EventStream.QUEUE + 10;
        for (int i = 0; i < n; i++) {
            log.accept(new DaemonEvent.Stopping("event " + i));
            if (i % 100 == 0) {
                while (fast.queue.poll() != null) {
                    // the fast client keeps up
                }
            }
        }
        assertThat(slow.ended).startsWith("too slow");
        assertThat(slow.next(0)).satisfies(m -> assertThat(slow.isEnd(m)).isTrue());
        assertThat(fast.ended).isNull();
        String m = fast.next(1000);
        assertThat(m).startsWith("event: daemon.stopping\ndata: {").endsWith("}\n\n").contains("\"node\":\"n1\"");
        // a dropped client frees its place
        for (int i = 0; i < EventStream.MAX_CLIENTS - 1; i++) {
            assertThat(s.subscribe()).isNotNull();
        }
        assertThat(s.subscribe()).isNull();
    }

    @Test
    @DisplayName("SEC-3: a client gets the events the log logs (its level and above), as the JSON log line")
    void levels() throws Exception {
        EventLog log = log(Event.Level.WARN);
        EventStream s = new EventStream(log);
        log.addTap(s);
        EventStream.Client c = s.subscribe();
        log.accept(new DaemonEvent.Stopping("info: not logged"));
        log.accept(new ApiEvent.Refused("127.0.0.1:1", "GET", "/x", 401, 0, "no token"));
        String m = c.next(1000);
        assertThat(m).startsWith("event: api.refused\n");
        assertThat(c.next(0)).isNull();
        s.closeAll();
        assertThat(c.isEnd(c.next(0))).isTrue();
    }
}
