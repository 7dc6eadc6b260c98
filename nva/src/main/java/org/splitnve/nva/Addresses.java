package org.splitnve.nva;

import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.splitnve.wire.vdp.TsiAddress;

/** Address helpers shared by the records and the in-memory tables. */
final class Addresses {
    private Addresses() {
    }

    /** Whether {@code ip} lies in {@code net/len}; false across families. */
    static boolean contains(InetAddress net, int len, InetAddress ip) {
        byte[] n = net.getAddress();
        byte[] a = ip.getAddress();
        if (n.length != a.length) {
            return false;
        }
        int full = len / 8;
        for (int i = 0; i < full; i++) {
            if (n[i] != a[i]) {
                return false;
            }
        }
        int rest = len % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF00 >>> rest) & 0xFF;
        return (n[full] & mask) == (a[full] & mask);
    }

    /** Whether the address is one host (a MAC, a /32 or a /128), not a range. */
    static boolean isHost(TsiAddress a) {
        return a.ip() == null || a.prefixLength() == (a.family() == 4 ? 32 : 128);
    }

    /**
     * The addresses in VN {@code vnId}, without the GroupID (the VN is the instance's), duplicates dropped,
     * order kept; null if one names another VN.
     */
    static List<TsiAddress> normalise(List<TsiAddress> in, int vnId) {
        Set<TsiAddress> out = new LinkedHashSet<>();
        for (TsiAddress a : in) {
            if (a.groupId() != null) {
                if (a.groupId() != vnId) {
                    return null;
                }
                a = new TsiAddress(a.ip(), a.prefixLength(), a.mac(), null);
            }
            out.add(a);
        }
        return List.copyOf(out);
    }

    /** The first address of {@code in} that names a VN other than {@code vnId}, or null. */
    static TsiAddress otherVn(List<TsiAddress> in, int vnId) {
        for (TsiAddress a : in) {
            if (a.groupId() != null && a.groupId() != vnId) {
                return a;
            }
        }
        return null;
    }
}
