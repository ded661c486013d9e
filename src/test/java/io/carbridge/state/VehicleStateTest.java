package io.carbridge.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.carbridge.BridgeConfiguration;
import io.carbridge.intake.Envelopes;
import io.carbridge.storage.CanonicalEvent;
import io.carbridge.storage.Storage;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.DestinationsDouble;
import io.carbridge.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
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
 * The latest state of every signal, kept by the intake in the events' own transaction: out-of-order deliveries never
 * take it back in time, an error never erases the last good value, a signal without {@code oemUpdatedAt} falls back to
 * {@code fetchedAt}, odd times are not applied and flag the event, and none of it refuses a delivery. Read back through
 * {@code GET /admin/vehicles/{id}/state}, the metrics, and the table itself. The destinations of
 * {@link BridgeTest#DESTINATIONS} take every event, so "forwarded as configured" is a delivery to {@code sink}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            BridgeTest.TEST_PROPERTIES,
            BridgeTest.DESTINATIONS,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = "bridge.db.url=jdbc:h2:mem:vehicle-state-test")
class VehicleStateTest {

    static final BridgeHttp HTTP = BridgeHttp.bridge();
    static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer admin-test-token");
    static final String CHARGE = "tractionbattery-stateofcharge";
    static final String ODOMETER = "odometer-traveleddistance";

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
    void outOfOrderDeliveriesNewerFirstLeaveTheNewerValue() {
        Instant older = now().minus(Duration.ofHours(2));
        Instant newer = older.plusSeconds(600);

        assertThat(deliver(state(
                        "order-newer",
                        "veh-order",
                        value(CHARGE, "{\"unit\":\"percent\",\"value\":81}", newer, newer.plusSeconds(2)))))
                .isEqualTo(202);
        assertThat(deliver(state(
                        "order-older",
                        "veh-order",
                        value(CHARGE, "{\"unit\":\"percent\",\"value\":64}", older, older.plusSeconds(2)))))
                .isEqualTo(202);

        JsonNode charge = signal("veh-order", CHARGE);
        assertThat(charge.get("value").get("value").asInt()).isEqualTo(81);
        assertThat(charge.get("unit").asText()).isEqualTo("percent");
        assertThat(Instant.parse(charge.get("oemUpdatedAt").asText())).isEqualTo(newer);
        assertThat(Instant.parse(charge.get("fetchedAt").asText())).isEqualTo(newer.plusSeconds(2));
        assertThat(charge.get("eventId").asText()).isEqualTo("order-newer");
        assertThat(deliveries("order-older"))
                .as("the older event is still stored and forwarded as configured")
                .containsExactly("sink");

        // and in the right order it moves on
        Instant newest = newer.plusSeconds(600);
        deliver(state("order-newest", "veh-order", value(CHARGE, "{\"unit\":\"percent\",\"value\":90}", newest, null)));
        assertThat(signal("veh-order", CHARGE).get("value").get("value").asInt())
                .isEqualTo(90);
        assertThat(signal("veh-order", CHARGE).get("fetchedAt").isNull()).isTrue();
    }

    @Test
    void anOlderReportInTheSameBatchNeverOverwritesANewerOne() throws Exception {
        Instant older = now().minus(Duration.ofHours(3));
        Instant newer = older.plusSeconds(60);
        VehicleStateWriter writer = new VehicleStateWriter(isPostgres(), Duration.ofMinutes(5));
        List<CanonicalEvent> batch = List.of(
                event(state(
                        "batch-newer",
                        "veh-batch",
                        value(ODOMETER, "{\"unit\":\"kilometers\",\"value\":1200}", newer, null))),
                event(state(
                        "batch-older",
                        "veh-batch",
                        value(ODOMETER, "{\"unit\":\"kilometers\",\"value\":1100}", older, null))));

        try (Connection connection = dataSource().getConnection()) {
            connection.setAutoCommit(false);
            writer.write(connection, batch, Instant.now());
            connection.commit();
        }

        try (Connection connection = dataSource().getConnection()) {
            connection.setAutoCommit(false);
            writer.write(
                    connection,
                    List.of(
                            event(state(
                                    "batch-2-older",
                                    "veh-batch-2",
                                    value(ODOMETER, "{\"unit\":\"kilometers\",\"value\":1100}", older, null))),
                            event(state(
                                    "batch-2-newer",
                                    "veh-batch-2",
                                    value(ODOMETER, "{\"unit\":\"kilometers\",\"value\":1200}", newer, null)))),
                    Instant.now());
            connection.commit();
        }

        // a writer that remembers nothing (a restarted instance, another one) has the database compare
        try (Connection connection = dataSource().getConnection()) {
            connection.setAutoCommit(false);
            new VehicleStateWriter(isPostgres(), Duration.ofMinutes(5))
                    .write(
                            connection,
                            List.of(event(state(
                                    "batch-late",
                                    "veh-batch",
                                    value(
                                            ODOMETER,
                                            "{\"unit\":\"kilometers\",\"value\":1000}",
                                            older.minusSeconds(60),
                                            null)))),
                            Instant.now());
            connection.commit();
        }

        for (String vehicle : List.of("veh-batch", "veh-batch-2")) {
            assertThat(db().queryForObject(
                                    "SELECT value_json FROM vehicle_signal WHERE vehicle_id = ?",
                                    String.class,
                                    vehicle))
                    .as(vehicle)
                    .contains("1200");
        }
        assertThat(db().queryForObject(
                                "SELECT value_event_id FROM vehicle_signal WHERE vehicle_id = 'veh-batch'",
                                String.class))
                .isEqualTo("batch-newer");
    }

    @Test
    void anErrorIsKeptAsThatErrorAndDoesNotEraseTheLastGoodValue() {
        Instant at = now().minus(Duration.ofHours(4));
        deliver(state("error-good", "veh-error", value(CHARGE, "{\"unit\":\"percent\",\"value\":55}", at, null)));

        // the sample's shape: an errored signal has a status and no body, and no meta
        assertThat(deliver(state(
                        "error-bad",
                        "veh-error",
                        at.plusSeconds(60),
                        "{\"code\":\"" + CHARGE
                                + "\",\"name\":\"StateOfCharge\",\"group\":\"TractionBattery\",\"status\":{\"value\":\"ERROR\","
                                + "\"error\":{\"type\":\"VEHICLE_STATE\",\"code\":\"ASLEEP\"}}}")))
                .isEqualTo(202);

        JsonNode charge = signal("veh-error", CHARGE);
        assertThat(charge.get("value").get("value").asInt())
                .as("the last good value stays")
                .isEqualTo(55);
        assertThat(charge.get("eventId").asText()).isEqualTo("error-good");
        JsonNode error = charge.get("error");
        assertThat(error.get("type").asText()).isEqualTo("VEHICLE_STATE");
        assertThat(error.get("code").asText()).isEqualTo("ASLEEP");
        assertThat(error.get("eventId").asText()).isEqualTo("error-bad");
        assertThat(error.get("current").asBoolean()).isTrue();
        assertThat(Instant.parse(error.get("at").asText()))
                .as("an error without a time of its own: its delivery's")
                .isEqualTo(at.plusSeconds(60));

        // a later value: the error is kept, no longer current
        deliver(state(
                "error-recovered",
                "veh-error",
                value(CHARGE, "{\"unit\":\"percent\",\"value\":57}", at.plusSeconds(120), null)));
        charge = signal("veh-error", CHARGE);
        assertThat(charge.get("value").get("value").asInt()).isEqualTo(57);
        assertThat(charge.get("error").get("code").asText()).isEqualTo("ASLEEP");
        assertThat(charge.get("error").get("current").asBoolean()).isFalse();
    }

    @Test
    void aSignalWithoutOemUpdatedAtFallsBackToFetchedAtAndWithNeitherIsNotApplied() {
        Instant fetched = now().minus(Duration.ofHours(5));
        assertThat(deliver(state(
                        "fallback-fetched",
                        "veh-fallback",
                        "{\"code\":\"" + CHARGE + "\",\"body\":{\"value\":40},\"meta\":{\"fetchedAt\":"
                                + fetched.toEpochMilli() + "}}",
                        "{\"code\":\"" + ODOMETER + "\",\"body\":{\"value\":9},\"meta\":{}}")))
                .isEqualTo(202);

        JsonNode charge = signal("veh-fallback", CHARGE);
        assertThat(charge.get("value").get("value").asInt()).isEqualTo(40);
        assertThat(charge.get("oemUpdatedAt").isNull()).isTrue();
        assertThat(Instant.parse(charge.get("valueAt").asText())).isEqualTo(fetched);
        assertThat(signals("veh-fallback")).as("no time at all: not applied").containsExactly(CHARGE);
        assertThat(event("fallback-fetched").get("signalTimeUnreadable").asBoolean())
                .as("a missing time is not unreadable")
                .isFalse();
        assertThat(deliveries("fallback-fetched")).containsExactly("sink");
    }

    @Test
    void aNonNumericOemUpdatedAtIsNotAppliedAndFlagsTheEventWhichIsStoredAndAcknowledged() {
        Instant fetched = now().minus(Duration.ofHours(6));
        assertThat(deliver(state(
                        "unreadable-time",
                        "veh-unreadable",
                        "{\"code\":\"" + CHARGE
                                + "\",\"body\":{\"value\":33},\"meta\":{\"oemUpdatedAt\":\"yesterday\",\"fetchedAt\":"
                                + fetched.toEpochMilli() + "}}",
                        value(ODOMETER, "{\"value\":12}", fetched, null))))
                .isEqualTo(202);

        assertThat(signals("veh-unreadable"))
                .as("the readable signal applied, the other not")
                .containsExactly(ODOMETER);
        JsonNode listed =
                HTTP.get("/admin/events?vehicleId=veh-unreadable", ADMIN).json().get(0);
        assertThat(listed.get("eventId").asText()).isEqualTo("unreadable-time");
        assertThat(listed.get("signalTimeUnreadable").asBoolean()).isTrue();
        assertThat(event("unreadable-time").get("signalTimeUnreadable").asBoolean())
                .isTrue();
        assertThat(deliveries("unreadable-time")).containsExactly("sink");
    }

    @Test
    void aFiftyKilobytePayloadIsAcceptedWithEverySignal() {
        Instant at = now().minus(Duration.ofHours(7));
        List<String> signals = new ArrayList<>();
        for (int i = 0; i < 185; i++) {
            signals.add(value(
                    "custom-signal-" + i,
                    "{\"unit\":\"kilometers\",\"value\":" + i + ",\"note\":\"" + "x".repeat(120) + "\"}",
                    at,
                    at));
        }
        byte[] body = state("fifty-kilobytes", "veh-large", signals.toArray(String[]::new));
        assertThat(body.length).isBetween(48_000, 51_200);

        assertThat(deliver(body)).isEqualTo(202);

        assertThat(signals("veh-large")).hasSize(185);
        assertThat(signal("veh-large", "custom-signal-184")
                        .get("value")
                        .get("value")
                        .asInt())
                .isEqualTo(184);
    }

    @Test
    void theSampleDeliveryGivesItsValueAndItsErroredSignal() {
        byte[] sample = Fixtures.bytes("v4-vehicle-state.json");
        assertThat(HTTP.deliver("/webhooks/smartcar", sample, Fixtures.signature("v4-vehicle-state.json"))
                        .status())
                .isIn(200, 202);

        JsonNode state = HTTP.get("/admin/vehicles/9af13248-5b5c-4f4b-8b52-1c2d3e4f5a6b/state", ADMIN)
                .json();
        JsonNode charge = find(state, CHARGE);
        assertThat(charge.get("value").get("value").asInt()).isEqualTo(78);
        assertThat(charge.get("oemUpdatedAt").asText()).isEqualTo("2024-11-18T14:32:08Z");
        JsonNode home = find(state, "location-isathome");
        assertThat(home.get("value").isNull()).isTrue();
        assertThat(home.get("error").get("code").asText()).isEqualTo("VEHICLE_NOT_CAPABLE");
        assertThat(home.get("error").get("at").asText())
                .as("the time of the state it came with")
                .isEqualTo("2024-11-18T14:32:08Z");
    }

    @Test
    void theStateOfAnUnknownVehicleIs404() {
        assertThat(HTTP.get("/admin/vehicles/veh-never-seen/state", ADMIN).status())
                .isEqualTo(404);
    }

    @Test
    void theOpenApiDescriptionHasTheStateAndTheReconciliationCalls() {
        JsonNode paths = HTTP.get("/admin/openapi.json", Map.of()).json().get("paths");

        assertThat(paths.get("/admin/vehicles/{vehicleId}/state").has("get")).isTrue();
        assertThat(paths.get("/admin/vehicles/reconcile").has("get")).isTrue();
        assertThat(paths.get("/admin/vehicles/reconcile").has("post")).isTrue();
    }

    @Test
    void theMetricsCountTheVehiclesWithAStateAndTheAgeOfTheFreshestSignal() {
        Instant recent = now().minusSeconds(30);
        deliver(state("metrics-recent", "veh-metrics", value(CHARGE, "{\"value\":12}", recent, null)));
        int vehicles = db().queryForObject("SELECT COUNT(DISTINCT vehicle_id) FROM vehicle_signal", Integer.class);
        // the refresh the service runs every StateMetrics.REFRESH_SECONDS, now rather than waiting up to 15 s for it
        camel.hasService(StateMetrics.class).refresh();

        assertThat(BridgeHttp.metric("bridge_state_vehicles")).isEqualTo(vehicles);
        assertThat(BridgeHttp.metric("bridge_state_freshest_signal_age_seconds"))
                .isBetween(30.0, 30.0 + 60);
    }

    // --- helpers

    /** Now, to the millisecond: what an epoch-millisecond time in a delivery can say. */
    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    static String value(String code, String body, Instant oemUpdatedAt, Instant fetchedAt) {
        return "{\"code\":\"" + code + "\",\"body\":" + body + ",\"meta\":{"
                + (oemUpdatedAt == null ? "" : "\"oemUpdatedAt\":" + oemUpdatedAt.toEpochMilli())
                + (fetchedAt == null
                        ? ""
                        : (oemUpdatedAt == null ? "" : ",") + "\"fetchedAt\":" + fetchedAt.toEpochMilli())
                + "}}";
    }

    static byte[] state(String eventId, String vehicleId, String... signals) {
        return state(eventId, vehicleId, Instant.now(), signals);
    }

    /** A 4.0 VEHICLE_STATE of these signals, delivered at {@code deliveredAt}. */
    static byte[] state(String eventId, String vehicleId, Instant deliveredAt, String... signals) {
        return ("{\"eventId\":\"" + eventId + "\",\"eventType\":\"VEHICLE_STATE\",\"vehicleId\":\"" + vehicleId
                        + "\",\"data\":{"
                        + "\"user\":{\"id\":\"user-" + vehicleId + "\"},\"vehicle\":{\"id\":\"" + vehicleId
                        + "\",\"make\":\"TESLA\"},"
                        + "\"signals\":[" + String.join(",", signals)
                        + "]},\"meta\":{\"version\":\"4.0\",\"deliveredAt\":" + deliveredAt.toEpochMilli()
                        + ",\"mode\":\"LIVE\",\"webhookId\":\"wh-test\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    static int deliver(byte[] body) {
        return HTTP.deliver("/webhooks/smartcar", body, Fixtures.sign(body)).status();
    }

    @SuppressWarnings("unchecked")
    static CanonicalEvent event(byte[] body) throws Exception {
        return Envelopes.currentEvent(io.carbridge.Json.MAPPER.readValue(body, Map.class), body, Instant.now());
    }

    static JsonNode signal(String vehicleId, String code) {
        return find(HTTP.get("/admin/vehicles/" + vehicleId + "/state", ADMIN).json(), code);
    }

    static JsonNode find(JsonNode state, String code) {
        for (JsonNode signal : state.get("signals")) {
            if (signal.get("code").asText().equals(code)) {
                return signal;
            }
        }
        throw new AssertionError("no signal " + code + " in the state of " + state.get("vehicleId"));
    }

    static List<String> signals(String vehicleId) {
        BridgeHttp.Response answer = HTTP.get("/admin/vehicles/" + vehicleId + "/state", ADMIN);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        List<String> codes = new ArrayList<>();
        answer.json()
                .get("signals")
                .forEach(signal -> codes.add(signal.get("code").asText()));
        return codes;
    }

    static JsonNode event(String eventId) {
        return HTTP.get("/admin/events/" + eventId, ADMIN).json();
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
