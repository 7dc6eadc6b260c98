package org.splitnve.nva.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.splitnve.nva.NveId;
import org.splitnve.nva.service.store.Codec;

/**
 * The anti-entropy digest of a set of resources (docs/nva-protocol.md section 12; NVA-4): how many there are, and
 * the sum (modulo 2<sup>64</sup>) of a 64-bit hash of each one's key and value. The sum does not depend on the
 * order, so the NVA keeps it up to date change by change, and an nNVE's {@link Replica} too, instead of hashing
 * everything again; each side computes the same value from the same resources.
 *
 * <p>The hash of a resource is the first 8 octets (big-endian) of SHA-256 over its key's path in UTF-8, a zero
 * octet, and its value in {@link Codec}'s format 1 (the store's encoding: canonical, the same in every process). A
 * resource that differs in one field, one that is missing, or one too many changes the digest except with
 * probability about 2<sup>-64</sup>.
 *
 * @param count how many resources
 * @param hash  the sum of their hashes
 */
public record Digest(long count, long hash) {
    public static final Digest EMPTY = new Digest(0, 0);

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    });

    /** The digest of these resources (in any order). */
    public static Digest of(Iterable<Resource> resources) {
        long n = 0;
        long h = 0;
        for (Resource r : resources) {
            n++;
            h += hash(r);
        }
        return new Digest(n, h);
    }

    /**
     * The digest of an nNVE's own entries among these resources: its mapping entries and its local tags
     * (section 12, "its own entries"). The nNVE computes it from its engine's state, the NVA from its own.
     */
    public static Digest own(NveId nve, Iterable<Resource> resources) {
        long n = 0;
        long h = 0;
        for (Resource r : resources) {
            if (isOwn(nve, r)) {
                n++;
                h += hash(r);
            }
        }
        return new Digest(n, h);
    }

    static boolean isOwn(NveId nve, Resource r) {
        return (r instanceof Resource.Mapping || r instanceof Resource.Tag) && nve.equals(r.nve());
    }

    /** The 64-bit hash of one resource. */
    public static long hash(Resource r) {
        MessageDigest md = SHA256.get();
        md.update(r.key().path().getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        byte[] d = md.digest(Codec.resource(r));
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = h << 8 | (d[i] & 0xFF);
        }
        return h;
    }

    public Digest plus(Digest o) {
        return new Digest(count + o.count, hash + o.hash);
    }

    Digest plus(long resourceHash) {
        return new Digest(count + 1, hash + resourceHash);
    }

    Digest minus(long resourceHash) {
        return new Digest(count - 1, hash - resourceHash);
    }

    /** The hash as 16 hexadecimal digits (the protocol's {@code "digest": {"count": n, "hash": "…"}}). */
    public String hashHex() {
        return String.format("%016x", hash);
    }

    /** The digest of {@link #hashHex} text and a count. */
    public static Digest of(long count, String hashHex) {
        return new Digest(count, Long.parseUnsignedLong(hashHex, 16));
    }

    /** A digest at a revision: what the NVA computed for an nNVE, or its own entries' digest. */
    public record At(long revision, Digest digest) {
    }

    /** What the NVA made of an acknowledgement's digest (section 12). */
    public enum Audit {
        /** The replica holds exactly the interest at the acknowledged revision. */
        MATCHES,
        /** It does not: the nNVE must list again. The acknowledgement is not recorded. */
        DIVERGED,
        /**
         * No verdict: no digest came, or the NVA no longer knows the interest's digest at that revision (it is
         * older than the change log's start, or than the NVA's start). The acknowledgement is recorded.
         */
        UNCHECKED
    }
}
