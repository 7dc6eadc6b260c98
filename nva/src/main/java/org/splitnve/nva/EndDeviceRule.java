package org.splitnve.nva;

import org.splitnve.wire.MacAddress;

/**
 * Permission for end devices to use an nNVE (RFC 8394 section 6, SEC-1). {@code port} null means any port,
 * {@code station} null means any station MAC.
 */
public record EndDeviceRule(NveId nve, Integer port, MacAddress station) {
    public EndDeviceRule {
        if (nve == null) {
            throw new IllegalArgumentException("a rule names an nNVE");
        }
        if (port != null && port < 0) {
            throw new IllegalArgumentException("port is not negative: " + port);
        }
    }

    /** Every end device on every port of {@code nve}. */
    public static EndDeviceRule anyOn(NveId nve) {
        return new EndDeviceRule(nve, null, null);
    }

    /** Every end device behind one port. */
    public static EndDeviceRule port(NveId nve, int port) {
        return new EndDeviceRule(nve, port, null);
    }

    /** One station, on whichever port it arrives (it may move). */
    public static EndDeviceRule station(NveId nve, MacAddress station) {
        return new EndDeviceRule(nve, null, station);
    }

    /** One station on one port. */
    public static EndDeviceRule exact(NveId nve, int port, MacAddress station) {
        return new EndDeviceRule(nve, port, station);
    }

    public boolean matches(EndDevice d) {
        return nve.equals(d.nve()) && (port == null || port == d.port())
                && (station == null || station.equals(d.station()));
    }

    @Override
    public String toString() {
        return (station == null ? "*" : station.toString()) + "@" + nve + ":" + (port == null ? "*" : port);
    }
}
