package org.splitnve.dataplane;

import org.splitnve.dataplane.openflow.Match;

/** What identifies a flow in an OpenFlow switch: table, priority and match (a strict flow-mod addresses exactly one). */
public record FlowKey(int table, int priority, Match match) {
    public FlowKey {
        if (table < 0 || table > 254 || priority < 0 || priority > 0xffff) {
            throw new IllegalArgumentException("table " + table + " / priority " + priority + " out of range");
        }
    }
}
