package org.splitnve.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The request bodies of the HTTP API (docs/api.md) as records, one per operation: the server reads a body into
 * one (the daemon's {@code Request.body}; a member the record does not declare is a 400 naming it, a member of another type
 * too), then checks its values ({@code Fields}); the CLI and the libvirt hook write the same records. An absent
 * member and {@code null} are the same (the record's component is null) unless said otherwise; clients leave
 * null members out.
 */
public final class Bodies {
    private Bodies() {
    }

    /** A TSI_SPEC: {@code {"id", "vn", "mac", "ips"}}; an absent id is derived from the VM name and MAC. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TsiSpec(String id, Long vn, String mac, List<String> ips) {}

    /** No members at all (the lifecycle operations). */
    public record None() {}

    /** {@code POST /v1/vms} (LC-CREATE). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Create(String name, List<TsiSpec> tsis, Boolean start) {}

    /** {@code POST /v1/vms/{name}/migrate/start} and {@code .../depart}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Migration(String migration) {}

    /** {@code POST /v1/vms/{name}/migrate/prepare} (LC-MIGRATE, the destination). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Prepare(String migration, List<TsiSpec> tsis) {}

    /** {@code POST /v1/vms/{name}/adopt} (REL-1, the libvirt hook's reconnect). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Adopt(String state, List<TsiSpec> tsis) {}

    /** {@code POST /v1/vms/{name}/addresses} (REQ-10). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Addresses(String tsi, String op, List<String> ips) {}

    /**
     * {@code POST /v1/tsis/{id}/deactivate} (REQ-9): without {@code ips} the whole TSI; {@code "ips": null} is
     * refused ({@code Request.has} tells it from an absent member): it would deactivate the whole TSI where a list
     * of addresses was meant.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Deactivate(String reason, List<String> ips) {}

    /** {@code POST /v1/tsis/{id}/deassociate} (REQ-9). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Deassociate(String reason) {}

    /** {@code POST /v1/tags/release} (SEC-5). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ReleaseTags(String port, String station, String reason) {}
}
