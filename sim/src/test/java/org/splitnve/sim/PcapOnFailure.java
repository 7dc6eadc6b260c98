package org.splitnve.sim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * JUnit extension: when a test fails, the captures of the simulations it {@link #watch watched} are
 * written to {@code target/sim-failures/<class>.<test>[-n].pcap} for {@code ./splitnve decode},
 * tshark or Wireshark, and the event logs next to them as {@code .events}.
 *
 * <pre>
 * &#64;ExtendWith(PcapOnFailure.class)
 * class MyTest { ... Simulation sim = PcapOnFailure.watch(new Simulation(1)); sim.capture(true); ... }
 * </pre>
 */
public final class PcapOnFailure implements BeforeEachCallback, TestWatcher {
    private static final ThreadLocal<List<Simulation>> WATCHED = ThreadLocal.withInitial(ArrayList::new);

    /** Registers {@code sim} for the running test; returns it. */
    public static Simulation watch(Simulation sim) {
        WATCHED.get().add(sim);
        return sim;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        WATCHED.get().clear();
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        List<Simulation> sims = List.copyOf(WATCHED.get());
        WATCHED.get().clear();
        String base = context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName()
                + context.getDisplayName().replaceAll("[^A-Za-z0-9]+", "_").replaceAll("^(.{0,40}).*", "-$1");
        Path dir = Path.of("target", "sim-failures");
        try {
            Files.createDirectories(dir);
            for (int i = 0; i < sims.size(); i++) {
                Simulation sim = sims.get(i);
                String name = base + (sims.size() > 1 ? "-" + i : "");
                Path pcap = dir.resolve(name + ".pcap");
                sim.writePcap(pcap);
                Files.write(dir.resolve(name + ".events"),
                        sim.eventLog().stream().map(Simulation.LoggedEvent::logfmt).toList());
                System.err.println("failed scenario (seed " + sim.seed() + ", " + sim.captured().size()
                        + " frames): " + pcap.toAbsolutePath());
            }
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public void testSuccessful(ExtensionContext context) {
        WATCHED.get().clear();
    }
}
