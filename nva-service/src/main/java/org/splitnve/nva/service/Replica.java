package org.splitnve.nva.service;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What an nNVE holds of the NVA (NVA-3, NVA-4; docs/nva-protocol.md section 4): the resources of its interest at a
 * revision of a history, kept up to date by a list and then the watch's changes. Reads are local and never wait
 * on the NVA. {@link #apply} answers false on {@link Poll.TooOld}: the owner lists again and calls
 * {@link #reset}.
 *
 * <p>Not thread-safe: one owner (the nNVE's NVA client thread) applies and reads, or hands copies on.
 */
public final class Replica {
    private final Map<ResourceKey, Resource> resources = new HashMap<>();
    private final Consumer<ChangeEvent> listener;
    private String historyId;
    private long revision = -1;
    private long resyncs;
    /** Lists applied ({@link #reset}), the first included. */
    private long resets;
    /** The digest of everything held (docs/nva-protocol.md section 12), kept change by change. */
    private Digest digest = Digest.EMPTY;

    /** @param listener told of each event applied (a put, a removal, a withdrawal addressed to this nNVE) */
    public Replica(Consumer<ChangeEvent> listener) {
        this.listener = listener;
    }

    public Replica() {
        this(e -> { });
    }

    /** Replaces everything with a list's result (the first sync, and each full resync after "too old"). */
    public void reset(Snapshot s) {
        if (historyId != null) {
            resyncs++;
        }
        resets++;
        resources.clear();
        for (Resource r : s.resources()) {
            resources.put(r.key(), r);
        }
        digest = Digest.of(resources.values());
        historyId = s.historyId();
        revision = s.revision();
    }

    /** Applies a poll's changes; false when the NVA answered "too old" (nothing applied: list and reset). */
    public boolean apply(Poll p) {
        return switch (p) {
            case Poll.TooOld t -> false;
            case Poll.Changes c -> {
                for (Change ch : c.changes()) {
                    for (ChangeEvent e : ch.events()) {
                        switch (e) {
                            case ChangeEvent.Put put -> {
                                Resource had = resources.put(put.key(), put.resource());
                                if (had != null) {
                                    digest = digest.minus(Digest.hash(had));
                                }
                                digest = digest.plus(Digest.hash(put.resource()));
                            }
                            case ChangeEvent.Removed r -> {
                                Resource had = resources.remove(r.key());
                                if (had != null) {
                                    digest = digest.minus(Digest.hash(had));
                                }
                            }
                            case ChangeEvent.Withdrawal w -> {
                            }
                        }
                        listener.accept(e);
                    }
                }
                revision = Math.max(revision, c.revision());
                yield true;
            }
        };
    }

    /** Whether it has been listed once (before that, it holds nothing and knows no revision). */
    public boolean synced() {
        return historyId != null;
    }

    public String historyId() {
        return historyId;
    }

    /** The revision it holds everything of its interest up to (what the nNVE acknowledges); -1 before a list. */
    public long revision() {
        return revision;
    }

    /**
     * The digest of everything it holds, at {@link #revision()} (section 12): what the nNVE's acknowledgement
     * carries, for the NVA to compare with its own ({@link RevisionedNva#acknowledge(org.splitnve.nva.NveId, long,
     * Digest)}).
     */
    public Digest digest() {
        return digest;
    }

    /** How many full resyncs it went through (lists after the first). */
    public long resyncs() {
        return resyncs;
    }

    /**
     * How many lists replaced everything ({@link #reset}, the first included): a reader that follows the changes one
     * by one (the listener) reads everything again when this moved.
     */
    public long resets() {
        return resets;
    }

    public Optional<Resource> get(ResourceKey k) {
        return Optional.ofNullable(resources.get(k));
    }

    public Map<ResourceKey, Resource> view() {
        return Collections.unmodifiableMap(resources);
    }

    /** Every resource, sorted by key: what {@link RevisionedNva#list} of the same interest returns. */
    public List<Resource> sorted() {
        List<Resource> out = new ArrayList<>(resources.values());
        out.sort((a, b) -> a.key().compareTo(b.key()));
        return out;
    }
}
