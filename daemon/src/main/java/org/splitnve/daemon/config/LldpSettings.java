package org.splitnve.daemon.config;

/** [lldp]: whether LLDPDUs with the EVB TLV are sent, how often (seconds) and with what TTL. */
public record LldpSettings(boolean enabled, long intervalSeconds, int ttl) {
}
