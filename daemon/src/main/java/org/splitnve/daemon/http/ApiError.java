package org.splitnve.daemon.http;

/**
 * A request that cannot be answered with success: the HTTP status and the error body
 * {@code {"error", "code", "detail"}} (docs/api.md). {@code code} is the VDP reason code when the
 * nNVE refused (422), -1 when it did not answer (504), 0 otherwise.
 */
public final class ApiError extends Exception {
    private final int status;
    private final int code;
    private final String detail;
    private final long retryAfterSeconds;

    public ApiError(int status, String message, int code, String detail) {
        this(status, message, code, detail, 0);
    }

    private ApiError(int status, String message, int code, String detail, long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.detail = detail == null ? "" : detail;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 429 with {@code Retry-After: seconds}: this source has called too often (a limit per source address). */
    public static ApiError tooMany(String message, long seconds) {
        return new ApiError(429, message, 0, "", seconds);
    }

    /** The seconds of a {@code Retry-After} header (0: none). */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public static ApiError badRequest(String message) {
        return new ApiError(400, message, 0, "");
    }

    public static ApiError notFound(String message) {
        return new ApiError(404, message, 0, "");
    }

    public static ApiError conflict(String message) {
        return new ApiError(409, message, 0, "");
    }

    public int status() {
        return status;
    }

    public int code() {
        return code;
    }

    public String detail() {
        return detail;
    }

    /** The error body, {@code {"error", "code", "detail"}}. */
    public record Body(String error, int code, String detail) {}

    public Body body() {
        return new Body(getMessage(), code, detail);
    }
}
