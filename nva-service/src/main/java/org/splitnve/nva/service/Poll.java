package org.splitnve.nva.service;

import java.util.List;

/** What a {@link Watch} returns (docs/nva-protocol.md section 4). */
public sealed interface Poll {
    /**
     * The changes after the watch's position that concern its interest, in revision order, each whole, and the
     * revision the watcher has now seen everything up to (also when no change concerned it: a progress mark, as
     * etcd's progress notification; the nNVE may acknowledge it).
     */
    record Changes(List<Change> changes, long revision) implements Poll {
        public Changes {
            changes = List.copyOf(changes);
        }
    }

    /**
     * NVA-4: the NVA no longer has the changes after the watch's position (compacted, another history, or a
     * revision it never reached): the watcher lists everything again and watches from the list's revision.
     */
    record TooOld(String historyId, long compactedThrough, long revision) implements Poll {
    }
}
