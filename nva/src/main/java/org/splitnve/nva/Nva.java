package org.splitnve.nva;

/**
 * The Network Virtualization Authority as an nNVE sees it: VN registry, authorisation policy, mapping and
 * forwarding tables and local-tag registry, with change notifications. Calls are synchronous and cheap.
 * Whether an implementation may be called from several threads is its own to say ({@link InMemoryNva}: no).
 */
public interface Nva extends VnRegistry, AuthorisationPolicy, MappingTable, LocalTagRegistry {
    void addListener(NvaListener listener);

    void removeListener(NvaListener listener);
}
