package org.splitnve.transport;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.splitnve.protocol.Clock;
import org.splitnve.protocol.PortAgent;

/**
 * An engine with one timer, as an ECP sender waiting for an acknowledgement: it records, in order,
 * "frame" for each frame and "timer" when its deadline fires (the deadline is then cleared). A test
 * arms the deadline, keeps the engine thread busy past it while a frame arrives, and looks at the order.
 */
final class LateAckAgent implements PortAgent {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final CountDownLatch frame = new CountDownLatch(1);
    private final Clock clock;
    private long deadline = Long.MAX_VALUE;

    LateAckAgent(Clock clock) {
        this.clock = clock;
    }

    /** On the engine thread: the timer fires {@code nanos} from now. */
    void arm(long nanos) {
        deadline = clock.nanos() + nanos;
    }

    @Override
    public void onFrame(int port, byte[] buf, int off, int len) {
        calls.add("frame");
        deadline = Long.MAX_VALUE; // an acknowledgement stops the timer
        frame.countDown();
    }

    @Override
    public void onTimer() {
        if (clock.nanos() >= deadline) {
            calls.add("timer");
            deadline = Long.MAX_VALUE;
        }
    }

    @Override
    public long nextDeadline() {
        return deadline;
    }

    /**
     * Arms a 5 ms timer on the engine thread and keeps that thread busy for 100 ms (a long task, a GC
     * pause) during which {@code send} delivers a frame; returns when the engine has handled the frame.
     */
    static void busyPastDeadline(AgentRunner<LateAckAgent> r, Runnable send) throws Exception {
        CountDownLatch busy = new CountDownLatch(1);
        CompletableFuture<Void> task = r.submit(() -> {
            r.agent().arm(5_000_000L);
            busy.countDown();
            sleep(100);
        });
        busy.await();
        send.run();
        if (!r.agent().frame.await(5, TimeUnit.SECONDS)) {
            throw new AssertionError("the frame never reached the engine");
        }
        task.get(5, TimeUnit.SECONDS); // the busy task ended normally (it ran before the frame)
        r.call(() -> null).get(); // anything the engine did right after the frame is done too
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
