package io.carbridge.delivery.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.outbox.OutboxConstants;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The HTTP sink's two steps: the request it sends (headers, authentication, signature), and what it makes of the
 * answer.
 */
class HttpSinkStepsTest {

    @Test
    void signsLikeTheStandardWebhooksSpecificationsTestVector() throws Exception {
        String signature = HttpSinkSteps.standardWebhooksSignature(
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330L,
                "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));

        assertThat("v1," + signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void dropsEveryHeaderButTheOutboxsAndSetsTheIdempotencyKeyAndAuthentication() throws Exception {
        HttpSink bearer = sink(HttpSink.Auth.BEARER, null, null);
        Exchange exchange = exchange(bearer, "{\"eventId\":\"e-1\"}");
        exchange.getMessage().setHeader("X-Leaked", "no");

        steps(bearer).prepareRequest(exchange);

        assertThat(exchange.getMessage().getHeaders())
                .containsOnlyKeys(
                        "Content-Type",
                        "Idempotency-Key",
                        "Authorization",
                        OutboxConstants.DESTINATION,
                        OutboxConstants.EVENT_ID);
        assertThat(exchange.getMessage().getHeader("Authorization")).isEqualTo("Bearer s3cret");
        assertThat(exchange.getMessage().getHeader("Idempotency-Key")).isEqualTo("e-1");
        assertThat(exchange.getMessage().getBody(String.class)).isEqualTo("{\"eventId\":\"e-1\"}");
    }

    @Test
    void sendsBasicAndCustomHeaderAuthentication() throws Exception {
        HttpSink basicAuth = sink(HttpSink.Auth.BASIC, "crm-user", null);
        Exchange basic = exchange(basicAuth, "{}");
        steps(basicAuth).prepareRequest(basic);
        assertThat(basic.getMessage().getHeader("Authorization")).isEqualTo("Basic Y3JtLXVzZXI6czNjcmV0");

        HttpSink headerAuth = sink(HttpSink.Auth.HEADER, null, "X-Api-Key");
        Exchange header = exchange(headerAuth, "{}");
        steps(headerAuth).prepareRequest(header);
        assertThat(header.getMessage().getHeader("X-Api-Key")).isEqualTo("s3cret");
        assertThat(header.getMessage().getHeader("Authorization")).isNull();
    }

    @ParameterizedTest(name = "HTTP {0} -> {1}")
    @CsvSource({
        "200, delivered",
        "201, delivered",
        "204, delivered",
        "408, retry",
        "429, retry",
        "500, retry",
        "502, retry",
        "503, retry",
        "504, retry",
        "410, pause",
        "400, dead",
        "401, dead",
        "403, dead",
        "404, dead",
        "422, dead",
        "301, dead",
        "302, dead"
    })
    void readsEveryAnswerAsAnOutcome(int status, String outcome) {
        Exchange answer = answer(status, null, null);

        steps(sink(HttpSink.Auth.NONE, null, null)).readAnswer(answer);

        assertThat(answer.getProperty(OutboxConstants.OUTCOME)).isEqualTo(outcome);
        if (status >= 300) {
            assertThat(answer.getProperty(OutboxConstants.OUTCOME_REASON, String.class))
                    .startsWith("HTTP " + status);
        }
    }

    @Test
    void honoursRetryAfterInSecondsAndAsADateOn429And503Only() {
        assertThat(retryAfterOf(answer(429, "120", null))).isEqualTo(Duration.ofSeconds(120));
        assertThat(HttpSinkSteps.retryAfter("Sat, 28 Nov 2026 10:05:05 GMT", Instant.parse("2026-11-28T10:00:00Z")))
                .isEqualTo(Duration.ofMinutes(5).plusSeconds(5));
        assertThat(retryAfterOf(answer(500, "600", null))).isNull();
    }

    @Test
    void aDestinationThatEchoesTheRequestDoesNotMakeItsSecretsReadable() {
        HttpSink basic = new HttpSink(
                "crm",
                "http://localhost/crm",
                "POST",
                HttpSink.Auth.BASIC,
                "bridge",
                null,
                "s3cret-pass",
                "whsec-signing-key",
                Duration.ofSeconds(5),
                1);
        Exchange echo = answer(
                400,
                null,
                "you sent Authorization: Basic YnJpZGdlOnMzY3JldC1wYXNz password=s3cret-pass key=whsec-signing-key");

        steps(basic).readAnswer(echo);

        assertThat(echo.getProperty(OutboxConstants.OUTCOME_REASON, String.class))
                .isEqualTo("HTTP 400: you sent Authorization: Basic *** password=*** key=***");
    }

    private static Duration retryAfterOf(Exchange answer) {
        steps(sink(HttpSink.Auth.NONE, null, null)).readAnswer(answer);
        return answer.getProperty(OutboxConstants.RETRY_AFTER, Duration.class);
    }

    /** What the destination route hands the sink: the document, and the destination and the event id as headers. */
    private static Exchange exchange(HttpSink sink, String document) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(document.getBytes(StandardCharsets.UTF_8));
        exchange.getMessage().setHeader(OutboxConstants.DESTINATION, sink.destination());
        exchange.getMessage().setHeader(OutboxConstants.EVENT_ID, "e-1");
        return exchange;
    }

    private static Exchange answer(int status, String retryAfter, String body) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setHeader(OutboxConstants.DESTINATION, "crm");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader("Retry-After", retryAfter);
        exchange.getMessage().setBody(body);
        return exchange;
    }

    private static HttpSinkSteps steps(HttpSink sink) {
        return new HttpSinkSteps(name -> sink);
    }

    private static HttpSink sink(HttpSink.Auth auth, String username, String header) {
        return new HttpSink(
                "crm",
                "http://localhost/crm",
                "POST",
                auth,
                username,
                header,
                auth == HttpSink.Auth.NONE ? null : "s3cret",
                null,
                Duration.ofSeconds(5),
                1);
    }
}
