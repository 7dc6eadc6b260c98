package org.splitnve.protocol;

import org.splitnve.wire.lldp.EvbTlv;

/**
 * ECP and VDP timer exponents as the EVB TLV carries them (times are 10 us x 2^exponent), and the
 * durations derived from them. Both sides use max(own, peer) of each ({@link #negotiate}).
 *
 * @param retries R: ECP retransmissions before a transmit error
 * @param rte     ECP retransmission timer exponent
 * @param rwd     VDP resource wait delay exponent
 * @param rka     VDP reinit keep-alive exponent
 */
public record Timers(int retries, int rte, int rwd, int rka) {
    /** lldpad's defaults: R=3, RTE=14 (164 ms), RWD=20, RKA=20 (10.5 s). */
    public static final Timers STANDARD = new Timers(3, 14, 20, 20);

    public Timers {
        if (retries < 0 || retries > 7 || rte < 0 || rte > 31 || rwd < 0 || rwd > 31 || rka < 0 || rka > 31) {
            throw new IllegalArgumentException("R is 3 bits; RTE, RWD and RKA 5 bits");
        }
    }

    /**
     * The most a peer's announced timers count for (SEC-10): R 7, RTE 17 (1.3 s per acknowledgement),
     * RWD 22 and RKA 22 (42 s). A peer announcing more is taken as announcing these, so no LLDPDU can
     * make a bridge keep a silent station's TSIs for hours (RKA 31 is six hours) or wait minutes per ECPDU.
     */
    public static final Timers PEER_MAX = new Timers(7, 17, 22, 22);

    public static Timers of(EvbTlv tlv) {
        return new Timers(tlv.retries(), tlv.rte(), tlv.rwd(), tlv.rka());
    }

    /** max(own, peer) of each value (802.1Q 41.5.5.7, 41.5.5.9). */
    public Timers negotiate(Timers peer) {
        return new Timers(Math.max(retries, peer.retries), Math.max(rte, peer.rte), Math.max(rwd, peer.rwd),
                Math.max(rka, peer.rka));
    }

    /** min(this, max) of each value: a peer's announced timers clamped to {@code max} (SEC-10). */
    public Timers clampTo(Timers max) {
        return new Timers(Math.min(retries, max.retries), Math.min(rte, max.rte), Math.min(rwd, max.rwd),
                Math.min(rka, max.rka));
    }

    /** ECP acknowledgement timeout: 10 us x 2^RTE. */
    public long ackTimeoutNanos() {
        return EvbTlv.nanos(rte);
    }

    /** Time ECP spends on one ECPDU before a transmit error: (1 + R) acknowledgement timeouts. */
    public long deliveryNanos() {
        return (1L + retries) * ackTimeoutNanos();
    }

    /** Station keep-alive period: 10 us x 2^RKA after the last response. */
    public long keepAliveNanos() {
        return EvbTlv.nanos(rka);
    }

    /**
     * How long a bridge keeps a VSI without a refresh: 1.5 x ((1 + 2R) x 10 us x 2^RTE + 10 us x 2^RKA)
     * (the formula lldpad implements; SM-TIMER).
     */
    public long bridgeKeepAliveTimeoutNanos() {
        return 3 * ((1L + 2L * retries) * ackTimeoutNanos() + keepAliveNanos()) / 2;
    }

    /** How long a station waits for a response: 1.5 x ((1 + 2R) x 10 us x 2^RTE + 10 us x 2^RWD). */
    public long responseTimeoutNanos() {
        return 3 * ((1L + 2L * retries) * ackTimeoutNanos() + EvbTlv.nanos(rwd)) / 2;
    }
}
