package org.splitnve.wire.pcap;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.DecodeError;
import org.splitnve.wire.DecodeException;

/**
 * Reads classic libpcap files (not pcapng): either byte order, microsecond or nanosecond
 * timestamps, link type Ethernet (1) only. A malformed header or record is a {@link DecodeException}
 * naming the record; I/O failures are {@link IOException}s. Streams: one record in memory at a time.
 */
public final class PcapReader implements AutoCloseable {
    public static final int MAGIC_MICROS = 0xA1B2C3D4;
    public static final int MAGIC_NANOS = 0xA1B23C4D;
    public static final int LINKTYPE_ETHERNET = 1;
    /** Largest record accepted, whatever the header's snaplen says (libpcap's own bound). */
    public static final int MAX_RECORD = 262_144;

    private final InputStream in;
    private final boolean swapped;
    private final boolean nanos;
    private final int snaplen;
    private long offset;
    private int count;

    public PcapReader(InputStream in) throws IOException, DecodeException {
        this.in = in;
        byte[] h = new byte[24];
        int n = in.readNBytes(h, 0, 24);
        if (n < 24) {
            throw new DecodeException(DecodeError.WRONG_PROTOCOL, 0, "not a pcap file: " + n + " octets, a header has 24");
        }
        int magicBe = be32(h, 0);
        int magicLe = Integer.reverseBytes(magicBe);
        if (magicLe == MAGIC_MICROS || magicLe == MAGIC_NANOS) {
            swapped = true;
            nanos = magicLe == MAGIC_NANOS;
        } else if (magicBe == MAGIC_MICROS || magicBe == MAGIC_NANOS) {
            swapped = false;
            nanos = magicBe == MAGIC_NANOS;
        } else if (magicBe == 0x0A0D0D0A) {
            throw new DecodeException(DecodeError.WRONG_PROTOCOL, 0, "a pcapng file: save it as classic pcap (editcap -F pcap)");
        } else {
            throw new DecodeException(DecodeError.WRONG_PROTOCOL, 0,
                    "not a pcap file: magic 0x" + Integer.toHexString(magicBe));
        }
        int major = u16(h, 4);
        if (major != 2) {
            throw new DecodeException(DecodeError.UNSUPPORTED_VERSION, 4, "pcap version " + major + ", expected 2");
        }
        snaplen = i32(h, 16);
        int linkType = i32(h, 20) & 0x0FFFFFFF;
        if (linkType != LINKTYPE_ETHERNET) {
            throw new DecodeException(DecodeError.WRONG_PROTOCOL, 20, "link type " + linkType + ", only Ethernet (1) is read");
        }
        offset = 24;
    }

    /** The next record, or null at the end of the file. */
    public PcapRecord next() throws IOException, DecodeException {
        byte[] h = new byte[16];
        int n = in.readNBytes(h, 0, 16);
        if (n == 0) {
            return null;
        }
        int number = count + 1;
        if (n < 16) {
            throw new DecodeException(DecodeError.TRUNCATED, (int) offset,
                    "record " + number + ": header cut after " + n + " of 16 octets");
        }
        long sec = Integer.toUnsignedLong(i32(h, 0));
        long frac = Integer.toUnsignedLong(i32(h, 4));
        int incl = i32(h, 8);
        int orig = i32(h, 12);
        if (frac >= (nanos ? 1_000_000_000L : 1_000_000L)) {
            throw new DecodeException(DecodeError.INVALID_FIELD, (int) offset + 4,
                    "record " + number + ": sub-second field " + frac + " out of range");
        }
        if (incl < 0 || incl > MAX_RECORD || (snaplen > 0 && Integer.compareUnsigned(incl, snaplen) > 0)) {
            throw new DecodeException(DecodeError.OVERSIZED, (int) offset + 8,
                    "record " + number + ": captured length " + Integer.toUnsignedString(incl)
                            + " exceeds snaplen " + snaplen);
        }
        if (Integer.compareUnsigned(orig, incl) < 0) {
            throw new DecodeException(DecodeError.BAD_LENGTH, (int) offset + 12,
                    "record " + number + ": original length " + Integer.toUnsignedString(orig) + " below captured " + incl);
        }
        byte[] data = in.readNBytes(incl);
        if (data.length < incl) {
            throw new DecodeException(DecodeError.TRUNCATED, (int) offset + 16,
                    "record " + number + ": " + data.length + " of " + incl + " octets, the file ends");
        }
        offset += 16 + incl;
        count = number;
        long ts = sec * 1_000_000_000L + (nanos ? frac : frac * 1000);
        return new PcapRecord(number, ts, orig < 0 ? Integer.MAX_VALUE : orig, Bytes.wrap(data));
    }

    public boolean nanosecondTimestamps() {
        return nanos;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private int i32(byte[] b, int off) {
        int v = be32(b, off);
        return swapped ? Integer.reverseBytes(v) : v;
    }

    private int u16(byte[] b, int off) {
        int v = ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
        return swapped ? ((v & 0xFF) << 8) | (v >>> 8) : v;
    }

    private static int be32(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    /** Reads every record of an in-memory file. */
    public static java.util.List<PcapRecord> readAll(byte[] file) throws DecodeException {
        try (PcapReader r = new PcapReader(new java.io.ByteArrayInputStream(file))) {
            java.util.List<PcapRecord> out = new java.util.ArrayList<>();
            for (PcapRecord rec; (rec = r.next()) != null; ) {
                out.add(rec);
            }
            return out;
        } catch (EOFException e) {
            throw new DecodeException(DecodeError.TRUNCATED, file.length, "the file ends early");
        } catch (IOException e) {
            throw new IllegalStateException("in-memory stream failed", e);
        }
    }
}
