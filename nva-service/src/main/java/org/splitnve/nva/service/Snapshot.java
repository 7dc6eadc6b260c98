package org.splitnve.nva.service;

import java.util.List;

/** A list: every resource of an interest, at one revision, sorted by key (docs/nva-protocol.md section 4.1). */
public record Snapshot(String historyId, long revision, List<Resource> resources) {
    public Snapshot {
        resources = List.copyOf(resources);
    }
}
