package io.carbridge.smartcar;

import java.time.Duration;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Connect request that ends on an error page: its status, the outcome it is counted under, and the sentence the
 * vehicle owner reads. Thrown for expected failures only, so it carries no stack trace.
 */
public final class ConnectFailure extends RuntimeException {

    private static final Logger LOG = LoggerFactory.getLogger("io.carbridge.smartcar.connect");

    private final int status;
    private final String outcome;
    private final Duration retryAfter;

    ConnectFailure(int status, String outcome, String pageMessage) {
        this(status, outcome, pageMessage, null);
    }

    /** @param retryAfter what a 429 asks the browser to wait, or null */
    ConnectFailure(int status, String outcome, String pageMessage, Duration retryAfter) {
        super(pageMessage, null, false, false);
        this.status = status;
        this.outcome = outcome;
        this.retryAfter = retryAfter;
    }

    static ConnectFailure notConfigured() {
        return new ConnectFailure(503, "not_configured", "Connecting vehicles is not set up on this service yet.");
    }

    /** Smartcar failed a call of the callback ({@code step}: v2.0 the code exchange, or {@code GET /user}): logged, 502. */
    public static ConnectFailure notConfirmed(String step, SmartcarCallException e) {
        LOG.warn("connect failed at the {}: {} {}", step, e.reason(), e.getMessage());
        return new ConnectFailure(502, "failed", "Smartcar did not confirm the connection, so nothing was connected. Please start again.");
    }

    int status() {
        return status;
    }

    String outcome() {
        return outcome;
    }

    Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
