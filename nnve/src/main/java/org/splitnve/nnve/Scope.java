package org.splitnve.nnve;

import java.util.HashMap;
import java.util.Map;

/** A port scope: the ports that share local tags (REQ-7), its tag pool and its VAPs. */
final class Scope {
    final String name;
    final LocalTagPool tags;
    final Map<VnKey, Vap> vaps = new HashMap<>();

    Scope(String name, LocalTagPool tags) {
        this.name = name;
        this.tags = tags;
    }
}
