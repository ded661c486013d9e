package io.carbridge.http;

import java.time.Duration;
import java.util.Optional;

/**
 * A request the bridge refuses on purpose (a webhook delivery, an admin call, a Connect page): the status of the
 * answer, a stable reason that metrics, logs and clients such as the console tell cases apart by, and a message safe to
 * show its sender, which never holds a request header or a secret. Each route's error handling turns it into that
 * route's kind of answer (a JSON error, an HTML page). Expected, so it carries no stack trace: a flood of bad requests
 * costs no more than the requests themselves.
 */
public final class RequestRefused extends RuntimeException {

    private final int status;
    private final String reason;
    private final Duration retryAfter;

    public RequestRefused(int status, String reason, String message) {
        this(status, reason, message, null);
    }

    /** @param retryAfter what a 429 or 503 asks the client to wait, or null */
    public RequestRefused(int status, String reason, String message, Duration retryAfter) {
        super(message, null, false, false);
        this.status = status;
        this.reason = reason;
        this.retryAfter = retryAfter;
    }

    public static RequestRefused badRequest(String message) {
        return new RequestRefused(400, "bad_request", message);
    }

    public static RequestRefused notFound(String what) {
        return new RequestRefused(404, "not_found", what + " not found");
    }

    public static RequestRefused conflict(String message) {
        return new RequestRefused(409, "conflict", message);
    }

    public int status() {
        return status;
    }

    /** A stable label: {@code signature}, {@code malformed_json}, {@code not_found}, {@code client_limited}, ... */
    public String reason() {
        return reason;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
