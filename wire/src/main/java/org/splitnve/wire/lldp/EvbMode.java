package org.splitnve.wire.lldp;

/** The EVB mode field of the EVB TLV (2 bits). */
public enum EvbMode {
    NOT_SUPPORTED, BRIDGE, STATION, RESERVED
}
