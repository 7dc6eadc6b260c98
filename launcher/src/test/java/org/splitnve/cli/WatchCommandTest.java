package org.splitnve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.config.ConfFile;
import org.splitnve.daemon.NnveDaemon;
import org.splitnve.daemon.config.ApiSettings;
import org.splitnve.daemon.config.NnveSettings;
import org.splitnve.launcher.MainAccess;
import org.splitnve.transport.MemoryLinks;

/**
 * {@code splitnve watch} when the daemon stops (issue 9): the daemon's stop is its last line and it exits 0;
 * with {@code --follow} it reconnects to the daemon started again and goes on. Real nNVE daemons in this
 * process (one in-memory port each), their APIs on loopback.
 */
class WatchCommandTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** An nNVE daemon with its API at {@code port} (0: any free port). */
    private static NnveDaemon nnve(int port, MemoryLinks links) throws Exception {
        NnveSettings s = NnveSettings.from(ConfFile.parse(Path.of("watch.conf"), """
                [nnve]
                name = "nnve-watch"
                [lldp]
                enabled = false
                [log]
                format = "json"
                [[nva.vn]]
                id = 5000
                alias = "blue"
                vni = 500
                [[port]]
                interface = "mem0"
                """)).withApi(new ApiSettings(new InetSocketAddress(java.net.InetAddress.ofLiteral("127.0.0.1"), port), null));
        return NnveDaemon.start(s, "watch.conf", new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                List.of(links.connect().a()));
    }

    private static String url(NnveDaemon d) {
        return "http://127.0.0.1:" + d.api().address().getPort();
    }

    /** Makes the daemon log an event: a request for a path it does not have (api.refused, 404). */
    private static void poke(String url, String path) throws Exception {
        HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).build(), HttpResponse.BodyHandlers.discarding());
    }

    private static void until(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited 20 s for: " + what);
            }
            Thread.sleep(20);
        }
    }

    /** A watch running on its own thread, with its streams. */
    private static final class Watch {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final AtomicInteger status = new AtomicInteger(-1);
        final Thread thread;

        Watch(String url, String... args) {
            Io io = new Io(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                    new ByteArrayInputStream(new byte[0]), Map.of("SPLITNVE_API", url));
            String[] argv = new String[args.length + 1];
            argv[0] = "watch";
            System.arraycopy(args, 0, argv, 1, args.length);
            thread = Thread.ofPlatform().name("watch").start(() -> status.set(MainAccess.run(io, argv)));
        }

        String out() {
            return out.toString(StandardCharsets.UTF_8);
        }

        String err() {
            return err.toString(StandardCharsets.UTF_8);
        }

        int await() throws InterruptedException {
            thread.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(thread.isAlive()).as("watch still runs; stdout:%n%s%nstderr:%n%s", out(), err()).isFalse();
            return status.get();
        }
    }

    @Test
    @DisplayName("the daemon stops: watch prints the daemon's stop (daemon.stopping, its cause) as its last event line, "
            + "says so and exits 0")
    void daemonStops() throws Exception {
        MemoryLinks links = new MemoryLinks(7);
        NnveDaemon d = nnve(0, links);
        String url = url(d);
        Watch w = new Watch(url);
        try {
            until("watch is connected", () -> {
                poke(url, "/v1/nothing-here");
                return w.out().contains("api.refused");
            });
        } finally {
            d.stop("operator test stop");
            d.close();
        }
        assertThat(w.await()).as("stdout:%n%s%nstderr:%n%s", w.out(), w.err()).isZero();
        List<String> lines = w.out().lines().toList();
        assertThat(lines.getLast()).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} nnve-watch daemon\\.stopping cause=\"operator test stop\"");
        assertThat(w.err()).isEqualTo("watching " + url + " (Ctrl-C to stop)\nthe daemon at " + url + " stopped\n");
    }

    @Test
    @DisplayName("--follow: when the daemon stops, watch reconnects (backing off) to the daemon started again on the same "
            + "address and prints its events; it ends on Ctrl-C (an interrupt) with status 0")
    void follow() throws Exception {
        MemoryLinks links = new MemoryLinks(8);
        NnveDaemon first = nnve(0, links);
        int port = first.api().address().getPort();
        String url = url(first);
        Watch w = new Watch(url, "--follow", "--json");
        NnveDaemon second = null;
        try {
            until("watch is connected", () -> {
                poke(url, "/v1/first-daemon");
                return w.out().contains("/v1/first-daemon");
            });
            first.stop("restart");
            first.close();
            until("watch saw the stop", () -> w.out().contains("\"event\":\"daemon.stopping\""));
            // a moment with no daemon at all: watch keeps trying
            until("watch tried a daemon that is not there", () -> w.err().contains("no daemon answers at " + url));
            second = nnve(port, links);
            until("watch is connected again", () -> {
                poke(url, "/v1/second-daemon");
                return w.out().contains("/v1/second-daemon");
            });
            assertThat(w.err()).contains("the daemon at " + url + " stopped; reconnecting (--follow)",
                    "trying again in ", "watching " + url + " again");
            assertThat(w.thread.isAlive()).isTrue();
        } finally {
            w.thread.interrupt();
            if (second != null) {
                second.stop("test done");
                second.close();
            }
        }
        assertThat(w.await()).isZero();
    }
}
