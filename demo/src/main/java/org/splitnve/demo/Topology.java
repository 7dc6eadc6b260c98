package org.splitnve.demo;

import java.util.List;
import org.splitnve.transport.Port;

/**
 * Where the demo's daemons run: network namespaces joined by veth pairs and a Linux bridge (real
 * frames, raw sockets; root), or in-memory links and an in-memory switch in this process. The
 * daemons are the same; only their ports differ.
 */
sealed interface Topology extends AutoCloseable permits NetnsTopology, MemoryTopology {
    /** What the demo runs on, for its first line. */
    String describe();

    /** The network namespace a node's interfaces are in, or null (in-memory: no namespaces). */
    String namespace(String node);

    /**
     * The open ports of a node's interfaces, in this order, for a daemon to take over; null when the
     * daemon opens them itself (raw sockets in the node's namespace, as its configuration says).
     */
    List<Port> ports(String node, List<String> ifaces);

    /** What a person can look at while the demo keeps running (commands, names). */
    List<String> explore();

    /** Removes everything the topology made; safe to call twice and from a shutdown hook. */
    @Override
    void close();
}
