package org.splitnve.sim;

import java.util.Objects;
import java.util.function.Function;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.PortIo;
import org.splitnve.wire.MacAddress;

/** A node running an engine: the agent the factory built with this host's {@link PortIo}. */
public final class Host extends Node {
    private final PortAgent agent;

    Host(Simulation sim, String name, int index, MacAddress[] macs, Function<PortIo, ? extends PortAgent> factory) {
        super(sim, name, index, macs);
        this.agent = Objects.requireNonNull(factory.apply(io()), "the factory returned no agent");
    }

    @Override
    public PortAgent agent() {
        return agent;
    }

    /** The agent as its own type. */
    public <T extends PortAgent> T agent(Class<T> type) {
        return type.cast(agent);
    }
}
