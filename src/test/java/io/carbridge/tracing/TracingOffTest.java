package io.carbridge.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.DestinationsDouble;
import io.carbridge.testing.Fixtures;
import java.time.Duration;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Tracing off, as shipped (no collector named): nothing of it runs. No Camel tracer, no trace context stored with an
 * event, no {@code traceparent} sent to a destination.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            BridgeTest.TEST_PROPERTIES,
            BridgeTest.DESTINATIONS,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = "bridge.db.url=jdbc:h2:mem:tracing-off-test")
class TracingOffTest {

    private static WireMockServer sink;

    @BeanInject
    CamelContext camel;

    @BeforeAll
    void startSink() {
        sink = DestinationsDouble.start();
        DestinationsDouble.answerEverythingWith200(sink);
    }

    @AfterAll
    void stopSink() {
        sink.stop();
    }

    @Test
    void withoutACollectorNothingIsTracedStoredOrSent() {
        byte[] body = Fixtures.currentEvent("trace-off", "VEHICLE_STATE", "veh-trace-off", "");

        assertThat(BridgeHttp.bridge()
                        .send(
                                "POST",
                                "/webhooks/smartcar",
                                body,
                                java.util.Map.of(
                                        "Content-Type",
                                        "application/json",
                                        "SC-Signature",
                                        Fixtures.sign(body),
                                        "traceparent",
                                        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
                        .status())
                .isEqualTo(202);

        ServeEvent request = await().atMost(Duration.ofSeconds(15))
                .until(
                        () -> sink.getAllServeEvents().stream()
                                .filter(event ->
                                        "trace-off".equals(event.getRequest().getHeader("Idempotency-Key")))
                                .findFirst()
                                .orElse(null),
                        found -> found != null);
        assertThat(request.getRequest().containsHeader("traceparent")).isFalse();
        assertThat(camel.hasService(org.apache.camel.telemetry.Tracer.class))
                .as("Camel's tracer")
                .isNull();
        assertThat(camel.getRoutePolicyFactories())
                .noneMatch(factory -> factory instanceof org.apache.camel.telemetry.Tracer);
        assertThat(BridgeTest.database(camel)
                        .queryForObject(
                                "SELECT COUNT(*) FROM webhook_event WHERE event_id = 'trace-off' "
                                        + "AND trace_parent IS NULL",
                                Integer.class))
                .isEqualTo(1);
    }
}
