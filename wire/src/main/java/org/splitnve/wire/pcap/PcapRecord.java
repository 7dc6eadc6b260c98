package org.splitnve.wire.pcap;

import org.splitnve.wire.Bytes;

/**
 * One captured frame: its number in the file (from 1, as tshark counts), time since the epoch in
 * nanoseconds, the length it had on the wire, and the captured octets.
 */
public record PcapRecord(int number, long timestampNanos, int originalLength, Bytes data) {
    public PcapRecord {
        if (originalLength < data.length()) {
            throw new IllegalArgumentException("original length below captured length");
        }
    }
}
