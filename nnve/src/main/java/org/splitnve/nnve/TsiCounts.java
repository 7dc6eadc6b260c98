package org.splitnve.nnve;

/** How many TSI instances are in each state but INIT (the metrics' gauge), kept as transitions happen. */
final class TsiCounts {
    private long associated;
    private long activated;

    void moved(TsiState from, TsiState to) {
        add(from, -1);
        add(to, 1);
    }

    private void add(TsiState s, long d) {
        switch (s) {
            case INIT -> { }
            case ASSOCIATED -> associated += d;
            case ACTIVATED -> activated += d;
        }
    }

    long of(TsiState s) {
        return switch (s) {
            case INIT -> 0;
            case ASSOCIATED -> associated;
            case ACTIVATED -> activated;
        };
    }
}
