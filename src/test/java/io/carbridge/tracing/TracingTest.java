package io.carbridge.tracing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.DestinationsDouble;
import io.carbridge.testing.Fixtures;
import io.carbridge.testing.InMemoryTraces;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Traces on (an in-memory exporter instead of OTLP), through the real routes: the destinations of DeliveryFlowTest on
 * WireMock, the destination {@code sink} with a bearer token and a signing secret. One trace per event, from the
 * webhook request through the intake commit to every attempt, across the outbox by the context stored with the event.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = {BridgeConfiguration.class, InMemoryTraces.class},
        propertyPlaceholderLocations = {
            BridgeTest.TEST_PROPERTIES,
            BridgeTest.DESTINATIONS,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = {
            "bridge.db.url=jdbc:h2:mem:tracing-test",
            TracingTest.DESTINATIONS,
            TracingTest.KEYED_URL,
            TracingTest.KEYED_TYPES
        })
class TracingTest {

    /**
     * DeliveryFlowTest's destinations, and one whose URL holds a key (as a team may write it): Camel writes the URL on
     * the span of its HTTP call, where it must be masked.
     */
    static final String DESTINATIONS = "bridge.destinations=sink,gone,crm,keyed";

    static final String KEYED_URL =
            "bridge.destination.keyed.url=http://127.0.0.1:{{sys:test.sink.port}}/keyed?apiKey=k3y-in-the-url";
    static final String KEYED_TYPES = "bridge.destination.keyed.event-types=VEHICLE_STATE";

    private static final BridgeHttp HTTP = BridgeHttp.bridge();
    private static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer admin-test-token");
    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-01");
    private static WireMockServer sink;

    @BeanInject
    CamelContext camel;

    @BeforeAll
    void startSink() {
        sink = DestinationsDouble.start();
        InMemoryTraces.forget(); // the spans of an earlier test class (its event ids are this one's)
    }

    @AfterAll
    void stopSink() {
        sink.stop();
    }

    @BeforeEach
    void answerEverythingWith200() {
        DestinationsDouble.answerEverythingWith200(sink);
        sink.stubFor(post(urlPathEqualTo("/keyed"))
                .atPriority(10)
                .willReturn(aResponse().withStatus(200)));
    }

    @Test
    void anEventDeliveredAfterOneRetryIsOneTraceTheWebhookRequestTheIntakeCommitAndTwoAttemptsUnderIt() {
        stubSequence(
                "trace-retry",
                aResponse().withStatus(500).withBody("database locked"),
                aResponse().withStatus(200));

        assertThat(deliver(Fixtures.currentEvent("trace-retry", "VEHICLE_STATE", "veh-trace", ""), Map.of())
                        .status())
                .isEqualTo(202);

        List<SpanData> attempts = attemptSpans("trace-retry", 2);
        SpanData intake = intakeSpan("trace-retry");
        assertThat(intake.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(intake.getAttributes().get(EventSpans.EVENT_TYPE)).isEqualTo("VEHICLE_STATE");
        assertThat(intake.getAttributes().get(EventSpans.VEHICLE_ID)).isEqualTo("veh-trace");
        assertThat(intake.getAttributes().get(EventSpans.INTAKE_OUTCOME)).isEqualTo("STORED");

        // one trace: the webhook request (Camel's span of the intake route) above the intake commit
        SpanData webhookRequest = webhookRequest(intake.getTraceId());
        assertThat(InMemoryTraces.descendsFrom(intake, webhookRequest))
                .as("the intake commit is part of the webhook request")
                .isTrue();
        assertThat(webhookRequest.getAttributes().get(AttributeKey.stringKey("http.status_code")))
                .isEqualTo("202");
        assertThat(webhookRequest.getParentSpanContext().isValid())
                .as("no proxy sent a traceparent: the trace starts here")
                .isFalse();

        // two attempts, children of the intake commit, with their number, destination and outcome
        assertThat(attempts).extracting(SpanData::getTraceId).containsOnly(intake.getTraceId());
        assertThat(attempts).extracting(SpanData::getParentSpanId).containsOnly(intake.getSpanId());
        assertThat(attempts).extracting(SpanData::getKind).containsOnly(SpanKind.CONSUMER);
        assertThat(attempts)
                .extracting(span -> span.getAttributes().get(EventSpans.ATTEMPT))
                .containsExactly(1L, 2L);
        assertThat(attempts)
                .extracting(span -> span.getAttributes().get(EventSpans.OUTCOME))
                .containsExactly("RETRY", "DELIVERED");
        assertThat(attempts)
                .extracting(span -> span.getAttributes().get(EventSpans.HTTP_STATUS))
                .containsExactly(500L, 200L);
        assertThat(attempts)
                .extracting(span -> span.getStatus().getStatusCode())
                .containsExactly(StatusCode.ERROR, StatusCode.UNSET);
        assertThat(attempts).allSatisfy(attempt -> {
            assertThat(attempt.getName()).isEqualTo("deliver sink");
            assertThat(attempt.getAttributes().get(EventSpans.DESTINATION)).isEqualTo("sink");
            assertThat(attempt.getAttributes().get(EventSpans.EVENT_ID)).isEqualTo("trace-retry");
            assertThat(attempt.getAttributes().get(EventSpans.VEHICLE_ID)).isEqualTo("veh-trace");
            assertThat(attempt.getAttributes().get(EventSpans.EVENT_TYPE)).isEqualTo("VEHICLE_STATE");
        });

        // the destination saw a traceparent of that trace in each request, from a span under that attempt
        List<ServeEvent> requests = requestsFor("trace-retry");
        assertThat(requests).hasSize(2);
        for (int i = 0; i < 2; i++) {
            Matcher traceparent = TRACEPARENT.matcher(
                    String.valueOf(requests.get(i).getRequest().getHeader("traceparent")));
            assertThat(traceparent.matches())
                    .as("request " + (i + 1) + "'s traceparent")
                    .isTrue();
            assertThat(traceparent.group(1)).isEqualTo(intake.getTraceId());
            SpanData sender = InMemoryTraces.byId(intake.getTraceId()).get(traceparent.group(2));
            assertThat(sender).as("the span that sent request " + (i + 1)).isNotNull();
            assertThat(InMemoryTraces.descendsFrom(sender, attempts.get(i)))
                    .as("request " + (i + 1) + " was sent by attempt " + (i + 1))
                    .isTrue();
        }

        // the context crossed the outbox in the database, stored with the event
        assertThat(db().queryForObject(
                                "SELECT trace_parent FROM webhook_event WHERE event_id = 'trace-retry'", String.class))
                .isEqualTo("00-" + intake.getTraceId() + "-" + intake.getSpanId() + "-01");
    }

    @Test
    void aTraceparentFromAProxyInFrontIsHonoured() {
        String proxyTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
        String proxySpan = "00f067aa0ba902b7";

        deliver(
                Fixtures.currentEvent("trace-proxy", "VEHICLE_STATE", "veh-trace-proxy", ""),
                Map.of("traceparent", "00-" + proxyTrace + "-" + proxySpan + "-01"));

        List<SpanData> attempts = attemptSpans("trace-proxy", 1);
        SpanData intake = intakeSpan("trace-proxy");
        assertThat(intake.getTraceId()).isEqualTo(proxyTrace);
        assertThat(attempts.get(0).getTraceId()).isEqualTo(proxyTrace);
        SpanData webhookRequest = webhookRequest(proxyTrace);
        assertThat(webhookRequest.getParentSpanId())
                .as("the webhook request continues the proxy's span")
                .isEqualTo(proxySpan);
        assertThat(webhookRequest.getParentSpanContext().isRemote()).isTrue();
    }

    @Test
    void anAttemptJoinsTheTraceStoredWithItsEventWhicheverProcessStoredIt() {
        // as an earlier run of the bridge (or another instance) left it: the event, its context, a pending delivery
        String storedTrace = "0af7651916cd43dd8448eb211c80319c";
        String storedSpan = "b7ad6b7169203331";
        db().update(
                        "INSERT INTO webhook_event (event_id, event_type, recognised, vehicle_id, mode, received_at, raw_body, trace_parent) "
                                + "VALUES (?, 'VEHICLE_STATE', TRUE, 'veh-trace-restart', 'live', ?, ?, ?)",
                        "trace-restart",
                        OffsetDateTime.now(),
                        "{\"eventId\":\"trace-restart\"}".getBytes(StandardCharsets.UTF_8),
                        "00-" + storedTrace + "-" + storedSpan + "-01");
        db().update(
                        "INSERT INTO delivery (event_id, destination, ordering_key, status, attempts, next_attempt_at, replay, received_at, "
                                + "created_at) VALUES ('trace-restart', 'sink', 'veh-trace-restart', 'PENDING', 1, ?, FALSE, ?, ?)",
                        OffsetDateTime.now(),
                        OffsetDateTime.now(),
                        OffsetDateTime.now());

        SpanData attempt = attemptSpans("trace-restart", 1).get(0);

        assertThat(attempt.getTraceId()).isEqualTo(storedTrace);
        assertThat(attempt.getParentSpanId()).isEqualTo(storedSpan);
        assertThat(attempt.getAttributes().get(EventSpans.ATTEMPT))
                .as("the second attempt, after the one before the restart")
                .isEqualTo(2L);
        assertThat(requestsFor("trace-restart").get(0).getRequest().getHeader("traceparent"))
                .startsWith("00-" + storedTrace + "-");
    }

    @Test
    void noSpanHoldsASecretOrThePayloadAndOnlyTheEventPathIsTraced() {
        byte[] body = Fixtures.currentEvent(
                "trace-secrets", "VEHICLE_STATE", "veh-trace-secrets", ",\"data\":{\"odometer\":\"4242.5\"}");
        deliver(body, Map.of());
        attemptSpans("trace-secrets", 1);
        await().atMost(Duration.ofSeconds(15))
                .until(() -> InMemoryTraces.withAttribute(EventSpans.EVENT_ID, "trace-secrets").stream()
                        .anyMatch(span -> span.getName().equals("deliver keyed")));
        assertThat(sink.findAll(
                        postRequestedFor(urlPathEqualTo("/keyed")).withQueryParam("apiKey", equalTo("k3y-in-the-url"))))
                .as("the key went to the destination as its URL says")
                .isNotEmpty();
        String traceId = intakeSpan("trace-secrets").getTraceId();
        // calls beside the event path: none of them is traced, nor are the timers (heartbeat, sync, retention)
        assertThat(HTTP.get("/admin/events?vehicleId=veh-trace-secrets", ADMIN).status())
                .isEqualTo(200);
        assertThat(HTTP.get("/admin/destinations/sink", ADMIN).status()).isEqualTo(200);
        assertThat(HTTP.get("/console/", Map.of()).status()).isEqualTo(200);

        assertThat(InMemoryTraces.spans())
                .extracting(span -> span.getAttributes().get(AttributeKey.stringKey("camel.uri")))
                .filteredOn(java.util.Objects::nonNull)
                .isNotEmpty()
                .allSatisfy(
                        uri -> assertThat(uri)
                                .as("only the event path is traced")
                                .matches(
                                        "platform-http:///webhooks/smartcar|outbox://.*|direct://.*|http://127\\.0\\.0\\.1:.*"));
        assertThat(InMemoryTraces.trace(traceId)).hasSizeGreaterThan(4);
        assertThat(InMemoryTraces.everyText()).isNotEmpty().allSatisfy(text -> assertThat(text)
                .doesNotContain(
                        "admin-test-token",
                        Fixtures.MANAGEMENT_TOKEN,
                        "sink-token",
                        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                        "k3y-in-the-url")
                .doesNotContain("4242.5", "\"eventId\""));
    }

    // --- helpers ---

    private static BridgeHttp.Response deliver(byte[] body, Map<String, String> headers) {
        Map<String, String> all = new java.util.HashMap<>(headers);
        all.put("Content-Type", "application/json");
        all.put("SC-Signature", Fixtures.sign(body));
        return HTTP.send("POST", "/webhooks/smartcar", body, all);
    }

    /**
     * The attempt spans of the event to the destination {@code sink}, by attempt number, once there are {@code count}.
     */
    private static List<SpanData> attemptSpans(String eventId, int count) {
        return await().atMost(Duration.ofSeconds(15))
                .until(
                        () -> InMemoryTraces.withAttribute(EventSpans.EVENT_ID, eventId).stream()
                                .filter(span ->
                                        "sink".equals(span.getAttributes().get(EventSpans.DESTINATION)))
                                .sorted(Comparator.comparing(
                                        span -> span.getAttributes().get(EventSpans.ATTEMPT)))
                                .toList(),
                        spans -> spans.size() == count);
    }

    /** Camel's span of the intake route: the webhook request. */
    private static SpanData webhookRequest(String traceId) {
        List<SpanData> received = InMemoryTraces.trace(traceId).stream()
                .filter(span ->
                        "camel-platform-http".equals(span.getAttributes().get(AttributeKey.stringKey("component"))))
                .filter(span -> "EVENT_RECEIVED".equals(span.getAttributes().get(AttributeKey.stringKey("op"))))
                .toList();
        assertThat(received).as("the webhook request's span").hasSize(1);
        return received.get(0);
    }

    private static SpanData intakeSpan(String eventId) {
        List<SpanData> intake = InMemoryTraces.withAttribute(EventSpans.EVENT_ID, eventId).stream()
                .filter(span -> span.getName().equals("intake commit"))
                .toList();
        assertThat(intake).hasSize(1);
        return intake.get(0);
    }

    /** The requests the destination {@code sink} received for the event, oldest first. */
    private static List<ServeEvent> requestsFor(String eventId) {
        return sink.getAllServeEvents().stream()
                .filter(event -> event.getRequest().getUrl().equals("/sink")
                        && eventId.equals(event.getRequest().getHeader("Idempotency-Key")))
                .sorted(Comparator.comparing(event -> event.getRequest().getLoggedDate()))
                .toList();
    }

    private static void stubSequence(
            String eventId, com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder... answers) {
        String state = Scenario.STARTED;
        for (int i = 0; i < answers.length; i++) {
            String next = i == answers.length - 1 ? state : eventId + "-" + (i + 1);
            sink.stubFor(post(urlEqualTo("/sink"))
                    .atPriority(1)
                    .withRequestBody(matchingJsonPath("$.eventId", equalTo(eventId)))
                    .inScenario(eventId)
                    .whenScenarioStateIs(state)
                    .willSetStateTo(next)
                    .willReturn(answers[i]));
            state = next;
        }
    }

    private JdbcTemplate db() {
        return BridgeTest.database(camel);
    }
}
