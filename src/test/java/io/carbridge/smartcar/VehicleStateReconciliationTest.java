package io.carbridge.smartcar;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.carbridge.testing.SmartcarDouble.VEHICLE_API;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.DestinationsDouble;
import io.carbridge.testing.Fixtures;
import io.carbridge.testing.SmartcarDouble;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Gaps filled from Smartcar (API v3), started by an operator ({@code POST /admin/vehicles/reconcile}): every subscribed
 * vehicle's signals are read from the v3 double as its user, a vehicle whose signals moved on gets one reconciled
 * {@code VEHICLE_STATE} forwarded like any event, a vehicle with nothing newer none, and a 429 is waited for as its
 * {@code retry-after} says. The start after a downtime is {@code VehicleStateGapIT}'s.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            SmartcarDouble.V3_PROPERTIES,
            BridgeTest.TEST_PROPERTIES,
            BridgeTest.DESTINATIONS,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = {
            "bridge.db.url=jdbc:h2:mem:vehicle-state-reconciliation-test",
            "bridge.admin.token=test-admin-token"
        })
class VehicleStateReconciliationTest extends SmartcarRouteTestSupport {

    static final String CHARGE = "tractionbattery-stateofcharge";
    static final String ODOMETER = "odometer-traveleddistance";

    private WireMockServer sink;
    private String token;

    @BeforeAll
    void startDestinations() {
        sink = DestinationsDouble.start();
    }

    @AfterAll
    void stopDestinations() {
        sink.stop();
    }

    @BeforeEach
    void freshApplication() {
        DestinationsDouble.answerEverythingWith200(sink);
        token = SMARTCAR.v3Application();
        db().update("DELETE FROM vehicle_signal");
    }

    @Test
    void anOperatorRunStoresOneReconciledEventForAVehicleWhoseSignalsMovedOnAndNoneForOneWithout() {
        Instant before = seconds(Instant.now().minus(Duration.ofHours(2)));
        Instant after = before.plus(Duration.ofMinutes(50));
        subscribed("veh-moved", "user-moved");
        subscribed("veh-same", "user-same");
        db().update("INSERT INTO vehicle (vehicle_id, user_id, subscription_status, failure_count, updated_at) "
                + "VALUES ('veh-not-subscribed', 'user-x', 'NONE', 0, CURRENT_TIMESTAMP)");
        deliver("before-moved", "veh-moved", value(CHARGE, 50, before), value(ODOMETER, 1000, before));
        deliver("before-same", "veh-same", value(CHARGE, 70, before));
        // what Smartcar has now, as GET /signals answers it (JSON:API, times in epoch seconds): veh-moved over two
        // pages
        signals("veh-moved", "user-moved", 1, "veh-moved-p2", apiSignal(CHARGE, 64, after));
        signals("veh-moved", "user-moved", 2, null, apiSignal(ODOMETER, 1000, before));
        signals("veh-same", "user-same", 1, null, apiSignal(CHARGE, 70, before));

        JsonNode run = reconcile();

        assertThat(run.get("trigger").asText()).isEqualTo("operator");
        assertThat(run.get("vehiclesTotal").asInt()).isEqualTo(2);
        assertThat(run.get("vehiclesRead").asInt()).isEqualTo(2);
        assertThat(run.get("signalsNewer").asInt()).isEqualTo(1);
        assertThat(run.get("eventsStored").asInt()).isEqualTo(1);
        assertThat(run.get("failures").asInt()).isZero();
        List<Map<String, Object>> reconciled = db().queryForList(
                        "SELECT event_id, vehicle_id, event_type FROM webhook_event "
                                + "WHERE event_id LIKE 'reconciled-%' AND vehicle_id IN ('veh-moved', 'veh-same')");
        assertThat(reconciled).hasSize(1);
        String eventId = (String) reconciled.get(0).get("EVENT_ID");
        assertThat(reconciled.get(0))
                .containsEntry("VEHICLE_ID", "veh-moved")
                .containsEntry("EVENT_TYPE", "VEHICLE_STATE");

        JsonNode event = HTTP.get("/admin/events/" + eventId, ADMIN).json();
        JsonNode payload = event.get("payload");
        assertThat(payload.get("source").asText()).isEqualTo("reconciled");
        assertThat(payload.get("meta").get("source").asText()).isEqualTo("reconciled");
        assertThat(payload.get("data").get("user").get("id").asText()).isEqualTo("user-moved");
        assertThat(payload.get("data").get("signals")).hasSize(1);
        assertThat(payload.get("data").get("signals").get(0).get("code").asText())
                .isEqualTo(CHARGE);
        assertThat(payload.get("data")
                        .get("signals")
                        .get(0)
                        .get("body")
                        .get("value")
                        .asInt())
                .isEqualTo(64);
        assertThat(event.get("deliveries").get(0).get("destination").asText()).isEqualTo("sink");
        await().atMost(Duration.ofSeconds(20)).until(() -> forwarded(eventId));
        JsonNode charge = state("veh-moved", CHARGE);
        assertThat(charge.get("value").get("value").asInt()).isEqualTo(64);
        assertThat(charge.get("eventId").asText()).isEqualTo(eventId);
        assertThat(Instant.parse(charge.get("oemUpdatedAt").asText())).isEqualTo(after);
        assertThat(sink
                        .findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                                urlPathEqualTo("/sink")))
                        .stream()
                        .filter(request -> request.getBodyAsString().contains("\"source\":\"reconciled\"")
                                && request.getBodyAsString().matches("(?s).*\"vehicleId\":\"veh-(moved|same)\".*"))
                        .count())
                .as("one reconciled event forwarded, none for the vehicle without news")
                .isEqualTo(1);
        // every call as the vehicle's user, with the application token
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo(VEHICLE_API + "/vehicles/veh-moved/signals"))
                        .withHeader("sc-user-id", equalTo("user-moved"))
                        .withHeader("Authorization", equalTo("Bearer " + token))))
                .isEqualTo(2);
        assertThat(SMARTCAR.count(
                        getRequestedFor(urlPathEqualTo(VEHICLE_API + "/vehicles/veh-not-subscribed/signals"))))
                .isZero();

        // a second run finds nothing newer: no event
        JsonNode again = reconcile();
        assertThat(again.get("signalsNewer").asInt()).isZero();
        assertThat(again.get("eventsStored").asInt()).isZero();
        assertThat(db().queryForObject(
                                "SELECT COUNT(*) FROM webhook_event WHERE event_id LIKE 'reconciled-%' AND vehicle_id = 'veh-moved'",
                                Integer.class))
                .isEqualTo(1);

        // the same news again (as another instance would find it): the same event id, stored once
        db().update(
                        "UPDATE vehicle_signal SET value_at = ? WHERE vehicle_id = 'veh-moved' AND code = ?",
                        java.sql.Timestamp.from(before),
                        CHARGE);
        JsonNode third = reconcile();
        assertThat(third.get("signalsNewer").asInt()).isEqualTo(1);
        assertThat(third.get("eventsStored").asInt())
                .as("a duplicate of the first")
                .isZero();
        assertThat(db().queryForObject(
                                "SELECT COUNT(*) FROM webhook_event WHERE event_id LIKE 'reconciled-%' AND vehicle_id = 'veh-moved'",
                                Integer.class))
                .isEqualTo(1);
    }

    @Test
    void a429IsAskedAgainOnlyAfterItsRetryAfterAndNeverHammered() {
        Instant at = seconds(Instant.now().minus(Duration.ofHours(3)));
        subscribed("veh-limited", "user-limited");
        SMARTCAR.stub(signalsRequest("veh-limited", "user-limited")
                .inScenario("rate limit")
                .whenScenarioStateIs(STARTED)
                .willReturn(SmartcarDouble.v3Error(
                                429,
                                "RATE_LIMIT",
                                "VEHICLE",
                                "Rate limit",
                                "Too many requests to this vehicle",
                                "RETRY_LATER")
                        .withHeader("retry-after", "2"))
                .willSetStateTo("waited"));
        SMARTCAR.stub(signalsRequest("veh-limited", "user-limited")
                .inScenario("rate limit")
                .whenScenarioStateIs("waited")
                .willReturn(okJson(signalsPage("veh-limited", null, apiSignal(CHARGE, 33, at)))));

        JsonNode run = reconcile();

        assertThat(run.get("eventsStored").asInt()).isEqualTo(1);
        assertThat(run.get("failures").asInt()).isZero();
        // with this test's token (a token an earlier test left is refused once with 401, and replaced)
        List<LoggedRequest> requests = SMARTCAR.server()
                .findAll(getRequestedFor(urlPathEqualTo(VEHICLE_API + "/vehicles/veh-limited/signals"))
                        .withHeader("Authorization", equalTo("Bearer " + token)));
        assertThat(requests)
                .as("the 429, then one request after its retry-after")
                .hasSize(2);
        Duration between = Duration.between(
                requests.get(0).getLoggedDate().toInstant(),
                requests.get(1).getLoggedDate().toInstant());
        assertThat(between).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(db().queryForObject("SELECT COUNT(*) FROM smartcar_rate_limit", Integer.class))
                .as("every instance waits too")
                .isEqualTo(1);
        assertThat(state("veh-limited", CHARGE).get("value").get("value").asInt())
                .isEqualTo(33);
    }

    @Test
    void aVehicleSmartcarFailsForIsCountedAndTheOthersGoOn() {
        Instant at = seconds(Instant.now().minus(Duration.ofHours(4)));
        subscribed("veh-broken", "user-broken");
        subscribed("veh-fine", "user-fine");
        SMARTCAR.stub(signalsRequest("veh-broken", "user-broken")
                .willReturn(SmartcarDouble.v3Error(
                        500, "SERVER", "INTERNAL", "Server error", "Something broke", "RETRY_LATER")));
        signals("veh-fine", "user-fine", 1, null, apiSignal(ODOMETER, 4200, at));

        JsonNode run = reconcile();

        assertThat(run.get("vehiclesRead").asInt()).isEqualTo(1);
        assertThat(run.get("failures").asInt()).isEqualTo(1);
        assertThat(run.get("lastError").asText()).contains("veh-broken").contains("HTTP 500");
        assertThat(run.get("eventsStored").asInt()).isEqualTo(1);
        assertThat(state("veh-fine", ODOMETER).get("value").get("value").asInt())
                .isEqualTo(4200);
    }

    @Test
    void aSecondRunAskedForWhileOneRunsIsRefused() {
        subscribed("veh-slow", "user-slow");
        SMARTCAR.stub(signalsRequest("veh-slow", "user-slow")
                .willReturn(okJson(signalsPage("veh-slow", null)).withFixedDelay(1500)));

        assertThat(HTTP.send("POST", "/admin/vehicles/reconcile", new byte[0], ADMIN)
                        .status())
                .isEqualTo(202);
        BridgeHttp.Response second = HTTP.send("POST", "/admin/vehicles/reconcile", new byte[0], ADMIN);

        assertThat(second.status()).isEqualTo(409);
        assertThat(second.json().get("reason").asText()).isEqualTo("running");
        await().atMost(Duration.ofSeconds(20)).until(() -> !HTTP.get("/admin/vehicles/reconcile", ADMIN)
                .json()
                .get("running")
                .asBoolean());
    }

    // --- helpers

    /** Starts a run and waits for its end; its figures. */
    private JsonNode reconcile() {
        Instant asked = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        BridgeHttp.Response started = HTTP.send("POST", "/admin/vehicles/reconcile", new byte[0], ADMIN);
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        assertThat(started.json().get("status").asText()).isEqualTo("started");
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode run = HTTP.get("/admin/vehicles/reconcile", ADMIN).json();
            return !run.get("running").asBoolean()
                    && !run.get("finishedAt").isNull()
                    && !Instant.parse(run.get("startedAt").asText()).isBefore(asked);
        });
        return HTTP.get("/admin/vehicles/reconcile", ADMIN).json();
    }

    private void subscribed(String vehicleId, String userId) {
        db().update(
                        "INSERT INTO vehicle (vehicle_id, user_id, make, model, model_year, subscription_status, subscribed_by, failure_count, "
                                + "updated_at) VALUES (?, ?, 'TESLA', 'Model 3', 2022, 'SUBSCRIBED', 'BRIDGE', 0, CURRENT_TIMESTAMP)",
                        vehicleId,
                        userId);
    }

    private MappingBuilder signalsRequest(String vehicleId, String userId) {
        return get(urlPathEqualTo(VEHICLE_API + "/vehicles/" + vehicleId + "/signals"))
                .withHeader("Authorization", equalTo("Bearer " + token))
                .withHeader("sc-user-id", equalTo(userId));
    }

    /** Page {@code page} of the vehicle's signals; {@code nextPage} names the next one in links.next. */
    private void signals(String vehicleId, String userId, int page, String nextPage, String... items) {
        MappingBuilder request = signalsRequest(vehicleId, userId);
        if (page > 1) {
            request = request.withQueryParam("page", equalTo(String.valueOf(page)));
        } else {
            request = request.withQueryParam("page", com.github.tomakehurst.wiremock.client.WireMock.absent());
        }
        SMARTCAR.stub(request.willReturn(okJson(signalsPage(vehicleId, nextPage == null ? null : (page + 1), items))));
    }

    /** A page of GET /vehicles/{id}/signals as Smartcar's reference shows it. */
    static String signalsPage(String vehicleId, Integer nextPage, String... items) {
        String self = "/vehicles/" + vehicleId + "/signals";
        return "{\"data\":[" + String.join(",", items) + "],\"meta\":{\"page\":1,\"pageSize\":10,\"totalCount\":"
                + items.length + "},"
                + "\"links\":{\"self\":\"" + self + "\",\"first\":\"" + self
                + "?page=1&pageSize=1\",\"previous\":null,\"next\":"
                + (nextPage == null ? "null" : "\"" + self + "?page=" + nextPage + "&pageSize=1\"") + ",\"last\":\""
                + self + "\"},"
                + "\"included\":{\"vehicle\":{\"id\":\"" + vehicleId
                + "\",\"type\":\"vehicle\",\"attributes\":{\"make\":\"TESLA\","
                + "\"model\":\"Model 3\",\"year\":2022},\"links\":{\"self\":\"/vehicles/" + vehicleId + "\"}}}}";
    }

    /** One signal as GET /signals has it: fields under attributes, times in epoch seconds, retrievedAt. */
    static String apiSignal(String code, int value, Instant oemUpdatedAt) {
        return "{\"id\":\"" + code + "\",\"type\":\"signal\",\"attributes\":{\"code\":\"" + code
                + "\",\"name\":\"Signal\",\"group\":\"Group\","
                + "\"status\":{\"value\":\"SUCCESS\"},\"body\":{\"unit\":\"percent\",\"value\":" + value
                + "}},\"meta\":{\"retrievedAt\":"
                + (oemUpdatedAt.getEpochSecond() + 5) + ",\"oemUpdatedAt\":" + oemUpdatedAt.getEpochSecond()
                + "},\"links\":{\"self\":\"x\"}}";
    }

    /** A signal as a webhook delivery has it: times in epoch milliseconds. */
    static String value(String code, int value, Instant oemUpdatedAt) {
        return "{\"code\":\"" + code + "\",\"body\":{\"unit\":\"percent\",\"value\":" + value
                + "},\"meta\":{\"oemUpdatedAt\":" + oemUpdatedAt.toEpochMilli() + ",\"fetchedAt\":"
                + oemUpdatedAt.toEpochMilli() + "}}";
    }

    private static void deliver(String eventId, String vehicleId, String... signals) {
        byte[] body = ("{\"eventId\":\"" + eventId + "\",\"eventType\":\"VEHICLE_STATE\",\"vehicleId\":\"" + vehicleId
                        + "\",\"data\":{"
                        + "\"vehicle\":{\"id\":\"" + vehicleId + "\"},\"signals\":[" + String.join(",", signals)
                        + "]},\"meta\":{\"version\":\"4.0\","
                        + "\"deliveredAt\":" + Instant.now().toEpochMilli()
                        + ",\"mode\":\"LIVE\",\"webhookId\":\"wh-test\"}}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(HTTP.deliver("/webhooks/smartcar", body, Fixtures.sign(body)).status())
                .isEqualTo(202);
    }

    private static JsonNode state(String vehicleId, String code) {
        for (JsonNode signal : HTTP.get("/admin/vehicles/" + vehicleId + "/state", ADMIN)
                .json()
                .get("signals")) {
            if (signal.get("code").asText().equals(code)) {
                return signal;
            }
        }
        throw new AssertionError("no signal " + code + " for " + vehicleId);
    }

    private boolean forwarded(String eventId) {
        return "DELIVERED"
                .equals(db().queryForObject(
                                "SELECT status FROM delivery WHERE event_id = ? AND destination = 'sink'",
                                String.class,
                                eventId));
    }

    private static Instant seconds(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS);
    }
}
