package io.carbridge.smartcar;

/**
 * A Connect request that ends on an error page: its status, the outcome it is counted under, and the sentence the
 * vehicle owner reads. Thrown for expected failures only, so it carries no stack trace.
 */
public final class ConnectFailure extends RuntimeException {

    private final int status;
    private final String outcome;

    ConnectFailure(int status, String outcome, String pageMessage) {
        super(pageMessage, null, false, false);
        this.status = status;
        this.outcome = outcome;
    }

    static ConnectFailure notConfigured() {
        return new ConnectFailure(503, "not_configured", "Connecting vehicles is not set up on this service yet.");
    }

    int status() {
        return status;
    }

    String outcome() {
        return outcome;
    }
}
