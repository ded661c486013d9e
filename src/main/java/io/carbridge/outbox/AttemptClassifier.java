package io.carbridge.outbox;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.component.direct.DirectConsumerNotAvailableException;

/**
 * Decides what an attempt means for its delivery. 2xx is delivered. No answer (connection refused, timeout, reset),
 * 408, 429 and 5xx are retried with backoff, honouring {@code Retry-After} on 429 and 503. 410 Gone pauses the
 * destination. Every other answer (3xx: redirects are not followed; other 4xx) and every failure of the destination's
 * own transform is permanent: the delivery becomes a dead letter at once, since trying again would fail the same way.
 */
final class AttemptClassifier {

    private static final int MAX_ERROR_LENGTH = 500;

    private AttemptClassifier() {
    }

    /**
     * @param policy  the destination's retry policy
     * @param secrets what the destination's requests carry that must never be recorded (its credentials, as sent)
     */
    static AttemptOutcome classify(ClaimedDelivery delivery, RetryPolicy policy, List<String> secrets, Exchange exchange,
                                   Instant startedAt, Instant finishedAt) {
        Exception failure = exchange.getException();
        if (failure != null) {
            String error = truncate(failure.getClass().getSimpleName() + ": " + failure.getMessage());
            return isTransient(failure)
                    ? retry(delivery, policy, startedAt, finishedAt, null, error, null)
                    : outcome(delivery, startedAt, finishedAt, null, "permanent failure: " + error, AttemptOutcome.Result.DEAD, null);
        }
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        if (status >= 200 && status < 300) {
            return outcome(delivery, startedAt, finishedAt, status, null, AttemptOutcome.Result.DELIVERED, null);
        }
        String error = truncate("HTTP " + status + answerExcerpt(exchange, secrets));
        if (status == 410) {
            return outcome(delivery, startedAt, finishedAt, status, error, AttemptOutcome.Result.PAUSED, finishedAt);
        }
        if (status == 408 || status == 429 || status >= 500) {
            Duration retryAfter = status == 429 || status == 503 ? retryAfter(exchange.getMessage().getHeader("Retry-After", String.class), finishedAt) : null;
            return retry(delivery, policy, startedAt, finishedAt, status, error, retryAfter);
        }
        return outcome(delivery, startedAt, finishedAt, status, "permanent failure: " + error, AttemptOutcome.Result.DEAD, null);
    }

    private static AttemptOutcome retry(ClaimedDelivery delivery, RetryPolicy policy, Instant startedAt, Instant finishedAt,
                                        Integer status, String error, Duration retryAfter) {
        Instant next = finishedAt.plus(policy.delayAfter(delivery.attempt(), retryAfter));
        if (!policy.allowsAnotherAttempt(delivery.attempt(), delivery.queuedAt(), next)) {
            return outcome(delivery, startedAt, finishedAt, status, truncate("gave up after " + delivery.attempt() + " attempts: " + error),
                    AttemptOutcome.Result.DEAD, null);
        }
        return outcome(delivery, startedAt, finishedAt, status, error, AttemptOutcome.Result.RETRY, next);
    }

    /** Network failures, and a destination route not running (at start or stop), are worth another attempt. */
    private static boolean isTransient(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException || cause instanceof DirectConsumerNotAvailableException) {
                return true;
            }
        }
        return false;
    }

    /** {@code Retry-After} as seconds or as an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim())));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration until = Duration.between(now, ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return until.isNegative() ? Duration.ZERO : until;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    /**
     * The start of what the destination answered, for the log, the admin API and the health detail. A destination that
     * echoes the request must not make its own credentials readable there.
     */
    private static String answerExcerpt(Exchange exchange, List<String> secrets) {
        String body = exchange.getMessage().getBody(String.class);
        if (body == null || body.isBlank()) {
            return "";
        }
        String excerpt = body.strip();
        for (String credential : secrets) {
            excerpt = excerpt.replace(credential, "***");
        }
        return ": " + excerpt;
    }

    private static AttemptOutcome outcome(ClaimedDelivery delivery, Instant startedAt, Instant finishedAt, Integer status, String error,
                                          AttemptOutcome.Result result, Instant nextAttemptAt) {
        return new AttemptOutcome(delivery.id(), delivery.attempt(), startedAt, finishedAt, status, error, result, nextAttemptAt);
    }

    private static String truncate(String text) {
        return text.length() <= MAX_ERROR_LENGTH ? text : text.substring(0, MAX_ERROR_LENGTH);
    }
}
