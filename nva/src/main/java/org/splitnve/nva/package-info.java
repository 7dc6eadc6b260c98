/**
 * The Network Virtualization Authority (NVA) that the nNVE talks to (RFC 8394 sections 3 and 6;
 * draft-kreeger-nvo3-hypervisor-nve-cp sections 3 and 4).
 *
 * <p>{@link org.splitnve.nva.Nva} is the whole contract, made of four small parts:
 * <ul>
 *   <li>{@link org.splitnve.nva.VnRegistry}: VN Name, VN ID, VN Alias, VN Context, service type and
 *       profile of every VN (ID-1, ID-4, SM-VAP-2);</li>
 *   <li>{@link org.splitnve.nva.AuthorisationPolicy}: which end devices may use which nNVE, which TSIs may
 *       join which VN, trusted or validated provisioning (SEC-1, SEC-2);</li>
 *   <li>{@link org.splitnve.nva.MappingTable}: the mapping (Associated) and forwarding (Activated) entries
 *       the nNVEs report per TSI instance (SM-TSI-2..SM-TSI-7);</li>
 *   <li>{@link org.splitnve.nva.LocalTagRegistry}: which local tag an nNVE uses for a VN in which port
 *       scope (SM-VAP-2).</li>
 * </ul>
 * Every change is reported to {@link org.splitnve.nva.NvaListener}s as an {@link org.splitnve.nva.NvaChange},
 * which is also a structured {@link org.splitnve.protocol.event.Event} (SEC-3).
 *
 * <p>Calls are synchronous and cheap (hash lookups): the nNVE engine calls them on its hot path. Refusals
 * are values ({@link org.splitnve.nva.Decision.Refused} with a {@link org.splitnve.nva.Refusal}), never
 * exceptions; exceptions mean a caller bug (a null, an out-of-range number). The interfaces say nothing
 * about storage: {@link org.splitnve.nva.InMemoryNva} keeps everything in memory, a durable store can
 * implement the same contract.
 */
package org.splitnve.nva;
