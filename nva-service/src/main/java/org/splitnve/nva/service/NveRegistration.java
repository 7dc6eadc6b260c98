package org.splitnve.nva.service;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * One nNVE in the NVA's NVE registry (docs/nva-protocol.md section 3.5): its name, the underlay address of its
 * VTEP (where other NVEs send its VNs' traffic), and the VNs it serves (its interest: what the NVA sends it, and
 * the flood list of each VN).
 *
 * @param vns VN IDs; each compared as the unsigned number it is
 */
public record NveRegistration(org.splitnve.nva.NveId nve, InetAddress vtep, Set<Integer> vns) {
    public NveRegistration {
        Objects.requireNonNull(nve, "nve");
        Objects.requireNonNull(vtep, "vtep");
        TreeSet<Integer> sorted = new TreeSet<>(Integer::compareUnsigned);
        sorted.addAll(vns);
        vns = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(sorted));
    }

    public ResourceKey key() {
        return ResourceKey.nve(nve);
    }

    public boolean serves(int vnId) {
        return vns.contains(vnId);
    }

    public NveRegistration withVns(Set<Integer> served) {
        return new NveRegistration(nve, vtep, served);
    }
}
