package io.carbridge.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The vehicles table kept up to date by the intake from current-format events, with no destination configured (so
 * nothing is forwarded), and a subscription confirmed by Smartcar's FIRST_DELIVERY, as {@code /admin/vehicles} shows
 * it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = {"bridge.db.url=jdbc:h2:mem:vehicle-facts-at-intake-test", "bridge.admin.token=facts-admin"})
class VehicleFactsAtIntakeTest {

    private static final BridgeHttp HTTP = BridgeHttp.bridge();
    private static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer facts-admin");

    @BeanInject
    CamelContext camel;

    @Test
    void aCurrentFormatEventRecordsItsVehicleWhateverTheDestinations() {
        assertThat(deliver(
                                "facts-1",
                                "VEHICLE_STATE",
                                "veh-facts",
                                "{\"user\":{\"id\":\"user-facts\"},"
                                        + "\"vehicle\":{\"id\":\"veh-facts\",\"make\":\"KIA\",\"model\":\"EV6\",\"year\":\"2023\"}}",
                                "")
                        .status())
                .isEqualTo(202);
        assertThat(db().queryForObject("SELECT COUNT(*) FROM delivery WHERE event_id = 'facts-1'", Integer.class))
                .as("no destination: nothing forwarded")
                .isZero();

        JsonNode vehicle = vehicle("veh-facts");
        assertThat(vehicle.get("userId").asText()).isEqualTo("user-facts");
        assertThat(vehicle.get("make").asText()).isEqualTo("KIA");
        assertThat(vehicle.get("model").asText()).isEqualTo("EV6");
        assertThat(vehicle.get("year").asInt()).isEqualTo(2023);

        // a later event that names the vehicle without its make keeps what is known
        deliver(
                "facts-2",
                "VEHICLE_ERROR",
                "veh-facts",
                "{\"vehicle\":{\"id\":\"veh-facts\",\"model\":\"EV6 GT\"}}",
                "");
        vehicle = vehicle("veh-facts");
        assertThat(vehicle.get("make").asText()).isEqualTo("KIA");
        assertThat(vehicle.get("model").asText()).isEqualTo("EV6 GT");
        assertThat(vehicle.get("userId").asText()).isEqualTo("user-facts");
    }

    @Test
    void theFirstVehicleStateTriggeredByFirstDeliveryConfirmsTheSubscription() {
        db().update(
                        "INSERT INTO vehicle (vehicle_id, user_id, subscription_status, subscribed_at, failure_count, updated_at) "
                                + "VALUES ('veh-confirm', 'user-confirm', 'SUBSCRIBED', ?, 0, ?)",
                        time(Instant.now().minusSeconds(3600)),
                        time(Instant.now()));
        String vehicleBlock = "{\"vehicle\":{\"id\":\"veh-confirm\",\"make\":\"TESLA\"}";

        deliver(
                "confirm-other-trigger",
                "VEHICLE_STATE",
                "veh-confirm",
                vehicleBlock + ",\"triggers\":[{\"code\":\"charge-ischarging\"}]}",
                "");
        deliver(
                "confirm-error",
                "VEHICLE_ERROR",
                "veh-confirm",
                vehicleBlock + ",\"triggers\":[{\"type\":\"FIRST_DELIVERY\"}]}",
                "");
        assertThat(vehicle("veh-confirm").get("subscriptionConfirmedAt").isNull())
                .as("not a FIRST_DELIVERY VEHICLE_STATE")
                .isTrue();

        deliver(
                "confirm-first",
                "VEHICLE_STATE",
                "veh-confirm",
                vehicleBlock + ",\"triggers\":[{\"type\":\"FIRST_DELIVERY\"}]}",
                "");
        Instant confirmedAt = Instant.parse(
                vehicle("veh-confirm").get("subscriptionConfirmedAt").asText());
        assertThat(confirmedAt).isEqualTo(receivedAt("confirm-first"));

        // the older responses shape: triggers at the top level, by code; a second FIRST_DELIVERY changes nothing
        deliver(
                "confirm-again",
                "VEHICLE_STATE",
                "veh-confirm",
                vehicleBlock + "}",
                ",\"triggers\":[{\"code\":\"FIRST_DELIVERY\"}]");
        assertThat(Instant.parse(
                        vehicle("veh-confirm").get("subscriptionConfirmedAt").asText()))
                .isEqualTo(confirmedAt);

        // subscribed again (after an unsubscribe): the next FIRST_DELIVERY confirms the new subscription
        db().update("UPDATE vehicle SET subscribed_at = ? WHERE vehicle_id = 'veh-confirm'", time(Instant.now()));
        deliver(
                "confirm-resubscribed",
                "VEHICLE_STATE",
                "veh-confirm",
                vehicleBlock + ",\"triggers\":[{\"type\":\"FIRST_DELIVERY\"}]}",
                "");
        assertThat(Instant.parse(
                        vehicle("veh-confirm").get("subscriptionConfirmedAt").asText()))
                .isEqualTo(receivedAt("confirm-resubscribed"));
    }

    @Test
    void aFirstDeliveryOfAVehicleTheBridgeDidNotKnowRecordsAndConfirmsIt() throws Exception {
        byte[] sample = Fixtures.bytes("v4-vehicle-state.json");
        String firstDelivery = new String(sample, StandardCharsets.UTF_8)
                .replace(
                        "\"code\": \"tractionbattery-stateofcharge\",\n        \"name\": \"StateOfCharge\"",
                        "\"type\": \"FIRST_DELIVERY\"");
        byte[] body = firstDelivery.getBytes(StandardCharsets.UTF_8);

        assertThat(HTTP.deliver("/webhooks/smartcar", body, Fixtures.sign(body)).status())
                .isEqualTo(202);

        JsonNode vehicle = vehicle("9af13248-5b5c-4f4b-8b52-1c2d3e4f5a6b");
        assertThat(vehicle.get("make").asText()).isEqualTo("TESLA");
        assertThat(vehicle.get("subscriptionStatus").asText()).isEqualTo("NONE");
        assertThat(vehicle.get("subscriptionConfirmedAt").isNull()).isFalse();
    }

    private BridgeHttp.Response deliver(String eventId, String type, String vehicleId, String data, String topLevel) {
        byte[] body = ("{\"eventId\":\"" + eventId + "\",\"eventType\":\"" + type + "\",\"vehicleId\":\"" + vehicleId
                        + "\",\"data\":" + data + topLevel + ",\"meta\":{\"version\":\"4.0\",\"mode\":\"LIVE\"}}")
                .getBytes(StandardCharsets.UTF_8);
        return HTTP.deliver("/webhooks/smartcar", body, Fixtures.sign(body));
    }

    private JsonNode vehicle(String vehicleId) {
        for (JsonNode vehicle : HTTP.get("/admin/vehicles", ADMIN).json().get("vehicles")) {
            if (vehicle.get("vehicleId").asText().equals(vehicleId)) {
                return vehicle;
            }
        }
        throw new AssertionError("no vehicle " + vehicleId);
    }

    private Instant receivedAt(String eventId) {
        return db().queryForObject(
                        "SELECT received_at FROM webhook_event WHERE event_id = ?", OffsetDateTime.class, eventId)
                .toInstant();
    }

    private static OffsetDateTime time(Instant instant) {
        return OffsetDateTime.ofInstant(instant, java.time.ZoneOffset.UTC);
    }

    private JdbcTemplate db() {
        return BridgeTest.database(camel);
    }
}
