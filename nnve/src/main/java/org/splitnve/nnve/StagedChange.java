package org.splitnve.nnve;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.splitnve.wire.vdp.TsiAddressTlv;

/**
 * The address fragments of one TSI's change (one transaction, REQ-10) received before its LAST
 * fragment, by fragment index, and what they cost: counted against the limits of the TSI's change, its
 * peer and its port as each arrives (SEC-5), dropped when the change never completes in time.
 */
final class StagedChange {
    final int transaction;
    /** When its first fragment arrived: the change is dropped one keep-alive timeout later. */
    final long since;
    final TreeMap<Integer, TsiAddressTlv> byIndex = new TreeMap<>();
    int octets;
    int addresses;

    StagedChange(int transaction, long since) {
        this.transaction = transaction;
        this.since = since;
    }

    /** The fragments in index order, for {@link TsiAddressTlv#join}. */
    List<TsiAddressTlv> fragments() {
        return new ArrayList<>(byIndex.values());
    }
}
