package io.carbridge.intake;

/**
 * A delivery the intake refuses, with the status code and a short message for the JSON error body. Thrown for bad input
 * only, so it carries no stack trace: a flood of bad requests costs no more than the requests themselves.
 */
public final class IntakeRejection extends RuntimeException {

    private final int status;
    private final String reason;

    /**
     * @param status  HTTP status of the answer
     * @param reason  short, stable label for metrics and logs ({@code signature}, {@code malformed_json}, ...)
     * @param message what the sender did wrong, safe to return: never contains request headers or secrets
     */
    public IntakeRejection(int status, String reason, String message) {
        super(message, null, false, false);
        this.status = status;
        this.reason = reason;
    }

    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }
}
