package org.splitnve.libvirt;

/** Domain XMLs as libvirt writes them to its hooks' standard input (virsh dumpxml style). */
final class DomainSamples {
    private DomainSamples() {
    }

    /** A domain with the given metadata (may be empty) and interfaces. */
    static String domain(String name, String metadata, String interfaces) {
        return """
                <domain type='kvm' id='7'>
                  <name>%s</name>
                  <uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>
                  <metadata>
                    <libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">
                      <libosinfo:os id="http://debian.org/debian/12"/>
                    </libosinfo:libosinfo>
                %s
                  </metadata>
                  <memory unit='KiB'>1048576</memory>
                  <currentMemory unit='KiB'>1048576</currentMemory>
                  <vcpu placement='static'>1</vcpu>
                  <resource>
                    <partition>/machine</partition>
                  </resource>
                  <os>
                    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
                    <boot dev='hd'/>
                  </os>
                  <features>
                    <acpi/>
                    <apic/>
                  </features>
                  <cpu mode='host-passthrough' check='none' migratable='on'/>
                  <clock offset='utc'/>
                  <on_poweroff>destroy</on_poweroff>
                  <on_reboot>restart</on_reboot>
                  <on_crash>destroy</on_crash>
                  <devices>
                    <emulator>/usr/bin/qemu-system-x86_64</emulator>
                    <disk type='file' device='disk'>
                      <driver name='qemu' type='qcow2'/>
                      <source file='/var/lib/libvirt/images/%s.qcow2' index='1'/>
                      <target dev='vda' bus='virtio'/>
                      <alias name='virtio-disk0'/>
                      <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>
                    </disk>
                    <controller type='usb' index='0' model='qemu-xhci' ports='15'>
                      <alias name='usb'/>
                    </controller>
                %s
                    <serial type='pty'>
                      <source path='/dev/pts/3'/>
                      <target type='isa-serial' port='0'/>
                    </serial>
                    <console type='pty' tty='/dev/pts/3'>
                      <target type='serial' port='0'/>
                    </console>
                  </devices>
                  <seclabel type='dynamic' model='apparmor' relabel='yes'>
                    <label>libvirt-4dea22b3-1d52-d8f3-2516-782e98ab3fa0</label>
                  </seclabel>
                </domain>
                """.formatted(name, metadata, name, interfaces);
    }

    /** An interface on a libvirt network with a port group. */
    static String networkInterface(String mac, String portgroup, String dev, int slot) {
        return """
                    <interface type='network'>
                      <mac address='%s'/>
                      <source network='overlay' portgroup='%s' portid='0c3e1a84-8f8e-4d5c-9b33-3a2e1f6f2a11' bridge='br-overlay'/>
                      <target dev='%s'/>
                      <model type='virtio'/>
                      <alias name='net%d'/>
                      <address type='pci' domain='0x0000' bus='0x0%d' slot='0x00' function='0x0'/>
                    </interface>
                """.formatted(mac, portgroup, dev, slot, slot);
    }

    /** An interface on a plain Linux bridge (no port group). */
    static String bridgeInterface(String mac, String dev) {
        return """
                    <interface type='bridge'>
                      <mac address='%s'/>
                      <source bridge='br-mgmt'/>
                      <target dev='%s'/>
                      <model type='virtio'/>
                      <alias name='net9'/>
                    </interface>
                """.formatted(mac, dev);
    }

    /** The splitnve metadata element. */
    static String metadata(String attributes, String body) {
        return "    <splitnve:vm xmlns:splitnve=\"" + DomainXml.NS + "\"" + attributes + ">\n" + body + "    </splitnve:vm>\n";
    }
}
