package io.carbridge.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A correctly signed delivery captured and sent again after retention purged its id: with 168 hours of retention, a
 * current-format delivery whose {@code meta.deliveredAt} is more than 6 days old is answered 200 {@code stale} and not
 * stored; a younger one, and any delivery without a {@code deliveredAt}, is stored as usual.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = {"bridge.db.url=jdbc:h2:mem:stale-replay-test", "bridge.retention.hours=168"})
class StaleReplayTest {

    private static final BridgeHttp HTTP = BridgeHttp.bridge();
    private static final String PATH = "/webhooks/smartcar";
    private static final String STALE = "bridge_intake_outcome_total{outcome=\"stale\"}";

    @BeanInject
    CamelContext camel;

    @Test
    void aDeliveryOlderThanTheRetentionLessADayIsAnsweredStaleAndNotStored() {
        double staleBefore = BridgeHttp.metric(STALE);
        long sevenDaysAgo = Instant.now().minus(Duration.ofDays(7)).toEpochMilli();

        BridgeHttp.Response state = deliver(event("stale-state", "VEHICLE_STATE", String.valueOf(sevenDaysAgo)));
        BridgeHttp.Response error = deliver(
                event("stale-error", "VEHICLE_ERROR", "\"" + Instant.now().minus(Duration.ofHours(6 * 24 + 1)) + "\""));

        for (BridgeHttp.Response response : new BridgeHttp.Response[] {state, error}) {
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.json().get("status").asText()).isEqualTo("stale");
        }
        assertThat(stored("stale-state") + stored("stale-error")).isZero();
        assertThat(BridgeHttp.metric(STALE)).isEqualTo(staleBefore + 2);
    }

    @Test
    void aYoungerDeliveryIsStored() {
        String fiveDaysAgoInSeconds =
                String.valueOf(Instant.now().minus(Duration.ofDays(5)).getEpochSecond());

        BridgeHttp.Response response = deliver(event("fresh-state", "VEHICLE_STATE", fiveDaysAgoInSeconds));

        assertThat(response.status()).isEqualTo(202);
        assertThat(stored("fresh-state")).isEqualTo(1);
    }

    @Test
    void aDeliveryWithoutAReadableDeliveredAtIsNotJudged() {
        byte[] legacy = Fixtures.bytes("legacy-event-charging-completed.json");

        assertThat(HTTP.deliver(PATH, legacy, Fixtures.signature("legacy-event-charging-completed.json"))
                        .status())
                .isEqualTo(202);
        assertThat(deliver(event("no-delivered-at", "VEHICLE_STATE", "\"not a time\""))
                        .status())
                .isEqualTo(202);
        assertThat(stored("no-delivered-at")).isEqualTo(1);
    }

    @Test
    void aStaleSampleDeliveryIsRefusedButTheVerificationChallengeIsAnswered() {
        // Smartcar's sample delivery was delivered in 2024
        BridgeHttp.Response sample = HTTP.deliver(
                PATH, Fixtures.bytes("v4-vehicle-state.json"), Fixtures.signature("v4-vehicle-state.json"));
        BridgeHttp.Response challenge = HTTP.deliver(PATH, Fixtures.bytes("v4-verify.json"), null);

        assertThat(sample.json().get("status").asText()).isEqualTo("stale");
        assertThat(stored("550e8400-e29b-41d4-a716-446655440000")).isZero();
        assertThat(challenge.status()).isEqualTo(200);
        assertThat(challenge.json().get("challenge").asText())
                .isEqualTo(Fixtures.expectedChallengeResponse("v4-verify.json"));
    }

    private int stored(String eventId) {
        return BridgeTest.database(camel)
                .queryForObject("SELECT COUNT(*) FROM webhook_event WHERE event_id = ?", Integer.class, eventId);
    }

    private static byte[] event(String eventId, String type, String deliveredAt) {
        return ("{\"eventId\":\"" + eventId + "\",\"eventType\":\"" + type + "\",\"vehicleId\":\"v-stale\",\"data\":{},"
                        + "\"meta\":{\"version\":\"4.0\",\"mode\":\"LIVE\",\"deliveredAt\":" + deliveredAt + "}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static BridgeHttp.Response deliver(byte[] body) {
        return HTTP.deliver(PATH, body, Fixtures.sign(body));
    }
}
