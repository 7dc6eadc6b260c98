package org.splitnve.dataplane;

import java.util.List;
import java.util.Objects;

/**
 * What a hypervisor's switch must do for the tNVE (DP-4), as data: the model {@link HypervisorPipeline#flows} turns
 * into flows once the switch has said which OpenFlow port number each named port has. Built from the tNVE's model: the
 * local tag each nNVE returned for a TSI over VDP and whether the TSI passes traffic (Activated, its VM running).
 *
 * @param attachments one per TSI and uplink on which the nNVE holds it (associated or activated)
 */
public record HypervisorState(List<Attachment> attachments) {
    public HypervisorState {
        attachments = List.copyOf(attachments);
    }

    /** How a port is found among the switch's ports (OpenFlow port description). */
    public sealed interface PortRef {
        /** By interface name: libvirt names a VM's tap vnet0, vnet1, ...; a trunk by its interface. */
        record Named(String name) implements PortRef {
            public Named {
                Objects.requireNonNull(name);
            }

            @Override
            public String toString() {
                return name;
            }
        }

        /**
         * By MAC: the port whose MAC is the TSI's, or the TSI's with the first octet fe (libvirt gives a VM's tap the
         * guest's MAC with fe in front, so that the host's bridge does not take the guest's address as its own).
         */
        record ByMac(long mac) implements PortRef {
            @Override
            public String toString() {
                return "port with MAC " + Pipeline.mac(mac);
            }
        }
    }

    /**
     * A TSI's attachment to the hypervisor's switch on one uplink.
     *
     * @param tsi    the TSI's ID (for people: flows say why they exist)
     * @param port   the TSI's port (its VM's interface)
     * @param mac    the TSI's MAC
     * @param trunk  the port toward the nNVE of this uplink
     * @param tag    the local tag the nNVE returned for the TSI over VDP (1-4094)
     * @param passes true while the TSI is Activated and its VM runs: only then does the switch carry its frames
     */
    public record Attachment(String tsi, PortRef port, long mac, PortRef trunk, int tag, boolean passes) {
        public Attachment {
            Objects.requireNonNull(tsi);
            Objects.requireNonNull(port);
            Objects.requireNonNull(trunk);
            if (tag < 1 || tag > 4094) {
                throw new IllegalArgumentException("local tag " + tag + " is not a VLAN ID (1-4094)");
            }
            if (mac < 0 || mac > 0xffffffffffffL) {
                throw new IllegalArgumentException("MAC " + Long.toHexString(mac) + " is not 48 bits");
            }
        }
    }
}
