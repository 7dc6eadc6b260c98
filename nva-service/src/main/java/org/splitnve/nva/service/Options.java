package org.splitnve.nva.service;

import java.time.Duration;

/**
 * Settings of a {@link RevisionedNva}.
 *
 * @param maxLogEvents     how many events the change log keeps (at least the newest change, whatever its size);
 *                         older changes are compacted away and a watch from before them gets {@link Poll.TooOld}
 * @param duplicateMoves   N of RFC 7432 section 15.1: the N-th move of an address within {@code duplicateWindow}
 *                         makes it a duplicate (frozen until an operator clears it)
 * @param duplicateWindow  M of RFC 7432 section 15.1
 */
public record Options(int maxLogEvents, int duplicateMoves, Duration duplicateWindow) {
    /** 100,000 events; N 5 moves in M 180 s (3 minutes), RFC 7432's defaults. */
    public static final Options DEFAULT = new Options(100_000, 5, Duration.ofMinutes(3));

    public Options {
        if (maxLogEvents < 1) {
            throw new IllegalArgumentException("the change log keeps at least one event: " + maxLogEvents);
        }
        if (duplicateMoves < 2) {
            throw new IllegalArgumentException("duplicate detection needs N of at least 2 moves: " + duplicateMoves);
        }
        if (duplicateWindow == null || duplicateWindow.isNegative() || duplicateWindow.isZero()) {
            throw new IllegalArgumentException("the duplicate window M is positive");
        }
    }

    public Options withMaxLogEvents(int n) {
        return new Options(n, duplicateMoves, duplicateWindow);
    }
}
