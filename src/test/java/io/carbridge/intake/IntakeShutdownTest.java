package io.carbridge.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.AdviceWithRouteBuilder;
import org.apache.camel.test.main.junit5.AdviceRouteMapping;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

/** Graceful shutdown (SIGTERM, or any stop of Camel): a delivery already being stored is still stored and answered. */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = "bridge.db.url=jdbc:h2:mem:intake-shutdown-test;DB_CLOSE_DELAY=-1",
        advices = @AdviceRouteMapping(route = "smartcar-webhook", advice = IntakeShutdownTest.SlowStore.class))
class IntakeShutdownTest {

    private static final BridgeHttp HTTP = BridgeHttp.bridge();

    /** Holds each delivery just before it is stored, so that one is in flight when the shutdown begins. */
    public static class SlowStore extends AdviceWithRouteBuilder {
        @Override
        public void configure() {
            weaveById("store-event").before().delay(1500);
        }
    }

    @BeanInject
    CamelContext camel;

    @Test
    void aDeliveryInFlightWhenTheShutdownBeginsIsStillStoredAndAnswered() throws Exception {
        byte[] body =
                ("{\"eventId\":\"in-flight-at-shutdown\",\"eventType\":\"VEHICLE_STATE\",\"vehicleId\":\"v\",\"data\":{},"
                                + "\"meta\":{\"version\":\"4.0\"}}")
                        .getBytes(StandardCharsets.UTF_8);
        CompletableFuture<BridgeHttp.Response> inFlight =
                CompletableFuture.supplyAsync(() -> HTTP.deliver("/webhooks/smartcar", body, Fixtures.sign(body)));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> camel.getInflightRepository().size("smartcar-webhook") == 1);

        camel.stop();

        BridgeHttp.Response answer = inFlight.get(10, TimeUnit.SECONDS);
        assertThat(answer.status()).isEqualTo(202);
        assertThat(answer.header("Connection"))
                .as("no further request on a connection about to close")
                .isEqualTo("close");
        try (Connection connection = DriverManager.getConnection("jdbc:h2:mem:intake-shutdown-test", "sa", "");
                ResultSet rows = connection
                        .createStatement()
                        .executeQuery("SELECT COUNT(*) FROM webhook_event WHERE event_id = 'in-flight-at-shutdown'")) {
            rows.next();
            assertThat(rows.getInt(1)).isEqualTo(1);
        }
    }
}
