package io.carbridge.testkit;

import io.carbridge.outbox.OutboxConstants;
import org.apache.camel.Exchange;

/**
 * What a sink route said of an attempt, by the bridge's outcome contract (README, "Adding a destination"): the exchange
 * properties {@code CamelOutboxOutcome} ({@code delivered}, {@code retry}, {@code dead}, {@code pause}),
 * {@code CamelOutboxOutcomeReason} and {@code CamelOutboxRetryAfter}. A route that says nothing leaves the outcome
 * null: then the bridge counts a completed exchange as delivered, and an exception as a failure to retry.
 *
 * @param outcome what the route said, or null
 * @param reason why, or null
 * @param retryAfterSeconds for {@code retry}, the earliest next attempt in seconds, or null
 * @param exception the exception the exchange ended with, or null
 */
public record SinkOutcome(String outcome, String reason, Long retryAfterSeconds, Exception exception) {

    /** What the finished exchange says. */
    public static SinkOutcome of(Exchange exchange) {
        return new SinkOutcome(
                exchange.getProperty(OutboxConstants.OUTCOME, String.class),
                exchange.getProperty(OutboxConstants.OUTCOME_REASON, String.class),
                exchange.getProperty(OutboxConstants.RETRY_AFTER, Long.class),
                exchange.getException());
    }
}
