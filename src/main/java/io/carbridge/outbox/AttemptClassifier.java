package io.carbridge.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.apache.camel.Exchange;
import org.apache.camel.component.direct.DirectConsumerNotAvailableException;

/**
 * What an attempt means for its delivery: the outcome contract, the same for every sink.
 *
 * <ul>
 *   <li>The sink said it ({@link OutboxConstants#OUTCOME}): delivered, retry (at {@link OutboxConstants#RETRY_AFTER} at
 *       the earliest), dead, or pause. The HTTP sink keeps its table of answers this way.
 *   <li>Otherwise the exchange completed: delivered.
 *   <li>It failed before its document was made (the enrich step, the transform): a dead letter at once, as another
 *       attempt would fail the same way; unless a route it needs was not running (at start or stop).
 *   <li>It failed with one of the destination's dead-on failures (the sink's own, such as Kafka's record too large, and
 *       the settings' {@code dead-on}): a dead letter at once.
 *   <li>Any other failure: tried again with backoff, until {@code retry.max-attempts} or {@code retry.max-age}: a dead
 *       letter.
 * </ul>
 */
final class AttemptClassifier {

    private static final int MAX_ERROR_LENGTH = 500;

    private AttemptClassifier() {}

    static AttemptOutcome classify(
            ClaimedDelivery delivery, DeliveryPolicy policy, Exchange exchange, Instant startedAt, Instant finishedAt) {
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        String said = exchange.getProperty(OutboxConstants.OUTCOME, String.class);
        if (said != null) {
            String reason = exchange.getProperty(OutboxConstants.OUTCOME_REASON, String.class);
            String error = reason == null ? null : masked(reason, policy.secrets());
            return switch (said.trim().toLowerCase(Locale.ROOT)) {
                case "delivered" ->
                    outcome(delivery, startedAt, finishedAt, status, null, AttemptOutcome.Result.DELIVERED, null);
                case "retry" ->
                    retry(
                            delivery,
                            policy.retry(),
                            startedAt,
                            finishedAt,
                            status,
                            error == null ? "the sink asked to try again" : error,
                            retryAfter(exchange.getProperty(OutboxConstants.RETRY_AFTER)));
                case "dead" ->
                    outcome(
                            delivery,
                            startedAt,
                            finishedAt,
                            status,
                            "permanent failure: " + (error == null ? "the sink refused it" : error),
                            AttemptOutcome.Result.DEAD,
                            null);
                case "pause" ->
                    outcome(
                            delivery,
                            startedAt,
                            finishedAt,
                            status,
                            error == null ? "the sink paused the destination" : error,
                            AttemptOutcome.Result.PAUSED,
                            finishedAt);
                default ->
                    outcome(
                            delivery,
                            startedAt,
                            finishedAt,
                            status,
                            "permanent failure: the route set " + OutboxConstants.OUTCOME + " to '" + said
                                    + "' (delivered, retry, dead or pause)",
                            AttemptOutcome.Result.DEAD,
                            null);
            };
        }
        Exception failure = exchange.getException();
        if (failure == null) {
            return outcome(delivery, startedAt, finishedAt, status, null, AttemptOutcome.Result.DELIVERED, null);
        }
        String error = masked(failure.getClass().getSimpleName() + ": " + failure.getMessage(), policy.secrets());
        if (routeNotRunning(failure)) {
            return retry(delivery, policy.retry(), startedAt, finishedAt, status, error, null);
        }
        if (!exchange.getProperty(OutboxConstants.DOCUMENT_MADE, false, Boolean.class)) {
            return outcome(
                    delivery,
                    startedAt,
                    finishedAt,
                    status,
                    "permanent failure, making the document: " + error,
                    AttemptOutcome.Result.DEAD,
                    null);
        }
        String deadOn = policy.deadOn().match(failure);
        if (deadOn != null) {
            return outcome(
                    delivery,
                    startedAt,
                    finishedAt,
                    status,
                    "permanent failure (" + deadOn + "): " + error,
                    AttemptOutcome.Result.DEAD,
                    null);
        }
        return retry(delivery, policy.retry(), startedAt, finishedAt, status, error, null);
    }

    private static AttemptOutcome retry(
            ClaimedDelivery delivery,
            RetryPolicy policy,
            Instant startedAt,
            Instant finishedAt,
            Integer status,
            String error,
            Duration retryAfter) {
        Instant next = finishedAt.plus(policy.delayAfter(delivery.attempt(), retryAfter));
        if (!policy.allowsAnotherAttempt(delivery.attempt(), delivery.queuedAt(), next)) {
            return outcome(
                    delivery,
                    startedAt,
                    finishedAt,
                    status,
                    "gave up after " + delivery.attempt() + " attempts: " + error,
                    AttemptOutcome.Result.DEAD,
                    null);
        }
        return outcome(delivery, startedAt, finishedAt, status, error, AttemptOutcome.Result.RETRY, next);
    }

    /** A route the attempt needs (the transform's, a sink route) is not running: at start or stop, not for good. */
    private static boolean routeNotRunning(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof DirectConsumerNotAvailableException) {
                return true;
            }
        }
        return false;
    }

    /** {@link OutboxConstants#RETRY_AFTER}: a duration, or a number of seconds; null when absent or unreadable. */
    private static Duration retryAfter(Object value) {
        if (value instanceof Duration duration) {
            return duration;
        }
        if (value instanceof Number seconds) {
            return Duration.ofSeconds(Math.max(0, seconds.longValue()));
        }
        if (value instanceof String text && text.trim().matches("\\d{1,9}")) {
            return Duration.ofSeconds(Long.parseLong(text.trim()));
        }
        return null;
    }

    /** An error to keep: never a secret the destination's requests carry, and short. */
    private static String masked(String error, List<String> secrets) {
        String text = error;
        for (String secret : secrets) {
            text = text.replace(secret, "***");
        }
        return text.length() <= MAX_ERROR_LENGTH ? text : text.substring(0, MAX_ERROR_LENGTH);
    }

    private static AttemptOutcome outcome(
            ClaimedDelivery delivery,
            Instant startedAt,
            Instant finishedAt,
            Integer status,
            String error,
            AttemptOutcome.Result result,
            Instant nextAttemptAt) {
        return new AttemptOutcome(
                delivery.id(),
                delivery.attempt(),
                startedAt,
                finishedAt,
                status,
                error == null || error.length() <= MAX_ERROR_LENGTH ? error : error.substring(0, MAX_ERROR_LENGTH),
                result,
                nextAttemptAt);
    }
}
