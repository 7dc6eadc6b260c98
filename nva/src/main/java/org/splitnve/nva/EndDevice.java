package org.splitnve.nva;

import org.splitnve.wire.MacAddress;

/**
 * An end device (hypervisor, tNVE) as an nNVE sees it: the nNVE, the nNVE port it arrives on and the
 * station MAC address of its VDP messages (REQ-2: several end devices may share one port).
 */
public record EndDevice(NveId nve, int port, MacAddress station) {
    public EndDevice {
        if (nve == null || station == null) {
            throw new IllegalArgumentException("an end device has an nNVE and a station MAC");
        }
        if (port < 0) {
            throw new IllegalArgumentException("port is not negative: " + port);
        }
    }

    @Override
    public String toString() {
        return station + "@" + nve + ":" + port;
    }
}
