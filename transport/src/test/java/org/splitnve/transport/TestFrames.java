package org.splitnve.transport;

import java.nio.ByteBuffer;
import org.splitnve.wire.MacAddress;

/** Frames for the transport tests, written octet by octet. */
final class TestFrames {
    private TestFrames() {}

    static final MacAddress NCB = MacAddress.NEAREST_CUSTOMER_BRIDGE;
    /** A non-reserved group address (GAP-1): bridges forward it like any multicast. */
    static final MacAddress GROUP = MacAddress.parse("01:1b:21:00:00:01");

    /**
     * An ECP22 ECPDU (version 1, request, subtype VDP, {@code sequence}) carrying {@code payload} octets
     * of a pattern that depends on the sequence: frames are told apart by content.
     */
    static byte[] ecp(MacAddress dst, MacAddress src, int sequence, int payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + 4 + payload);
        b.put(dst.toBytes()).put(src.toBytes()).putShort((short) 0x8940);
        b.putShort((short) (1 << 12 | 0 << 10 | 1)).putShort((short) sequence);
        for (int i = 0; i < payload; i++) {
            b.put((byte) (sequence * 7 + i));
        }
        return b.array();
    }

    /** An LLDPDU to the nearest bridge: chassis ID (MAC), port ID (name), TTL 120, end. */
    static byte[] lldp(MacAddress src, String port) {
        return lldp(MacAddress.NEAREST_BRIDGE, src, port);
    }

    /** An LLDPDU to {@code dst} (EVB LLDP goes to the nearest customer bridge). */
    static byte[] lldp(MacAddress dst, MacAddress src, String port) {
        byte[] name = port.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(14 + 2 + 7 + 2 + 1 + name.length + 4 + 2);
        b.put(dst.toBytes()).put(src.toBytes()).putShort((short) 0x88CC);
        b.putShort((short) (1 << 9 | 7)).put((byte) 4).put(src.toBytes());
        b.putShort((short) (2 << 9 | (1 + name.length))).put((byte) 5).put(name);
        b.putShort((short) (3 << 9 | 2)).putShort((short) 120);
        b.putShort((short) 0);
        return b.array();
    }

    /** A minimal IPv4/UDP frame: a foreign EtherType. */
    static byte[] ipv4(MacAddress dst, MacAddress src) {
        ByteBuffer b = ByteBuffer.allocate(14 + 28);
        b.put(dst.toBytes()).put(src.toBytes()).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) 28).putInt(0).put((byte) 64).put((byte) 17).putShort((short) 0);
        b.put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2});
        b.putShort((short) 9).putShort((short) 9).putShort((short) 8).putShort((short) 0);
        return b.array();
    }

    /** An ARP request: another foreign EtherType. */
    static byte[] arp(MacAddress src) {
        ByteBuffer b = ByteBuffer.allocate(14 + 28);
        b.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(src.toBytes()).putShort((short) 0x0806);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        b.put(src.toBytes()).put(new byte[] {10, 0, 0, 1}).put(new byte[6]).put(new byte[] {10, 0, 0, 2});
        return b.array();
    }

    /** {@code frame} with a tag (TPID, TCI) written after the source MAC. */
    static byte[] tagged(byte[] frame, int tpid, int tci) {
        ByteBuffer b = ByteBuffer.allocate(frame.length + 4);
        b.put(frame, 0, 12).putShort((short) tpid).putShort((short) tci).put(frame, 12, frame.length - 12);
        return b.array();
    }

    /** {@code frame} as it arrives: padded with zeros to 60 octets when shorter. */
    static byte[] padded(byte[] frame) {
        return frame.length >= 60 ? frame : java.util.Arrays.copyOf(frame, 60);
    }

    static MacAddress source(byte[] frame) {
        return MacAddress.of(java.util.Arrays.copyOfRange(frame, 6, 12));
    }

    static MacAddress destination(byte[] frame) {
        return MacAddress.of(java.util.Arrays.copyOfRange(frame, 0, 6));
    }
}
