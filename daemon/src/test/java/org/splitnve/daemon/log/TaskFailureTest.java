package org.splitnve.daemon.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.daemon.config.LogSettings;
import org.splitnve.protocol.event.Event;

/** SEC-3: a task the daemon does not wait for is not lost when it fails: its failure is logged. */
class TaskFailureTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final EventLog log = new EventLog("n1", new LogSettings(false, Event.Level.INFO),
            new PrintStream(bytes, true, StandardCharsets.UTF_8));

    private String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("SEC-3: a task nothing waits for that fails logs daemon.task_failed (ERROR, the task, the exception); one that succeeds logs nothing")
    void failureLogged() {
        CompletableFuture<Void> fails = new CompletableFuture<>();
        CompletableFuture<Void> succeeds = new CompletableFuture<>();
        log.logFailure("announce", fails);
        log.logFailure("adopt", succeeds);
        assertThat(text()).as("nothing before the tasks end").isEmpty();

        succeeds.complete(null);
        fails.completeExceptionally(new IllegalStateException("the engine refused"));

        assertThat(text().lines()).singleElement().satisfies(l -> assertThat(l).contains("level=ERROR",
                "event=daemon.task_failed", "announce", "IllegalStateException: the engine refused"));
    }
}
