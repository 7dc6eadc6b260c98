package org.splitnve.wire.ethernet;

/** An 802.1Q (TPID 0x8100) or 802.1ad (0x88A8) tag: PCP, DEI, VID. */
public record VlanTag(int tpid, int pcp, boolean dei, int vid) {
    public static final int CTAG = 0x8100;
    public static final int STAG = 0x88A8;

    public VlanTag {
        if (tpid != CTAG && tpid != STAG) {
            throw new IllegalArgumentException("TPID must be 0x8100 or 0x88a8");
        }
        if (pcp < 0 || pcp > 7 || vid < 0 || vid > 4095) {
            throw new IllegalArgumentException("PCP is 3 bits, VID 12 bits");
        }
    }

    public static VlanTag ctag(int vid) {
        return new VlanTag(CTAG, 0, false, vid);
    }

    public int tci() {
        return (pcp << 13) | (dei ? 0x1000 : 0) | vid;
    }

    public static VlanTag ofTci(int tpid, int tci) {
        return new VlanTag(tpid, (tci >>> 13) & 7, (tci & 0x1000) != 0, tci & 0xFFF);
    }
}
