package io.carbridge.admin;

import java.time.Duration;
import java.util.Optional;

/**
 * An admin call that cannot be served as asked: its status and a short message for the JSON error body, and for a
 * client that must tell this case from others (the console), a stable reason.
 */
public final class AdminException extends RuntimeException {

    private final int status;
    private final String reason;
    private final Duration retryAfter;

    public AdminException(int status, String message) {
        this(status, message, null);
    }

    public AdminException(int status, String message, String reason) {
        this(status, message, reason, null);
    }

    /** @param retryAfter what a 429 or 503 asks the client to wait, or null */
    public AdminException(int status, String message, String reason, Duration retryAfter) {
        super(message, null, false, false);
        this.status = status;
        this.reason = reason;
        this.retryAfter = retryAfter;
    }

    public int status() {
        return status;
    }

    /** A stable name of the failure, or null. */
    public String reason() {
        return reason;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    public static AdminException notFound(String what) {
        return new AdminException(404, what + " not found");
    }

    public static AdminException badRequest(String message) {
        return new AdminException(400, message);
    }
}
