package io.carbridge.smartcar;

import java.time.Duration;

/**
 * A Smartcar call that did not give what was asked, classified by what the sync does about it. Carries a short, safe
 * description (status, Smartcar's error type and description), never a token or code; no stack trace, since the kind
 * says what happened.
 */
public final class SmartcarCallException extends RuntimeException {

    /** What went wrong; {@link #reason()} is the label of logs, metrics and the vehicle's last error. */
    public enum Kind {
        /** 401 from the API: the access token is not accepted. */
        UNAUTHORIZED("unauthorized"),
        /** The auth server refused the refresh token or code ({@code invalid_grant}): the owner must connect again. */
        GRANT_REFUSED("refresh_refused"),
        /**
         * v3: the IAM token endpoint refused the API client id or secret (4xx): retried with backoff until they are
         * fixed.
         */
        CREDENTIALS_REFUSED("credentials_refused"),
        /** 429: wait for {@code retry-after}. */
        RATE_LIMITED("rate_limited"),
        /** 403: the owner did not grant the permission; asking again does not help. */
        PERMISSION("permission"),
        /** 430: the Smartcar plan does not cover it; asking again does not help. */
        BILLING("billing"),
        /** 5xx. */
        SERVER_ERROR("server_error"),
        /** Another 4xx (409 vehicle asleep, 404, 400): retried with backoff, so a configuration fix heals it. */
        CLIENT_ERROR("client_error"),
        /** No answer within bridge.smartcar.response-timeout (or no connection within connect-timeout). */
        TIMEOUT("timeout"),
        /** The connection failed or was reset. */
        CONNECTION_FAILED("connection_failed"),
        /** A 2xx whose body is empty or not what the protocol says. */
        MALFORMED("malformed_response");

        private final String reason;

        Kind(String reason) {
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    private final Kind kind;
    private final Duration retryAfter;

    public SmartcarCallException(Kind kind, String message, Duration retryAfter) {
        super(message, null, false, false);
        this.kind = kind;
        this.retryAfter = retryAfter;
    }

    public SmartcarCallException(Kind kind, String message) {
        this(kind, message, null);
    }

    public Kind kind() {
        return kind;
    }

    public String reason() {
        return kind.reason();
    }

    /** The wait Smartcar asked for with a 429, when it said one. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
