package io.carbridge.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.DestinationsDouble;
import io.carbridge.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
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
 * Events posted to the intake reach HTTP destinations (WireMock on loopback) through the outbox: the real routes, the
 * real template, retries timed by short test settings. Each test uses its own event ids.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            BridgeTest.TEST_PROPERTIES,
            DeliveryFlowTest.DESTINATIONS,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = "bridge.db.url=jdbc:h2:mem:delivery-flow-test")
class DeliveryFlowTest {

    static final String DESTINATIONS = BridgeTest.DESTINATIONS;

    private static final BridgeHttp HTTP = BridgeHttp.bridge();
    /** The destination double; one per test class, so the PostgreSQL run gets a fresh one. */
    private static WireMockServer sink;

    private static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer admin-test-token");
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeanInject
    CamelContext camel;

    @BeforeAll
    void startSink() {
        sink = DestinationsDouble.start();
    }

    @AfterAll
    void stopSink() {
        sink.stop();
    }

    @BeforeEach
    void answerEverythingWith200() {
        DestinationsDouble.answerEverythingWith200(sink);
    }

    @Test
    void deliversTheEnrichedEventWithItsIdempotencyKeyAuthenticationAndAVerifiableSignature() throws Exception {
        db().update(
                        "INSERT INTO smartcar_connection (user_id, customer_reference, access_token_enc, refresh_token_enc, "
                                + "access_expires_at, refresh_expires_at, status, created_at, updated_at) VALUES ('user-enriched', 'CUST-42', 'x', 'x', "
                                + "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'ACTIVE', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
        byte[] body = event(
                "flow-enriched",
                "VEHICLE_STATE",
                "veh-enriched",
                ",\"data\":{\"user\":{\"id\":\"user-enriched\"},\"vehicle\":{\"id\":\"veh-enriched\",\"make\":\"TESLA\",\"model\":\"Model Y\",\"year\":\"2023\"}}");

        assertThat(deliver(body).status()).isEqualTo(202);

        ServeEvent request = awaitRequest("/sink", "flow-enriched");
        assertThat(request.getRequest().getHeader("Authorization")).isEqualTo("Bearer sink-token");
        assertThat(request.getRequest().getHeader("Idempotency-Key")).isEqualTo("flow-enriched");
        assertThat(request.getRequest().getHeader("Content-Type")).startsWith("application/json");
        assertThat(request.getRequest().containsHeader("SC-Signature")).isFalse();
        String id = request.getRequest().getHeader("webhook-id");
        String timestamp = request.getRequest().getHeader("webhook-timestamp");
        assertThat(request.getRequest().getHeader("webhook-signature"))
                .isEqualTo("v1,"
                        + standardWebhooksSignature(
                                "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                id,
                                timestamp,
                                request.getRequest().getBody()));

        JsonNode document = JSON.readTree(request.getRequest().getBody());
        assertThat(document.get("eventType").asText()).isEqualTo("VEHICLE_STATE");
        assertThat(document.get("vehicleId").asText()).isEqualTo("veh-enriched");
        assertThat(document.get("vehicle").get("make").asText()).isEqualTo("TESLA");
        assertThat(document.get("vehicle").get("model").asText()).isEqualTo("Model Y");
        assertThat(document.get("vehicle").get("year").asInt()).isEqualTo(2023);
        assertThat(document.get("customerReference").asText()).isEqualTo("CUST-42");
        assertThat(document.get("mode").asText()).isEqualTo("live");
        assertThat(Instant.parse(document.get("receivedAt").asText())).isBefore(Instant.now());
        assertThat(document.get("payload").get("eventId").asText()).isEqualTo("flow-enriched");
        assertThat(document.get("replay").asBoolean()).isFalse();
        awaitStatus("flow-enriched", "sink", "DELIVERED");
    }

    @Test
    void anUnknownVehicleIsForwardedWithEmptyEnrichmentNotHeldBack() throws Exception {
        deliver(event("flow-unknown-vehicle", "VEHICLE_STATE", "veh-never-seen", ""));

        JsonNode document = JSON.readTree(
                awaitRequest("/sink", "flow-unknown-vehicle").getRequest().getBody());
        assertThat(document.get("vehicle").get("make").isNull()).isTrue();
        assertThat(document.get("customerReference").isNull()).isTrue();
    }

    @Test
    void retriesA500UntilTheDestinationTakesIt() {
        stubSequence(
                "flow-500",
                aResponse().withStatus(500).withBody("database locked"),
                aResponse().withStatus(200));

        deliver(event("flow-500", "VEHICLE_STATE", "veh-500", ""));

        awaitStatus("flow-500", "sink", "DELIVERED");
        List<Map<String, Object>> attempts = attempts("flow-500", "sink");
        assertThat(attempts).extracting(a -> a.get("OUTCOME")).containsExactly("RETRY", "DELIVERED");
        assertThat(attempts.get(0).get("STATUS_CODE")).isEqualTo(500);
        assertThat((String) attempts.get(0).get("ERROR")).contains("HTTP 500", "database locked");
    }

    @Test
    void retriesAnAttemptThatTimesOut() {
        stubSequence(
                "flow-timeout",
                aResponse().withStatus(200).withFixedDelay(3_000),
                aResponse().withStatus(200));

        deliver(event("flow-timeout", "VEHICLE_STATE", "veh-timeout", ""));

        awaitStatus("flow-timeout", "sink", "DELIVERED");
        List<Map<String, Object>> attempts = attempts("flow-timeout", "sink");
        assertThat(attempts).extracting(a -> a.get("OUTCOME")).containsExactly("RETRY", "DELIVERED");
        assertThat(attempts.get(0).get("STATUS_CODE")).isNull();
        assertThat((String) attempts.get(0).get("ERROR")).containsIgnoringCase("timeout");
    }

    @Test
    void waitsAsLongAsRetryAfterSaysOnA429() {
        stubSequence(
                "flow-429",
                aResponse().withStatus(429).withHeader("Retry-After", "2"),
                aResponse().withStatus(200));

        deliver(event("flow-429", "VEHICLE_STATE", "veh-429", ""));

        awaitStatus("flow-429", "sink", "DELIVERED");
        List<Map<String, Object>> attempts = attempts("flow-429", "sink");
        Instant firstEnded = instant(attempts.get(0).get("STARTED_AT"))
                .plusMillis(((Number) attempts.get(0).get("DURATION_MS")).longValue());
        Instant secondStarted = instant(attempts.get(1).get("STARTED_AT"));
        // without Retry-After the next attempt would come after at most 200 ms (retry.max-delay)
        assertThat(Duration.between(firstEnded, secondStarted)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void deadLettersA400AtOnceKeepsItAndDoesNotHoldBackTheVehiclesNextEvent() {
        stubSequence("flow-400", aResponse().withStatus(400).withBody("{\"error\":\"unknown field\"}"));

        deliver(event("flow-400", "VEHICLE_STATE", "veh-400", ""));
        deliver(event("flow-400-next", "VEHICLE_STATE", "veh-400", ""));

        awaitStatus("flow-400", "sink", "DEAD");
        awaitStatus("flow-400-next", "sink", "DELIVERED");
        assertThat(attempts("flow-400", "sink")).hasSize(1);
        JsonNode dead = HTTP.get("/admin/deliveries?status=DEAD&destination=sink&vehicleId=veh-400", ADMIN)
                .json();
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).get("eventId").asText()).isEqualTo("flow-400");
        assertThat(dead.get(0).get("lastStatusCode").asInt()).isEqualTo(400);
        assertThat(dead.get(0).get("lastError").asText()).contains("unknown field");
    }

    @Test
    void replaysADeadLetterAndADeliveredEventAsReplays() throws Exception {
        stubSequence("flow-replay", aResponse().withStatus(422), aResponse().withStatus(200));
        deliver(event("flow-replay", "VEHICLE_STATE", "veh-replay", ""));
        awaitStatus("flow-replay", "sink", "DEAD");
        long deadId = deliveryId("flow-replay", "sink", "DEAD");

        BridgeHttp.Response replay = HTTP.send("POST", "/admin/deliveries/" + deadId + "/replay", null, ADMIN);

        assertThat(replay.status()).isEqualTo(202);
        awaitStatus("flow-replay", "sink", "DELIVERED");
        assertThat(statuses("flow-replay", "sink")).containsExactly("REPLAYED", "DELIVERED");
        assertThat(JSON.readTree(
                                lastRequest("/sink", "flow-replay").getRequest().getBody())
                        .get("replay")
                        .asBoolean())
                .isTrue();

        long deliveredId = deliveryId("flow-replay", "sink", "DELIVERED");
        assertThat(HTTP.send("POST", "/admin/deliveries/" + deliveredId + "/replay", null, ADMIN)
                        .status())
                .isEqualTo(202);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> statuses("flow-replay", "sink").equals(List.of("REPLAYED", "DELIVERED", "DELIVERED")));
        assertThat(sink.findAll(postRequestedFor(urlEqualTo("/sink"))
                        .withRequestBody(matchingJsonPath(
                                "$.eventId", com.github.tomakehurst.wiremock.client.WireMock.equalTo("flow-replay")))))
                .hasSize(3);

        assertThat(HTTP.send("POST", "/admin/deliveries/999999/replay", null, ADMIN)
                        .status())
                .isEqualTo(404);
    }

    @Test
    void pausesADestinationThatAnswers410AndResumesItOnRequest() {
        sink.stubFor(
                post(urlEqualTo("/gone")).atPriority(1).willReturn(aResponse().withStatus(410)));

        deliver(event("flow-gone-1", "VEHICLE_ERROR", "veh-gone", ""));
        await().atMost(Duration.ofSeconds(10)).until(() -> HTTP.get("/admin/destinations", ADMIN)
                .json()
                .toString()
                .contains("\"name\":\"gone\",\"paused\":true"));
        deliver(event("flow-gone-2", "VEHICLE_ERROR", "veh-gone-other", ""));
        awaitStatus("flow-gone-2", "sink", "DELIVERED");

        assertThat(sink.findAll(postRequestedFor(urlEqualTo("/gone"))))
                .as("paused: nothing more is sent")
                .hasSize(1);
        assertThat(statuses("flow-gone-1", "gone")).containsExactly("PENDING");
        assertThat(statuses("flow-gone-2", "gone")).containsExactly("PENDING");
        assertThat(BridgeHttp.management()
                        .get("/observe/health/ready?data=true", Map.of())
                        .body())
                .contains("gone");

        sink.stubFor(
                post(urlEqualTo("/gone")).atPriority(1).willReturn(aResponse().withStatus(200)));
        assertThat(HTTP.send("POST", "/admin/destinations/gone/resume", null, ADMIN)
                        .json()
                        .get("resumed")
                        .asBoolean())
                .isTrue();

        awaitStatus("flow-gone-1", "gone", "DELIVERED");
        awaitStatus("flow-gone-2", "gone", "DELIVERED");
        assertThat(attempts("flow-gone-1", "gone"))
                .extracting(a -> a.get("OUTCOME"))
                .containsExactly("PAUSED", "DELIVERED");
    }

    @Test
    void pausesADestinationOnAnOperatorsRequestUntilResumedWhileTheOthersGoOn() {
        BridgeHttp.Response paused = HTTP.send("POST", "/admin/destinations/gone/pause", null, ADMIN);

        assertThat(paused.status()).isEqualTo(200);
        assertThat(paused.json().get("destination").asText()).isEqualTo("gone");
        assertThat(paused.json().get("paused").asBoolean()).isTrue();
        assertThat(HTTP.send("POST", "/admin/destinations/gone/pause", null, ADMIN)
                        .json()
                        .get("paused")
                        .asBoolean())
                .as("paused already")
                .isFalse();
        assertThat(HTTP.get("/admin/destinations", ADMIN).json().toString())
                .contains("\"name\":\"gone\",\"paused\":true,\"healthy\":false,\"problem\":\"paused: by an operator\"");
        deliver(event("flow-operator-pause", "VEHICLE_ERROR", "veh-operator-pause", ""));
        awaitStatus("flow-operator-pause", "sink", "DELIVERED");
        assertThat(statuses("flow-operator-pause", "gone")).containsExactly("PENDING");
        assertThat(sink.findAll(postRequestedFor(urlEqualTo("/gone"))))
                .as("nothing is sent while paused")
                .isEmpty();

        assertThat(HTTP.send("POST", "/admin/destinations/gone/resume", null, ADMIN)
                        .json()
                        .get("resumed")
                        .asBoolean())
                .isTrue();
        awaitStatus("flow-operator-pause", "gone", "DELIVERED");
        assertThat(HTTP.send("POST", "/admin/destinations/nowhere/pause", null, ADMIN)
                        .status())
                .isEqualTo(404);
        assertThat(HTTP.send("POST", "/admin/destinations/gone/pause", null, Map.of())
                        .status())
                .isEqualTo(401);
    }

    @Test
    void deliversEachVehiclesEventsInReceiptOrderWhileVehiclesGoInParallel() throws Exception {
        sink.stubFor(post(urlEqualTo("/sink"))
                .atPriority(5)
                .willReturn(aResponse().withStatus(200).withUniformRandomDelay(5, 40)));
        int vehicles = 6;
        int eventsPerVehicle = 8;
        ExecutorService senders = Executors.newFixedThreadPool(vehicles);
        try {
            List<CompletableFuture<Void>> sent = new ArrayList<>();
            for (int v = 0; v < vehicles; v++) {
                String vehicle = "veh-order-" + v;
                // one vehicle's events are received one after another; the vehicles are sent at the same time
                sent.add(CompletableFuture.runAsync(
                        () -> {
                            for (int e = 0; e < eventsPerVehicle; e++) {
                                assertThat(deliver(event(vehicle + "-" + e, "VEHICLE_STATE", vehicle, ""))
                                                .status())
                                        .isEqualTo(202);
                            }
                        },
                        senders));
            }
            sent.forEach(CompletableFuture::join);
        } finally {
            senders.shutdownNow();
        }

        await().atMost(Duration.ofSeconds(30))
                .until(() -> requestsFor("/sink", "veh-order-").size() == vehicles * eventsPerVehicle);
        Map<String, List<Integer>> orderByVehicle = new HashMap<>();
        for (JsonNode document : requestsFor("/sink", "veh-order-")) {
            String eventId = document.get("eventId").asText();
            orderByVehicle
                    .computeIfAbsent(document.get("vehicleId").asText(), k -> new ArrayList<>())
                    .add(Integer.parseInt(eventId.substring(eventId.lastIndexOf('-') + 1)));
        }
        assertThat(orderByVehicle).hasSize(vehicles);
        orderByVehicle.forEach(
                (vehicle, order) -> assertThat(order).as(vehicle).containsExactly(0, 1, 2, 3, 4, 5, 6, 7));
        assertThat(mostRequestsAtOnce("/sink", "veh-order-"))
                .as("different vehicles in parallel")
                .isGreaterThan(1);
    }

    /** The largest number of requests the destination was answering at the same moment. */
    private static int mostRequestsAtOnce(String path, String vehiclePrefix) {
        List<long[]> intervals = new ArrayList<>();
        for (ServeEvent event : sink.getAllServeEvents()) {
            if (event.getRequest().getUrl().equals(path)
                    && read(event).path("vehicleId").asText().startsWith(vehiclePrefix)) {
                long start = event.getRequest().getLoggedDate().getTime();
                intervals.add(new long[] {start, start + event.getTiming().getTotalTime()});
            }
        }
        int most = 0;
        for (long[] interval : intervals) {
            int atOnce = (int) intervals.stream()
                    .filter(other -> other[0] <= interval[0] && interval[0] < other[1])
                    .count();
            most = Math.max(most, atOnce);
        }
        return most;
    }

    @Test
    void forwardsOnlyTheEventTypesAndModesADestinationWants() throws Exception {
        deliver(
                Fixtures.bytes("legacy-event-charging-started-live.json"),
                Fixtures.signature("legacy-event-charging-started-live.json"));
        deliver(
                Fixtures.bytes("legacy-event-charging-completed.json"),
                Fixtures.signature("legacy-event-charging-completed.json"));
        deliver(event("flow-filter-state", "VEHICLE_STATE", "veh-filter", ""));

        awaitStatus("0b8f6c1e-3f7a-4d2b-9a55-1d2e3f4a5b6c", "crm", "DELIVERED");
        awaitStatus("flow-filter-state", "sink", "DELIVERED");
        assertThat(statuses("flow-filter-state", "crm"))
                .as("crm wants CHARGING_* only")
                .isEmpty();
        assertThat(statuses("68f4179e-0648-4795-a4d8-0b553c2c635c", "crm"))
                .as("a test-mode event")
                .isEmpty();
        assertThat(statuses("68f4179e-0648-4795-a4d8-0b553c2c635c", "sink"))
                .as("a test-mode event")
                .isEmpty();

        // not dropped without a word: the admin API says why each destination left an event out
        JsonNode testEvent = HTTP.get("/admin/events/68f4179e-0648-4795-a4d8-0b553c2c635c", ADMIN)
                .json();
        assertThat(testEvent.get("notForwardedTo").get("sink").asText()).contains("test event", "include-test-events");
        assertThat(HTTP.get("/admin/events/flow-filter-state", ADMIN)
                        .json()
                        .get("notForwardedTo")
                        .get("crm")
                        .asText())
                .isEqualTo("VEHICLE_STATE is not in event-types CHARGING_*");

        JsonNode activity =
                JSON.readTree(awaitRequest("/crm", "smartcar-0b8f6c1e-3f7a-4d2b-9a55-1d2e3f4a5b6c", "$.externalId")
                        .getRequest()
                        .getBody());
        assertThat(activity.get("activityType").asText()).isEqualTo("VEHICLE_EVENT");
        assertThat(activity.get("subject").asText()).startsWith("Charging started");
    }

    @Test
    void neverForwardsAnUnrecognisedEventButListsIt() {
        byte[] body = event("flow-unrecognised", "VEHICLE_SOMETHING_NEW", "veh-new", "");

        assertThat(deliver(body).json().get("status").asText()).isEqualTo("unrecognised");

        assertThat(db().queryForObject(
                                "SELECT COUNT(*) FROM delivery WHERE event_id = 'flow-unrecognised'", Integer.class))
                .isZero();
        JsonNode listed = HTTP.get("/admin/events?recognised=false&type=VEHICLE_SOMETHING_NEW", ADMIN)
                .json();
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("eventId").asText()).isEqualTo("flow-unrecognised");
    }

    @Test
    void theAdminApiIsDescribedInOpenApiWithEveryCallAndNoData() {
        BridgeHttp.Response description = HTTP.get("/admin/openapi.json", Map.of());

        assertThat(description.status()).isEqualTo(200);
        JsonNode paths = description.json().get("paths");
        assertThat(paths.has("/admin/events/{eventId}")).isTrue();
        assertThat(paths.get("/admin/destinations/{destination}/backfill").has("post"))
                .isTrue();
        assertThat(paths.get("/admin/vehicles/{vehicleId}/subscription").has("delete"))
                .isTrue();
        assertThat(paths.size()).as("every path of routes/admin-api.camel.yaml").isEqualTo(19);
        assertThat(description.body()).doesNotContain("admin-test-token", "sink-token");
    }

    @Test
    void refusesAdminCallsWithoutTheToken() {
        for (String path : new String[] {"/admin/events", "/admin/deliveries", "/admin/destinations"}) {
            assertThat(HTTP.get(path, Map.of()).status()).as(path).isEqualTo(401);
            assertThat(HTTP.get(path, Map.of("Authorization", "Bearer wrong")).status())
                    .as(path)
                    .isEqualTo(401);
        }
        assertThat(HTTP.send("POST", "/admin/destinations/gone/resume", null, Map.of())
                        .status())
                .isEqualTo(401);
        // platform-http copies query parameters into the message headers: only the request's own header may count
        assertThat(HTTP.get("/admin/events?Authorization=Bearer%20admin-test-token", Map.of())
                        .status())
                .isEqualTo(401);
        assertThat(HTTP.get("/admin/events?authorization=Bearer%20admin-test-token", Map.of())
                        .status())
                .isEqualTo(401);
    }

    @Test
    void answersATimeOutsideTheYears1To9999With400() {
        for (String path : new String[] {
            "/admin/events?from=%2B1000000000-01-01T00:00:00Z",
            "/admin/deliveries?to=-999999999-01-01T00:00:00Z",
            "/admin/events?from=10000-01-01T00:00:00Z"
        }) {
            BridgeHttp.Response response = HTTP.get(path, ADMIN);

            assertThat(response.status()).as(path).isEqualTo(400);
            assertThat(response.json().get("error").asText()).as(path).contains("ISO-8601");
        }
        assertThat(HTTP.get("/admin/events?from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z", ADMIN)
                        .status())
                .isEqualTo(200);
    }

    @Test
    void backfillQueuesTheStoredEventsOfAWindowThatADestinationWantsOnce() throws Exception {
        // stored before the destinations existed: no delivery rows
        storedWithoutDeliveries("bf-1", "VEHICLE_STATE", true, "veh-bf", "live", "2026-01-01T00:10:00Z");
        storedWithoutDeliveries("bf-2", "VEHICLE_ERROR", true, "veh-bf", "live", "2026-01-01T00:20:00Z");
        storedWithoutDeliveries("bf-test", "VEHICLE_STATE", true, "veh-bf", "test", "2026-01-01T00:30:00Z");
        storedWithoutDeliveries("bf-unknown", "VEHICLE_TELEPORTED", false, "veh-bf", "live", "2026-01-01T00:40:00Z");
        storedWithoutDeliveries("bf-later", "VEHICLE_STATE", true, "veh-bf", "live", "2026-01-01T01:00:00Z");
        String window = "?from=2026-01-01T00:00:00Z&to=2026-01-01T01:00:00Z";

        BridgeHttp.Response backfill = HTTP.send("POST", "/admin/destinations/sink/backfill" + window, null, ADMIN);

        assertThat(backfill.status()).isEqualTo(202);
        assertThat(backfill.json().get("queued").asInt()).isEqualTo(2);
        assertThat(backfill.json().get("notWanted").asInt())
                .as("the test event and the unrecognised one")
                .isEqualTo(2);
        awaitStatus("bf-2", "sink", "DELIVERED");
        // in receipt order (an attempt that timed out on a busy machine may be repeated: at least once, not once)
        assertThat(requestsFor("/sink", "veh-bf").stream()
                        .map(document -> document.get("eventId").asText())
                        .distinct())
                .containsExactly("bf-1", "bf-2");
        assertThat(statuses("bf-later", "sink")).as("outside the window").isEmpty();

        BridgeHttp.Response again = HTTP.send("POST", "/admin/destinations/sink/backfill" + window, null, ADMIN);

        assertThat(again.json().get("queued").asInt()).isZero();
        assertThat(again.json().get("alreadyQueued").asInt()).isEqualTo(2);
        assertThat(statuses("bf-1", "sink")).as("never queued twice").containsExactly("DELIVERED");
        // the crm destination takes CHARGING_* only
        assertThat(HTTP.send("POST", "/admin/destinations/crm/backfill" + window, null, ADMIN)
                        .json()
                        .get("notWanted")
                        .asInt())
                .isEqualTo(4);
        assertThat(HTTP.send("POST", "/admin/destinations/sink/backfill?from=2026-01-01T00:00:00Z", null, ADMIN)
                        .status())
                .isEqualTo(400);
        assertThat(HTTP.send("POST", "/admin/destinations/nowhere/backfill" + window, null, ADMIN)
                        .status())
                .isEqualTo(404);
    }

    private void storedWithoutDeliveries(
            String eventId, String type, boolean recognised, String vehicleId, String mode, String receivedAt) {
        db().update(
                        "INSERT INTO webhook_event (event_id, event_type, recognised, vehicle_id, mode, received_at, raw_body) "
                                + "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        eventId,
                        type,
                        recognised,
                        vehicleId,
                        mode,
                        OffsetDateTime.parse(receivedAt),
                        ("{\"eventId\":\"" + eventId + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    // --- helpers ---

    private static BridgeHttp.Response deliver(byte[] body) {
        return deliver(body, Fixtures.sign(body));
    }

    private static BridgeHttp.Response deliver(byte[] body, String signature) {
        return HTTP.deliver("/webhooks/smartcar", body, signature);
    }

    private static byte[] event(String eventId, String type, String vehicleId, String extraFields) {
        return Fixtures.currentEvent(eventId, type, vehicleId, extraFields);
    }

    private static void stubSequence(
            String eventId, com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder... answers) {
        String state = Scenario.STARTED;
        for (int i = 0; i < answers.length; i++) {
            String next = i == answers.length - 1 ? state : eventId + "-" + (i + 1);
            sink.stubFor(post(urlEqualTo("/sink"))
                    .atPriority(1)
                    .withRequestBody(matchingJsonPath(
                            "$.eventId", com.github.tomakehurst.wiremock.client.WireMock.equalTo(eventId)))
                    .inScenario(eventId)
                    .whenScenarioStateIs(state)
                    .willSetStateTo(next)
                    .willReturn(answers[i]));
            state = next;
        }
    }

    private static ServeEvent awaitRequest(String path, String eventId) {
        return awaitRequest(path, eventId, "$.eventId");
    }

    private static ServeEvent awaitRequest(String path, String value, String jsonPath) {
        return await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> sink.getAllServeEvents().stream()
                                .filter(e -> e.getRequest().getUrl().equals(path)
                                        && e.getRequest().getBodyAsString().contains("\"" + value + "\""))
                                .filter(e -> jsonPath.equals("$.eventId")
                                        ? read(e).get("eventId").asText().equals(value)
                                        : read(e).get("externalId").asText().equals(value))
                                .findFirst()
                                .orElse(null),
                        java.util.Objects::nonNull);
    }

    private static ServeEvent lastRequest(String path, String eventId) {
        return sink.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getUrl().equals(path)
                        && read(e).path("eventId").asText().equals(eventId))
                .findFirst()
                .orElseThrow();
    }

    /** The documents the destination received for these vehicles, oldest first (WireMock lists newest first). */
    private static List<JsonNode> requestsFor(String path, String vehiclePrefix) {
        List<JsonNode> documents = new ArrayList<>();
        for (ServeEvent event : sink.getAllServeEvents()) {
            JsonNode document = read(event);
            if (event.getRequest().getUrl().equals(path)
                    && document.path("vehicleId").asText().startsWith(vehiclePrefix)) {
                documents.add(0, document);
            }
        }
        return documents;
    }

    private static JsonNode read(ServeEvent event) {
        try {
            return JSON.readTree(event.getRequest().getBody());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void awaitStatus(String eventId, String destination, String status) {
        await().atMost(Duration.ofSeconds(15))
                .until(() -> statuses(eventId, destination).contains(status));
    }

    private List<String> statuses(String eventId, String destination) {
        return db().queryForList(
                        "SELECT status FROM delivery WHERE event_id = ? AND destination = ? ORDER BY id",
                        String.class,
                        eventId,
                        destination);
    }

    private long deliveryId(String eventId, String destination, String status) {
        return db().queryForObject(
                        "SELECT MAX(id) FROM delivery WHERE event_id = ? AND destination = ? AND status = ?",
                        Long.class,
                        eventId,
                        destination,
                        status);
    }

    private List<Map<String, Object>> attempts(String eventId, String destination) {
        return db().queryForList(
                        "SELECT a.* FROM delivery_attempt a JOIN delivery d ON d.id = a.delivery_id "
                                + "WHERE d.event_id = ? AND d.destination = ? ORDER BY a.id",
                        eventId,
                        destination);
    }

    /** H2 reads a TIMESTAMP WITH TIME ZONE as an OffsetDateTime, PostgreSQL's driver as a Timestamp. */
    private static Instant instant(Object timestamp) {
        return timestamp instanceof OffsetDateTime offset
                ? offset.toInstant()
                : ((java.sql.Timestamp) timestamp).toInstant();
    }

    private JdbcTemplate db() {
        return BridgeTest.database(camel);
    }

    private static String standardWebhooksSignature(String base64Key, String id, String timestamp, byte[] body)
            throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(base64Key), "HmacSHA256"));
        mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(mac.doFinal(body));
    }
}
