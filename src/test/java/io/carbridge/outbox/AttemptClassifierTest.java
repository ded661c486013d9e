package io.carbridge.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.carbridge.storage.CanonicalEvent;
import org.apache.camel.Exchange;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class AttemptClassifierTest {

    private static final Instant RECEIVED = Instant.parse("2026-11-28T10:00:00Z");
    private static final Instant NOW = RECEIVED.plusSeconds(5);
    private static final RetryPolicy POLICY = new RetryPolicy(Duration.ofSeconds(2), 2, Duration.ofMinutes(10), 5, Duration.ofHours(1));

    @ParameterizedTest(name = "HTTP {0} -> {1}")
    @CsvSource({
            "200, DELIVERED", "201, DELIVERED", "204, DELIVERED",
            "408, RETRY", "429, RETRY", "500, RETRY", "502, RETRY", "503, RETRY", "504, RETRY",
            "410, PAUSED",
            "400, DEAD", "401, DEAD", "403, DEAD", "404, DEAD", "422, DEAD", "301, DEAD", "302, DEAD"})
    void classifiesEveryAnswer(int status, AttemptOutcome.Result expected) {
        assertThat(classify(answer(status, null), 1).result()).isEqualTo(expected);
    }

    @Test
    void retriesConnectionFailuresAndTimeoutsAndDeadLettersOtherFailures() {
        Exchange refused = answer(0, null);
        refused.setException(new ConnectException("Connection refused"));
        Exchange timedOut = answer(0, null);
        timedOut.setException(new RuntimeCamelException(new SocketTimeoutException("Read timed out")));
        Exchange brokenTransform = answer(0, null);
        brokenTransform.setException(new IllegalStateException("no such property: vehicle"));

        assertThat(classify(refused, 1).result()).isEqualTo(AttemptOutcome.Result.RETRY);
        assertThat(classify(timedOut, 1).result()).isEqualTo(AttemptOutcome.Result.RETRY);
        AttemptOutcome dead = classify(brokenTransform, 1);
        assertThat(dead.result()).isEqualTo(AttemptOutcome.Result.DEAD);
        assertThat(dead.error()).contains("permanent failure", "no such property");
    }

    @Test
    void honoursRetryAfterInSecondsAndAsADate() {
        assertThat(classify(answer(429, "120"), 1).nextAttemptAt()).isEqualTo(NOW.plusSeconds(120));
        assertThat(classify(answer(503, "Sat, 28 Nov 2026 10:05:05 GMT"), 1).nextAttemptAt()).isEqualTo(Instant.parse("2026-11-28T10:05:05Z"));
        // Retry-After only counts on 429 and 503
        assertThat(classify(answer(500, "600"), 1).nextAttemptAt()).isBefore(NOW.plusSeconds(3));
    }

    @Test
    void backsOffExponentiallyWithJitterUpToTheCap() {
        for (int attempt = 1; attempt <= 12; attempt++) {
            long capped = Math.min(2_000L << (attempt - 1), 600_000L);
            for (int sample = 0; sample < 50; sample++) {
                Duration delay = POLICY.delayAfter(attempt, null);
                assertThat(delay.toMillis()).as("attempt %d", attempt).isBetween(capped / 2, capped);
            }
        }
    }

    @Test
    void deadLettersWhenTheAttemptsOrTheAgeRunOut() {
        AttemptOutcome lastAttempt = classify(answer(503, null), 5);
        assertThat(lastAttempt.result()).isEqualTo(AttemptOutcome.Result.DEAD);
        assertThat(lastAttempt.error()).startsWith("gave up after 5 attempts");

        ClaimedDelivery old = delivery(2, RECEIVED.minus(Duration.ofMinutes(59)).minusSeconds(58));
        assertThat(AttemptClassifier.classify(old, POLICY, List.of(), answer(503, "120"), NOW, NOW).result()).isEqualTo(AttemptOutcome.Result.DEAD);
    }

    @Test
    void aDestinationThatEchoesTheRequestDoesNotMakeItsSecretsReadable() {
        Exchange echo = answer(400, null);
        echo.getMessage().setBody("you sent Authorization: Basic YnJpZGdlOnMzY3JldC1wYXNz password=s3cret-pass key=whsec-signing-key");

        AttemptOutcome outcome = AttemptClassifier.classify(delivery(1, RECEIVED), POLICY,
                List.of("s3cret-pass", "YnJpZGdlOnMzY3JldC1wYXNz", "whsec-signing-key"), echo, NOW, NOW);

        assertThat(outcome.error()).endsWith("HTTP 400: you sent Authorization: Basic *** password=*** key=***")
                .doesNotContain("s3cret-pass", "whsec-signing-key", "YnJpZGdlOnMzY3JldC1wYXNz");
    }

    private static AttemptOutcome classify(Exchange exchange, int attempt) {
        return AttemptClassifier.classify(delivery(attempt, RECEIVED), POLICY, List.of(), exchange, NOW, NOW);
    }

    private static Exchange answer(int status, String retryAfter) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        if (status > 0) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        }
        exchange.getMessage().setHeader("Retry-After", retryAfter);
        return exchange;
    }

    private static ClaimedDelivery delivery(int attempt, Instant queuedAt) {
        return new ClaimedDelivery(1, "crm", "v", attempt, false, queuedAt,
                new CanonicalEvent("e", "VEHICLE_STATE", true, "v", null, "live", "w", "4.0", queuedAt, new byte[0]),
                new KnownVehicle(null, null, null, null));
    }
}
