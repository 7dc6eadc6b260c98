package org.splitnve.protocol.auth;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The pre-shared keys of one peer, or of every peer behind a port (RFC 8394 REQ-11, GAP-11): each a
 * 32-bit key ID and at least {@link #MIN_KEY_LENGTH} octets of key material. One key is
 * <em>current</em>: it signs what this side sends. Every key in the ring is <em>accepted</em>: frames
 * signed with any of them verify. That is how a key is rotated without dropping an association:
 *
 * <ol>
 * <li>{@link #withKey} the new key on both sides (both accept it, both still send with the old one);
 * <li>{@link #withCurrent} the new key on each side (each now sends with it; the peer accepts both);
 * <li>{@link #without} the old key once neither side sends with it (frames with its ID are then
 * refused as {@code UNKNOWN_KEY}).
 * </ol>
 *
 * <p>An immutable value: every change returns a new ring. Key material is copied in and never handed
 * out; {@link #toString()} shows key IDs only. Key IDs are shown unsigned.
 */
public final class KeyRing {
    /** Fewest octets of key material: the output size of SHA-256 (RFC 2104 section 3). */
    public static final int MIN_KEY_LENGTH = 32;
    /** Most keys one ring holds: rotation needs two; a few more leave room for staged keys. */
    public static final int MAX_KEYS = 8;

    private final int[] ids;
    private final byte[][] material;
    private final int current;

    private KeyRing(int[] ids, byte[][] material, int current) {
        this.ids = ids;
        this.material = material;
        this.current = current;
    }

    /** A ring with one key, the current one. */
    public static KeyRing of(int keyId, byte[] keyMaterial) {
        return new KeyRing(new int[] {keyId}, new byte[][] {checkMaterial(keyId, keyMaterial)}, 0);
    }

    /** This ring and one more accepted key (not current). */
    public KeyRing withKey(int keyId, byte[] keyMaterial) {
        if (indexOf(keyId) >= 0) {
            throw new IllegalArgumentException("key ID " + Integer.toUnsignedString(keyId) + " is already in the ring");
        }
        if (ids.length == MAX_KEYS) {
            throw new IllegalArgumentException("a ring holds at most " + MAX_KEYS + " keys");
        }
        byte[] m = checkMaterial(keyId, keyMaterial);
        int[] newIds = Arrays.copyOf(ids, ids.length + 1);
        byte[][] newMaterial = Arrays.copyOf(material, material.length + 1);
        newIds[ids.length] = keyId;
        newMaterial[ids.length] = m;
        return new KeyRing(newIds, newMaterial, current);
    }

    /** This ring with {@code keyId} (already in it) as the key to send with. */
    public KeyRing withCurrent(int keyId) {
        int i = indexOf(keyId);
        if (i < 0) {
            throw new IllegalArgumentException("key ID " + Integer.toUnsignedString(keyId) + " is not in the ring");
        }
        return i == current ? this : new KeyRing(ids, material, i);
    }

    /** This ring without {@code keyId} (retired: no longer accepted). The current key cannot be retired. */
    public KeyRing without(int keyId) {
        int i = indexOf(keyId);
        if (i < 0) {
            throw new IllegalArgumentException("key ID " + Integer.toUnsignedString(keyId) + " is not in the ring");
        }
        if (i == current) {
            throw new IllegalArgumentException("key ID " + Integer.toUnsignedString(keyId)
                    + " is the current key: switch to another one before retiring it");
        }
        int[] newIds = new int[ids.length - 1];
        byte[][] newMaterial = new byte[ids.length - 1][];
        for (int j = 0, k = 0; j < ids.length; j++) {
            if (j != i) {
                newIds[k] = ids[j];
                newMaterial[k] = material[j];
                k++;
            }
        }
        return new KeyRing(newIds, newMaterial, current > i ? current - 1 : current);
    }

    /** The key ID this side signs with. */
    public int currentId() {
        return ids[current];
    }

    /** Whether frames signed with {@code keyId} are accepted. */
    public boolean accepts(int keyId) {
        return indexOf(keyId) >= 0;
    }

    /** The accepted key IDs, in the order they were added. */
    public List<Integer> ids() {
        List<Integer> l = new ArrayList<>(ids.length);
        for (int id : ids) {
            l.add(id);
        }
        return Collections.unmodifiableList(l);
    }

    public int size() {
        return ids.length;
    }

    /** Whether both rings hold the same material under {@code keyId} (false when either lacks it). */
    public boolean sameKey(int keyId, KeyRing other) {
        int i = indexOf(keyId);
        int j = other.indexOf(keyId);
        return i >= 0 && j >= 0 && Arrays.equals(material[i], other.material[j]);
    }

    /** The material of an accepted key, not copied: callers in this package never change or leak it. */
    byte[] material(int keyId) {
        int i = indexOf(keyId);
        if (i < 0) {
            throw new IllegalArgumentException("key ID " + Integer.toUnsignedString(keyId) + " is not in the ring");
        }
        return material[i];
    }

    int indexOf(int keyId) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == keyId) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] checkMaterial(int keyId, byte[] keyMaterial) {
        if (keyMaterial == null) {
            throw new IllegalArgumentException("key ID " + Integer.toUnsignedString(keyId) + " has no key material");
        }
        if (keyMaterial.length < MIN_KEY_LENGTH) {
            throw new IllegalArgumentException("key ID " + Integer.toUnsignedString(keyId) + " has "
                    + keyMaterial.length + " octets of key material, at least " + MIN_KEY_LENGTH + " are required");
        }
        boolean allSame = true;
        for (byte b : keyMaterial) {
            allSame &= b == keyMaterial[0];
        }
        if (allSame) {
            throw new IllegalArgumentException("key ID " + Integer.toUnsignedString(keyId)
                    + " has key material of one repeated octet: not a key");
        }
        return keyMaterial.clone();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("KeyRing[current=").append(Integer.toUnsignedString(ids[current]))
                .append(", accepted=");
        for (int i = 0; i < ids.length; i++) {
            sb.append(i == 0 ? "" : ",").append(Integer.toUnsignedString(ids[i]));
        }
        return sb.append(']').toString();
    }
}
