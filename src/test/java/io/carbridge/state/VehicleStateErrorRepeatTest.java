package io.carbridge.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.carbridge.BridgeConfiguration;
import io.carbridge.Json;
import io.carbridge.intake.Envelopes;
import io.carbridge.storage.CanonicalEvent;
import io.carbridge.storage.Storage;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.DestinationsDouble;
import io.carbridge.testing.Fixtures;
import io.carbridge.testing.LogCapture;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Smartcar's duplicate errors folded (bridge.intake.error-dedupe-window, 5 minutes by default): a VEHICLE_ERROR with a
 * new event id but the same user, vehicle, error type and code, and state as one delivered within the window is stored,
 * marked as a repeat of the first, and not forwarded; the log line says why. The time is Smartcar's
 * {@code meta.deliveredAt}, which the tests set. The destinations of {@link BridgeTest#DESTINATIONS}: {@code sink}
 * takes every event, {@code gone} the VEHICLE_ERRORs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            BridgeTest.TEST_PROPERTIES,
            BridgeTest.DESTINATIONS,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = "bridge.db.url=jdbc:h2:mem:vehicle-state-error-repeat-test")
class VehicleStateErrorRepeatTest {

    static final BridgeHttp HTTP = BridgeHttp.bridge();
    static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer admin-test-token");

    private WireMockServer sink;

    @BeanInject
    CamelContext camel;

    @BeforeAll
    void startDestinations() {
        sink = DestinationsDouble.start();
        DestinationsDouble.answerEverythingWith200(sink);
    }

    @AfterAll
    void stopDestinations() {
        sink.stop();
    }

    @Test
    void theSameErrorThirtySecondsLaterWithAnotherIdIsStoredAsARepeatAndNotForwarded() {
        Instant first = now().minusSeconds(30);
        try (LogCapture logs = LogCapture.start()) {
            assertThat(deliver(error(
                            "repeat-first",
                            "veh-repeat",
                            first,
                            "CONNECTED_SERVICES_ACCOUNT",
                            "AUTHENTICATION_FAILED",
                            "ERROR")))
                    .isEqualTo(202);
            assertThat(deliver(error(
                            "repeat-second",
                            "veh-repeat",
                            first.plusSeconds(30),
                            "CONNECTED_SERVICES_ACCOUNT",
                            "AUTHENTICATION_FAILED",
                            "ERROR")))
                    .isEqualTo(202);

            assertThat(deliveries("repeat-first")).containsExactly("gone", "sink");
            assertThat(deliveries("repeat-second"))
                    .as("a repeat is not forwarded")
                    .isEmpty();
            assertThat(logs.containing("eventId=repeat-second"))
                    .singleElement()
                    .asString()
                    .contains("forwardedTo=none repeatOf=repeat-first")
                    .contains("gone: repeat of repeat-first within bridge.intake.error-dedupe-window")
                    .contains("sink: repeat of repeat-first");
        }
        JsonNode listed = listed("veh-repeat", "repeat-second");
        assertThat(listed.get("repeatOf").asText()).isEqualTo("repeat-first");
        assertThat(listed("veh-repeat", "repeat-first").get("repeatOf").isNull())
                .isTrue();
        JsonNode detail = HTTP.get("/admin/events/repeat-second", ADMIN).json();
        assertThat(detail.get("repeatOf").asText()).isEqualTo("repeat-first");
        assertThat(detail.get("deliveries")).isEmpty();
    }

    @Test
    void anotherErrorCodeAStateChangeOrTheSameErrorAfterTheWindowIsForwarded() {
        Instant at = now().minus(Duration.ofMinutes(30));
        deliver(error("news-first", "veh-news", at, "VEHICLE_STATE", "ASLEEP", "ERROR"));
        deliver(error("news-other-code", "veh-news", at.plusSeconds(10), "VEHICLE_STATE", "UNREACHABLE", "ERROR"));
        deliver(error("news-resolved", "veh-news", at.plusSeconds(20), "VEHICLE_STATE", "ASLEEP", "RESOLVED"));
        deliver(error("news-again", "veh-news", at.plusSeconds(40), "VEHICLE_STATE", "ASLEEP", "ERROR"));
        deliver(error("news-other-vehicle", "veh-news-2", at.plusSeconds(50), "VEHICLE_STATE", "ASLEEP", "ERROR"));
        deliver(error("news-later", "veh-news", at.plusSeconds(40 + 6 * 60), "VEHICLE_STATE", "ASLEEP", "ERROR"));
        deliver(error(
                "news-later-repeat", "veh-news", at.plusSeconds(40 + 7 * 60), "VEHICLE_STATE", "ASLEEP", "ERROR"));

        for (String eventId : List.of(
                "news-first", "news-other-code", "news-resolved", "news-again", "news-other-vehicle", "news-later")) {
            assertThat(deliveries(eventId)).as(eventId).containsExactly("gone", "sink");
        }
        assertThat(deliveries("news-later-repeat")).isEmpty();
        assertThat(listed("veh-news", "news-later-repeat").get("repeatOf").asText())
                .as("a repeat of the error forwarded last")
                .isEqualTo("news-later");
    }

    @Test
    void twoCopiesInOneBatchFoldIntoOne() throws Exception {
        Instant at = now().minus(Duration.ofHours(1));
        VehicleStateWriter writer = new VehicleStateWriter(isPostgres(), Duration.ofMinutes(5));
        List<CanonicalEvent> batch = List.of(
                event(error("batch-one", "veh-batch-repeat", at, "VEHICLE_STATE", "ASLEEP", "ERROR")),
                event(error("batch-two", "veh-batch-repeat", at.plusSeconds(1), "VEHICLE_STATE", "ASLEEP", "ERROR")),
                event(error(
                        "batch-three", "veh-batch-repeat", at.plusSeconds(2), "VEHICLE_STATE", "ASLEEP", "RESOLVED")),
                event(error(
                        "batch-four", "veh-batch-repeat", at.plusSeconds(3), "VEHICLE_STATE", "ASLEEP", "RESOLVED")));

        Map<String, String> repeats;
        try (Connection connection = dataSource().getConnection()) {
            connection.setAutoCommit(false);
            repeats = writer.repeats(connection, batch);
            connection.commit();
        }

        assertThat(repeats).isEqualTo(Map.of("batch-two", "batch-one", "batch-four", "batch-three"));
        assertThat(db().queryForObject(
                                "SELECT first_event_id FROM error_repeat WHERE first_event_id LIKE 'batch-%'",
                                String.class))
                .as("the error forwarded last of the batch is the one later copies repeat")
                .isEqualTo("batch-three");
    }

    // --- helpers

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    /** A 4.0 VEHICLE_ERROR of one error, delivered at {@code deliveredAt}, as the sample has it. */
    static byte[] error(String eventId, String vehicleId, Instant deliveredAt, String type, String code, String state) {
        return ("{\"eventId\":\"" + eventId + "\",\"eventType\":\"VEHICLE_ERROR\",\"vehicleId\":\"" + vehicleId
                        + "\",\"data\":{"
                        + "\"user\":{\"id\":\"user-" + vehicleId + "\"},\"vehicle\":{\"id\":\"" + vehicleId
                        + "\",\"make\":\"TESLA\"},"
                        + "\"errors\":[{\"type\":\"" + type + "\",\"code\":\"" + code + "\",\"state\":\"" + state
                        + "\",\"description\":\"test\","
                        + "\"resolution\":{\"type\":\"RETRY_LATER\"},\"signals\":[{\"code\":\"tractionbattery-stateofcharge\"}]}]},"
                        + "\"meta\":{\"version\":\"4.0\",\"deliveryId\":\"d-" + eventId + "\",\"deliveredAt\":"
                        + deliveredAt.toEpochMilli()
                        + ",\"mode\":\"LIVE\",\"webhookId\":\"wh-test\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    static int deliver(byte[] body) {
        return HTTP.deliver("/webhooks/smartcar", body, Fixtures.sign(body)).status();
    }

    @SuppressWarnings("unchecked")
    static CanonicalEvent event(byte[] body) throws Exception {
        return Envelopes.currentEvent(Json.MAPPER.readValue(body, Map.class), body, Instant.now());
    }

    static JsonNode listed(String vehicleId, String eventId) {
        for (JsonNode event :
                HTTP.get("/admin/events?vehicleId=" + vehicleId, ADMIN).json()) {
            if (event.get("eventId").asText().equals(eventId)) {
                return event;
            }
        }
        throw new AssertionError("event " + eventId + " not listed");
    }

    List<String> deliveries(String eventId) {
        return db().queryForList(
                        "SELECT destination FROM delivery WHERE event_id = ? ORDER BY destination",
                        String.class,
                        eventId);
    }

    boolean isPostgres() {
        return !camel.getRegistry()
                .lookupByNameAndType(Storage.DATA_SOURCE, com.zaxxer.hikari.HikariDataSource.class)
                .getJdbcUrl()
                .startsWith("jdbc:h2:");
    }

    DataSource dataSource() {
        return camel.getRegistry().lookupByNameAndType(Storage.DATA_SOURCE, DataSource.class);
    }

    JdbcTemplate db() {
        return BridgeTest.database(camel);
    }
}
