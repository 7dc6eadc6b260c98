package org.splitnve.wire.pcap;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes classic libpcap files: little-endian, microsecond timestamps, link type Ethernet, snaplen
 * 262144: the format tshark, tcpdump and {@link PcapReader} read.
 */
public final class PcapWriter implements AutoCloseable {
    private final OutputStream out;
    private final byte[] hdr = new byte[16];

    public PcapWriter(OutputStream out) throws IOException {
        this.out = out;
        byte[] h = new byte[24];
        le32(h, 0, PcapReader.MAGIC_MICROS);
        h[4] = 2; // version 2.4
        h[6] = 4;
        le32(h, 16, PcapReader.MAX_RECORD);
        le32(h, 20, PcapReader.LINKTYPE_ETHERNET);
        out.write(h);
    }

    /** Appends one frame captured at {@code timestampNanos} since the epoch. */
    public void write(long timestampNanos, byte[] frame, int offset, int length) throws IOException {
        if (length > PcapReader.MAX_RECORD) {
            throw new IllegalArgumentException("frame of " + length + " octets");
        }
        le32(hdr, 0, (int) (timestampNanos / 1_000_000_000L));
        le32(hdr, 4, (int) (timestampNanos % 1_000_000_000L / 1000));
        le32(hdr, 8, length);
        le32(hdr, 12, length);
        out.write(hdr);
        out.write(frame, offset, length);
    }

    public void write(long timestampNanos, byte[] frame) throws IOException {
        write(timestampNanos, frame, 0, frame.length);
    }

    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    private static void le32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }
}
