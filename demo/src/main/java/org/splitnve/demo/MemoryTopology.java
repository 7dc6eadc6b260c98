package org.splitnve.demo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.splitnve.transport.MemoryLinks;
import org.splitnve.transport.MemorySwitch;
import org.splitnve.transport.Port;

/** The demo's network in one process: {@link MemoryLinks} for the cables, a {@link MemorySwitch} for the switch. */
final class MemoryTopology implements Topology {
    private final String why;
    private final Map<String, MemoryLinks.End> ends = new HashMap<>();
    private final MemorySwitch sw;

    /** @param why why not network namespaces (for the first line) */
    MemoryTopology(String why) {
        this.why = why;
        MemoryLinks links = new MemoryLinks(8394);
        for (Plan.Iface[] c : Plan.CABLES) {
            MemoryLinks.Link l = links.connect(c[0].toString(), c[0].mac(), c[1].toString(), c[1].mac());
            ends.put(c[0].toString(), l.a());
            ends.put(c[1].toString(), l.b());
        }
        List<Port> switchSide = new ArrayList<>();
        for (int i = 0; i < Plan.SWITCHED.size(); i++) {
            Plan.Iface f = Plan.SWITCHED.get(i);
            MemoryLinks.Link l = links.connect(f.toString(), f.mac(), Plan.SWITCH + "/" + f.node(),
                    Plan.switchPortMac(i));
            ends.put(f.toString(), l.a());
            switchSide.add(l.b());
        }
        sw = new MemorySwitch(Plan.SWITCH, switchSide);
    }

    @Override
    public String describe() {
        return "in-memory links and an in-memory Ethernet switch in one process (" + why + "); the same daemons, "
                + "no network namespaces, no frames on any interface";
    }

    @Override
    public String namespace(String node) {
        return null;
    }

    @Override
    public List<Port> ports(String node, List<String> ifaces) {
        List<Port> out = new ArrayList<>();
        for (String i : ifaces) {
            MemoryLinks.End e = ends.get(node + "/" + i);
            if (e == null) {
                throw new IllegalArgumentException("no interface " + node + "/" + i + " in the plan");
            }
            out.add(e);
        }
        return out;
    }

    @Override
    public List<String> explore() {
        return List.of("everything runs inside this process (in-memory links): there is nothing to capture;"
                + " run the demo as root for network namespaces and real frames");
    }

    @Override
    public void close() {
        sw.close();
    }
}
