package org.splitnve.daemon;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.splitnve.daemon.log.DaemonEvent;
import org.splitnve.daemon.state.TsiJournal;
import org.splitnve.nnve.NnveEngine;
import org.splitnve.nnve.NnveEvent;
import org.splitnve.nnve.SavedTsi;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.wire.vdp.VsiId;

/**
 * REL-2, [state] dir: how the nNVE daemon keeps its {@link TsiJournal}. The engine's events go through {@link #events}:
 * every TSI state change ({@code tsi.state}) and address change ({@code tsi.addresses}, the addresses held too) makes
 * the TSI ID's instances, as they are after it, a journal record, on the engine thread, in the order of the changes.
 * {@link #restore} builds the journal's TSIs again in a new engine before its first frame.
 */
final class Journaling {
    /** The cause the engine gives a restored TSI's state: its record is the one just read. */
    static final String RESTORED = "restored";

    private Journaling() {
    }

    static EventSink events(EventSink log, TsiJournal journal, NnveEngine[] engine) {
        return e -> {
            log.accept(e);
            VsiId changed = switch (e) {
                case NnveEvent.TsiState t when !RESTORED.equals(t.cause()) -> t.tsi();
                case NnveEvent.TsiAddresses a -> a.tsi();
                default -> null;
            };
            if (changed != null && engine[0] != null) {
                journal.changed(changed, engine[0].export(changed));
            }
        };
    }

    /**
     * Restores the TSIs read from the journal into {@code engine} (before its first frame); reports what could not be
     * read or restored; a TSI that could not be restored is dropped from the journal too.
     */
    static void restore(TsiJournal journal, NnveEngine engine, EventSink log) {
        TsiJournal.Loaded l = journal.loaded();
        for (TsiJournal.Problem p : l.problems()) {
            log.accept(new DaemonEvent.StateUnreadable(p.file(), p.reason()));
        }
        long t0 = System.nanoTime();
        int restored = engine.restore(l.tsis());
        long took = System.nanoTime() - t0;
        if (restored < l.tsis().size()) {
            Map<VsiId, Integer> saved = new HashMap<>();
            for (SavedTsi s : l.tsis()) {
                saved.merge(s.id(), 1, Integer::sum);
            }
            saved.forEach((id, n) -> {
                List<SavedTsi> now = engine.export(id);
                if (now.size() != n) {
                    journal.changed(id, now);
                }
            });
        }
        journal.onFailure(reason -> log.accept(new DaemonEvent.StateWriteFailed("TSI journal", reason)));
        log.accept(new DaemonEvent.TsisRestored(journal.dir().toString(), l.tsis().size(), restored, l.entries(),
                l.bytes(), l.nanos() / 1_000_000, took / 1_000_000));
    }
}
