package org.splitnve.cli;

import org.splitnve.api.JsonCodec;
import org.splitnve.wire.vdp.ReasonCode;

/**
 * A call to a daemon's API that did not succeed: nobody answered, the daemon answered with an error
 * status (its message, the VDP reason code when the nNVE refused, the detail), or the answer was not
 * the JSON the contract promises.
 */
public final class ApiException extends Exception {
    /** What went wrong. */
    public enum Kind { UNREACHABLE, HTTP, TIMEOUT, BAD_ANSWER }

    private final Kind kind;
    private final int status;
    private final String error;
    private final Integer code;
    private final String detail;

    private ApiException(Kind kind, int status, String error, Integer code, String detail, String message) {
        super(message);
        this.kind = kind;
        this.status = status;
        this.error = error;
        this.code = code;
        this.detail = detail;
    }

    public static ApiException unreachable(String url) {
        return new ApiException(Kind.UNREACHABLE, 0, null, null, null,
                "no daemon answers at " + url + ": is it running? (--api)");
    }

    public static ApiException timeout(String url, long seconds) {
        return new ApiException(Kind.TIMEOUT, 0, null, null, null,
                "no answer from " + url + " in " + seconds + " s (--timeout)");
    }

    public static ApiException badAnswer(String url, String what) {
        return new ApiException(Kind.BAD_ANSWER, 0, null, null, null, url + ": " + what);
    }

    /** An error status with the contract's body {@code {"error", "code", "detail"}} (or whatever came). */
    public static ApiException http(int status, String body) {
        String error = null;
        Integer code = null;
        String detail = null;
        try {
            var j = JsonCodec.tree(body);
            error = Table.string(j.path("error"));
            var c = j.path("code");
            code = c.isIntegralNumber() && c.canConvertToInt() && c.intValue() >= -1 && c.intValue() <= 15
                    ? c.intValue() : null;
            detail = Table.string(j.path("detail"));
        } catch (JsonCodec.Invalid e) {
            // not JSON: the text itself is the message
        }
        if (error == null) {
            String text = body.strip();
            error = text.isEmpty() ? "(no message)" : text.length() > 200 ? text.substring(0, 200) + "..." : text;
        }
        StringBuilder m = new StringBuilder().append(status).append(' ').append(error);
        if (code != null && code > 0 && code <= 15) {
            ReasonCode rc = ReasonCode.of(code);
            m.append(" (VDP reason code ").append(error.contains(rc.description()) ? Integer.toString(code) : rc.toString())
                    .append(')');
        } else if (code != null && code == -1 && !error.contains("did not answer")) {
            m.append(" (the nNVE did not answer)");
        }
        if (detail != null && !detail.isBlank() && !error.contains(detail)) {
            m.append(": ").append(detail);
        }
        return new ApiException(Kind.HTTP, status, error, code, detail, m.toString());
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status, 0 when there was none. */
    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    /** The VDP reason code (-1: the nNVE did not answer), or null. */
    public Integer code() {
        return code;
    }

    public String detail() {
        return detail;
    }
}
