package org.splitnve.nva.service;

import java.util.List;

/**
 * What one transaction changed, at one revision: a report of an nNVE or one operator action. A revision is never
 * split: a watcher sees all of a change's events that concern it, together (as etcd's watch guarantees).
 *
 * @param revision the revision the change made; revisions increase by one per change, from 1
 * @param source   who made it: an nNVE's name, or {@code operator}
 */
public record Change(long revision, String source, List<ChangeEvent> events) {
    public Change {
        if (revision < 1) {
            throw new IllegalArgumentException("revisions start at 1: " + revision);
        }
        source = source == null ? "" : source;
        events = List.copyOf(events);
    }
}
