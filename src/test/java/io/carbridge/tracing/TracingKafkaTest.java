package io.carbridge.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.Fixtures;
import io.carbridge.testing.InMemoryTraces;
import io.carbridge.testing.KafkaBroker;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Traces on, a Kafka destination against a real broker in this JVM: the record carries the trace's {@code traceparent}
 * as a header, beside the bridge's own, so that a consumer continues the event's trace.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = {BridgeConfiguration.class, InMemoryTraces.class},
        propertyPlaceholderLocations = {BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = {
            "bridge.db.url=jdbc:h2:mem:tracing-kafka-test",
            "bridge.delivery.poll-interval=100ms",
            "bridge.destinations=events",
            "bridge.destination.events.uri=kafka:traced-events?brokers={{sys:test.kafka.bootstrap}}"
        })
class TracingKafkaTest {

    /** Started before the Camel context reads its properties, which name it. */
    private static final KafkaBroker BROKER = startBroker();

    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-01");

    private static KafkaBroker startBroker() {
        KafkaBroker broker = KafkaBroker.start();
        System.setProperty("test.kafka.bootstrap", broker.bootstrapServers());
        broker.createTopic("traced-events", 1, Map.of());
        return broker;
    }

    @AfterAll
    void stopBroker() {
        BROKER.close();
    }

    @Test
    void aKafkaRecordCarriesTheTraceparentOfItsEventsTrace() {
        byte[] body = Fixtures.currentEvent("trace-kafka", "VEHICLE_STATE", "veh-trace-kafka", "");
        assertThat(BridgeHttp.bridge()
                        .deliver("/webhooks/smartcar", body, Fixtures.sign(body))
                        .status())
                .isEqualTo(202);

        KafkaBroker.Record record = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> BROKER.records("traced-events").stream()
                                .filter(found ->
                                        "trace-kafka".equals(found.headers().get("eventId")))
                                .findFirst()
                                .orElse(null),
                        found -> found != null);
        SpanData attempt = await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> InMemoryTraces.withAttribute(EventSpans.EVENT_ID, "trace-kafka").stream()
                                .filter(span -> span.getName().equals("deliver events"))
                                .toList(),
                        spans -> spans.size() == 1)
                .get(0);
        List<SpanData> intake = InMemoryTraces.withAttribute(EventSpans.EVENT_ID, "trace-kafka").stream()
                .filter(span -> span.getName().equals("intake commit"))
                .toList();

        Matcher traceparent =
                TRACEPARENT.matcher(String.valueOf(record.headers().get("traceparent")));
        assertThat(traceparent.matches())
                .as("the record's traceparent header: " + record.headers())
                .isTrue();
        assertThat(traceparent.group(1)).isEqualTo(intake.get(0).getTraceId()).isEqualTo(attempt.getTraceId());
        SpanData producer = InMemoryTraces.byId(attempt.getTraceId()).get(traceparent.group(2));
        assertThat(producer).as("the span that wrote the record").isNotNull();
        assertThat(InMemoryTraces.descendsFrom(producer, attempt))
                .as("written by the attempt")
                .isTrue();
        assertThat(attempt.getAttributes().get(EventSpans.OUTCOME)).isEqualTo("DELIVERED");
        assertThat(record.headers())
                .containsEntry("eventId", "trace-kafka")
                .containsEntry("vehicleId", "veh-trace-kafka")
                .doesNotContainKeys("CamelOutboxEventId", "kafka.KEY");
    }
}
