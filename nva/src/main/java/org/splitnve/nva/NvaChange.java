package org.splitnve.nva;

import org.splitnve.protocol.event.Event;
import org.splitnve.wire.vdp.TsiAddress;

/**
 * A change of the NVA's state, reported to {@link NvaListener}s in the order it happened, after it is made
 * (so a listener that queries the NVA sees it). Each is also a structured event for logs (SEC-3).
 */
public sealed interface NvaChange extends Event {
    /** The VN changed (its VN ID). */
    int vnId();

    record VnAdded(VnRecord vn) implements NvaChange {
        @Override
        public int vnId() {
            return vn.id();
        }

        @Override
        public String name() {
            return "nva.vn_added";
        }
    }

    /** The VN left the registry; its entries, tags, rules and records went before (each reported). */
    record VnRemoved(VnRecord vn) implements NvaChange {
        @Override
        public int vnId() {
            return vn.id();
        }

        @Override
        public String name() {
            return "nva.vn_removed";
        }
    }

    /** A TSI instance's address became known (SM-TSI-2, mapping) or forwarding (SM-TSI-3). */
    record EntryAdded(TsiInstance instance, TsiAddress address, EntryState state) implements NvaChange {
        @Override
        public int vnId() {
            return instance.vnId();
        }

        @Override
        public String name() {
            return "nva.entry_added";
        }
    }

    /** Activate (mapping -> forwarding, SM-TSI-3) or deactivate (forwarding -> mapping, SM-TSI-4). */
    record EntryStateChanged(TsiInstance instance, TsiAddress address, EntryState from, EntryState to)
            implements NvaChange {
        @Override
        public int vnId() {
            return instance.vnId();
        }

        @Override
        public String name() {
            return "nva.entry_state";
        }
    }

    /** De-associate or an address removed (SM-TSI-5, SM-TSI-6); {@code state} is the one it had. */
    record EntryRemoved(TsiInstance instance, TsiAddress address, EntryState state) implements NvaChange {
        @Override
        public int vnId() {
            return instance.vnId();
        }

        @Override
        public String name() {
            return "nva.entry_removed";
        }
    }

    /** A port update (SM-TSI-6, SM-TSI-7): the entry kept, with its state, now behind {@code to}'s port. */
    record EntryMoved(TsiInstance from, TsiInstance to, TsiAddress address, EntryState state) implements NvaChange {
        @Override
        public int vnId() {
            return to.vnId();
        }

        @Override
        public String name() {
            return "nva.entry_moved";
        }
    }

    /** An nNVE told which local tag it uses for the VN (SM-VAP-2). */
    record LocalTagRecorded(LocalTag tag) implements NvaChange {
        @Override
        public int vnId() {
            return tag.vnId();
        }

        @Override
        public String name() {
            return "nva.local_tag_recorded";
        }
    }

    record LocalTagReleased(LocalTag tag) implements NvaChange {
        @Override
        public int vnId() {
            return tag.vnId();
        }

        @Override
        public String name() {
            return "nva.local_tag_released";
        }
    }
}
