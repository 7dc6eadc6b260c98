package org.splitnve.daemon.nva;

import org.splitnve.protocol.event.Event;

/** The NVA daemon's own events (its store's are {@code nva.*} {@link org.splitnve.nva.service.ServiceEvent}s). */
public sealed interface NvaEvent extends Event {
    /** The NVA serves: where, over which scheme, on which store, at which history and revision. */
    record Started(String config, String listen, boolean tls, String store, String history, long revision)
            implements NvaEvent {
        @Override
        public String name() {
            return "nva.started";
        }
    }

    /** A [[vn]] of the configuration was added (it was not at the NVA yet: a one-time import, NVA-1). */
    record VnImported(long vn, String alias, long revision) implements NvaEvent {
        @Override
        public String name() {
            return "nva.vn_imported";
        }
    }

    /** A [[vn]] of the configuration was not imported: the NVA has that VN ID already, or refused it. */
    record VnNotImported(long vn, String alias, String why) implements NvaEvent {
        @Override
        public String name() {
            return "nva.vn_not_imported";
        }
    }
}
