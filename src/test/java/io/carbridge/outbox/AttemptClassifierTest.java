package io.carbridge.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.storage.CanonicalEvent;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.component.direct.DirectConsumerNotAvailableException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The outcome contract, the same for every sink. */
class AttemptClassifierTest {

    private static final Instant RECEIVED = Instant.parse("2026-11-28T10:00:00Z");
    private static final Instant NOW = RECEIVED.plusSeconds(5);
    private static final RetryPolicy RETRY =
            new RetryPolicy(Duration.ofSeconds(2), 2, Duration.ofMinutes(10), 5, Duration.ofHours(1));
    private static final DeliveryPolicy POLICY = new DeliveryPolicy(
            4,
            Duration.ofSeconds(10),
            RETRY,
            new FailureList(
                    List.of("org.apache.kafka.common.errors.RecordTooLargeException", "IllegalArgumentException")),
            List.of("s3cret"),
            false);

    @Test
    void anExchangeThatCompletedIsDelivered() {
        assertThat(classify(sent(), 1).result()).isEqualTo(AttemptOutcome.Result.DELIVERED);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"delivered, DELIVERED", "retry, RETRY", "dead, DEAD", "pause, PAUSED", "PAUSE, PAUSED", "maybe, DEAD"})
    void whatTheSinkSaidWins(String said, AttemptOutcome.Result expected) {
        Exchange exchange = sent();
        exchange.setProperty(OutboxConstants.OUTCOME, said);
        exchange.setException(new ConnectException("ignored: the sink said what it came to"));

        assertThat(classify(exchange, 1).result()).isEqualTo(expected);
    }

    @Test
    void aRetryTheSinkAsksForWaitsAtLeastItsRetryAfterAndKeepsItsReason() {
        Exchange exchange = sent();
        exchange.setProperty(OutboxConstants.OUTCOME, "retry");
        exchange.setProperty(OutboxConstants.RETRY_AFTER, 120);
        exchange.setProperty(OutboxConstants.OUTCOME_REASON, "HTTP 429: slow down, s3cret");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 429);

        AttemptOutcome outcome = classify(exchange, 1);

        assertThat(outcome.nextAttemptAt()).isEqualTo(NOW.plusSeconds(120));
        assertThat(outcome.statusCode()).isEqualTo(429);
        assertThat(outcome.error()).isEqualTo("HTTP 429: slow down, ***");
    }

    @Test
    void aFailureOfTheSinkIsTriedAgainUnlessAnotherAttemptCannotFixIt() {
        Exchange refused = sent();
        refused.setException(new RuntimeCamelException(new ConnectException("Connection refused")));
        Exchange listed = sent();
        listed.setException(new RuntimeCamelException(new IllegalArgumentException("not a number: s3cret")));

        assertThat(classify(refused, 1).result()).isEqualTo(AttemptOutcome.Result.RETRY);
        AttemptOutcome dead = classify(listed, 1);
        assertThat(dead.result()).isEqualTo(AttemptOutcome.Result.DEAD);
        assertThat(dead.error())
                .contains("permanent failure (IllegalArgumentException)")
                .doesNotContain("s3cret");
    }

    @Test
    void aFailureBeforeTheDocumentIsMadeIsADeadLetterUnlessARouteWasNotRunning() {
        Exchange brokenTransform = new DefaultExchange(new DefaultCamelContext());
        brokenTransform.setException(new IllegalStateException("no such property: vehicle"));
        Exchange stopping = new DefaultExchange(new DefaultCamelContext());
        stopping.setException(new DirectConsumerNotAvailableException("No consumers available", stopping));

        AttemptOutcome dead = classify(brokenTransform, 1);
        assertThat(dead.result()).isEqualTo(AttemptOutcome.Result.DEAD);
        assertThat(dead.error()).contains("making the document", "no such property");
        assertThat(classify(stopping, 1).result()).isEqualTo(AttemptOutcome.Result.RETRY);
    }

    @Test
    void backsOffExponentiallyWithJitterUpToTheCap() {
        for (int attempt = 1; attempt <= 12; attempt++) {
            long capped = Math.min(2_000L << (attempt - 1), 600_000L);
            for (int sample = 0; sample < 50; sample++) {
                Duration delay = RETRY.delayAfter(attempt, null);
                assertThat(delay.toMillis()).as("attempt %d", attempt).isBetween(capped / 2, capped);
            }
        }
    }

    @Test
    void deadLettersWhenTheAttemptsOrTheAgeRunOut() {
        Exchange failing = sent();
        failing.setException(new ConnectException("Connection refused"));
        AttemptOutcome lastAttempt = classify(failing, 5);
        assertThat(lastAttempt.result()).isEqualTo(AttemptOutcome.Result.DEAD);
        assertThat(lastAttempt.error()).startsWith("gave up after 5 attempts");

        Exchange slowDown = sent();
        slowDown.setProperty(OutboxConstants.OUTCOME, "retry");
        slowDown.setProperty(OutboxConstants.RETRY_AFTER, Duration.ofMinutes(2));
        ClaimedDelivery old = delivery(2, RECEIVED.minus(Duration.ofMinutes(59)).minusSeconds(58));
        assertThat(AttemptClassifier.classify(old, POLICY, slowDown, NOW, NOW).result())
                .isEqualTo(AttemptOutcome.Result.DEAD);
    }

    private static AttemptOutcome classify(Exchange exchange, int attempt) {
        return AttemptClassifier.classify(delivery(attempt, RECEIVED), POLICY, exchange, NOW, NOW);
    }

    /** An exchange whose document was made and sent to the sink. */
    private static Exchange sent() {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(OutboxConstants.DOCUMENT_MADE, true);
        return exchange;
    }

    private static ClaimedDelivery delivery(int attempt, Instant queuedAt) {
        return new ClaimedDelivery(
                1,
                "crm",
                "v",
                attempt,
                false,
                queuedAt,
                new CanonicalEvent("e", "VEHICLE_STATE", true, "v", null, "live", "w", "4.0", queuedAt, new byte[0]),
                new KnownVehicle(null, null, null, null));
    }
}
