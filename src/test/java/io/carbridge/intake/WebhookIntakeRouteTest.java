package io.carbridge.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The intake route as Smartcar meets it: the real {@code routes/*.camel.yaml} and {@code application.properties}, real
 * HTTP on loopback, an in-memory database. Every expectation about a stored event is read back from the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = "bridge.db.url=jdbc:h2:mem:webhook-intake-route-test")
class WebhookIntakeRouteTest {

    private static final BridgeHttp HTTP = BridgeHttp.bridge();
    private static final String PATH = "/webhooks/smartcar";

    @org.apache.camel.BeanInject
    CamelContext camel;

    private JdbcTemplate db() {
        return BridgeTest.database(camel);
    }

    private int storedEvents() {
        return db().queryForObject("SELECT COUNT(*) FROM webhook_event", Integer.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("verifyFixtures")
    void answersTheVerificationChallengeInBothFormatsSignedOrNot(String file, boolean signed) {
        int before = storedEvents();

        BridgeHttp.Response response =
                HTTP.deliver(PATH, Fixtures.bytes(file), signed ? Fixtures.signature(file) : null);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(response.json().get("challenge").asText()).isEqualTo(Fixtures.expectedChallengeResponse(file));
        assertThat(response.json().size()).isEqualTo(1);
        assertThat(storedEvents()).as("a challenge is not an event").isEqualTo(before);
    }

    static Stream<Arguments> verifyFixtures() {
        return Stream.of(
                Arguments.of("legacy-verify.json", false), Arguments.of("legacy-verify.json", true),
                Arguments.of("v4-verify.json", false), Arguments.of("v4-verify.json", true));
    }

    @Test
    void storesACurrentFormatVehicleStateAsOneCanonicalEventWithItsRawBytes() {
        byte[] body = Fixtures.bytes("v4-vehicle-state.json");

        BridgeHttp.Response response = HTTP.deliver(PATH, body, Fixtures.signature("v4-vehicle-state.json"));

        assertThat(response.status()).isEqualTo(202);
        assertThat(response.json().get("status").asText()).isEqualTo("accepted");
        Map<String, Object> row = db().queryForMap(
                        "SELECT * FROM webhook_event WHERE event_id = ?", "550e8400-e29b-41d4-a716-446655440000");
        assertThat(row.get("EVENT_TYPE")).isEqualTo("VEHICLE_STATE");
        assertThat(row.get("RECOGNISED")).isEqualTo(true);
        assertThat(row.get("VEHICLE_ID")).isEqualTo("9af13248-5b5c-4f4b-8b52-1c2d3e4f5a6b");
        assertThat(row.get("MODE")).isEqualTo("live");
        assertThat(row.get("WEBHOOK_ID")).isEqualTo("abde94ff-aaaa-4bbb-8ccc-ddddeeeeffff");
        assertThat(row.get("ENVELOPE_VERSION")).isEqualTo("4.0");
        // the newest signals[].meta.oemUpdatedAt: 1731940328000
        assertThat(db().queryForObject(
                                "SELECT event_time FROM webhook_event WHERE event_id = ?",
                                java.time.OffsetDateTime.class,
                                "550e8400-e29b-41d4-a716-446655440000")
                        .toInstant())
                .isEqualTo(java.time.Instant.ofEpochMilli(1731940328000L));
        assertThat((byte[]) row.get("RAW_BODY")).isEqualTo(body);
    }

    @Test
    void storesALegacyChargingEventWithItsPayloadIdentity() {
        byte[] body = Fixtures.bytes("legacy-event-charging-completed.json");

        BridgeHttp.Response response =
                HTTP.deliver(PATH, body, Fixtures.signature("legacy-event-charging-completed.json"));

        assertThat(response.status()).isEqualTo(202);
        Map<String, Object> row = db().queryForMap(
                        "SELECT * FROM webhook_event WHERE event_id = ?", "68f4179e-0648-4795-a4d8-0b553c2c635c");
        assertThat(row.get("EVENT_TYPE")).isEqualTo("CHARGING_COMPLETED");
        assertThat(row.get("VEHICLE_ID")).isEqualTo("00000000-0000-4000-A000-000000000000");
        assertThat(row.get("MODE")).isEqualTo("test");
        assertThat(row.get("WEBHOOK_ID")).isEqualTo("2bc671d0-b712-4cac-8837-50deeb474605");
        assertThat(row.get("ENVELOPE_VERSION")).isEqualTo("2.0");
        assertThat(row.get("RECEIVED_AT")).isNotNull();
        assertThat((byte[]) row.get("RAW_BODY")).isEqualTo(body);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unreadableTimes")
    void storesAnEventWhoseTimeCannotBeStoredAsReceivedWithoutATimeAndFlagged(
            String name, String eventId, String time) {
        byte[] body = json("{\"eventId\":\"" + eventId + "\",\"eventType\":\"VEHICLE_STATE\",\"vehicleId\":\"v-time\","
                + "\"data\":{\"signals\":[{\"code\":\"a\",\"meta\":{\"oemUpdatedAt\":" + time + "}}]},"
                + "\"meta\":{\"version\":\"4.0\",\"deliveredAt\":" + time + "}}");

        BridgeHttp.Response response = HTTP.deliver(PATH, body, Fixtures.sign(body));

        // a 5xx would make Smartcar retry it, then drop it for good
        assertThat(response.status()).isEqualTo(202);
        Map<String, Object> row = db().queryForMap("SELECT * FROM webhook_event WHERE event_id = ?", eventId);
        assertThat(row.get("EVENT_TIME")).isNull();
        assertThat(row.get("EVENT_TIME_UNREADABLE")).isEqualTo(true);
        assertThat((byte[]) row.get("RAW_BODY")).isEqualTo(body);
    }

    static Stream<Arguments> unreadableTimes() {
        return Stream.of(
                Arguments.of("epoch -1e18", "time-negative", "-1e18"),
                Arguments.of("epoch milliseconds beyond the year 9999", "time-far", "9000000000000000"),
                Arguments.of("a number that does not fit 64 bits", "time-huge", "18446744073709551621"),
                Arguments.of("ISO-8601 in the year 1,000,000,000", "time-iso", "\"+1000000000-01-01T00:00:00Z\""),
                Arguments.of("text that is no time", "time-text", "\"yesterday\""));
    }

    @Test
    void aReadableTimeIsNotFlagged() {
        byte[] body = json("""
                {"eventId":"time-ok","eventType":"VEHICLE_STATE","vehicleId":"v-time","data":{},"meta":{"version":"4.0","deliveredAt":"2026-11-28T10:00:00Z"}}""");

        assertThat(HTTP.deliver(PATH, body, Fixtures.sign(body)).status()).isEqualTo(202);

        Map<String, Object> row = db().queryForMap("SELECT * FROM webhook_event WHERE event_id = 'time-ok'");
        assertThat(row.get("EVENT_TIME_UNREADABLE")).isEqualTo(false);
        assertThat(db().queryForObject(
                                "SELECT event_time FROM webhook_event WHERE event_id = 'time-ok'",
                                java.time.OffsetDateTime.class)
                        .toInstant())
                .isEqualTo(java.time.Instant.parse("2026-11-28T10:00:00Z"));
    }

    @Test
    void routesLegacyScheduledAndDynamicDeliveriesAndDerivesAStableIdWhenTheyCarryNone() {
        byte[] scheduled = json("""
                {"version":"2.0","webhookId":"wh-1","eventName":"schedule","mode":"simulated",
                 "payload":{"vehicles":[{"vehicleId":"veh-77","requestId":"r","data":[]}]}}""");

        BridgeHttp.Response first = HTTP.deliver(PATH, scheduled, Fixtures.sign(scheduled));
        BridgeHttp.Response retry = HTTP.deliver(PATH, scheduled, Fixtures.sign(scheduled));

        assertThat(first.status()).isEqualTo(202);
        String eventId = first.json().get("eventId").asText();
        assertThat(eventId).startsWith("derived-");
        assertThat(retry.json().get("status").asText()).isEqualTo("duplicate");
        assertThat(retry.json().get("eventId").asText()).isEqualTo(eventId);
        Map<String, Object> row = db().queryForMap("SELECT * FROM webhook_event WHERE event_id = ?", eventId);
        assertThat(row.get("EVENT_TYPE")).isEqualTo("SCHEDULED");
        assertThat(row.get("VEHICLE_ID")).isEqualTo("veh-77");
        assertThat(row.get("MODE")).isEqualTo("simulated");

        byte[] dynamic = json("""
                {"version":"2.0","webhookId":"wh-1","eventName":"dynamic","mode":"live",
                 "payload":{"eventId":"dyn-1","vehicles":[{"vehicleId":"a"},{"vehicleId":"b"}]}}""");
        assertThat(HTTP.deliver(PATH, dynamic, Fixtures.sign(dynamic)).status()).isEqualTo(202);
        Map<String, Object> dynamicRow = db().queryForMap("SELECT * FROM webhook_event WHERE event_id = 'dyn-1'");
        assertThat(dynamicRow.get("EVENT_TYPE")).isEqualTo("DYNAMIC");
        assertThat(dynamicRow.get("VEHICLE_ID"))
                .as("two vehicles: no single vehicle id")
                .isNull();
    }

    @Test
    void aRetryOfAStoredEventIsADuplicateAndChangesNothing() {
        byte[] body = Fixtures.bytes("v4-vehicle-error.json");
        String signature = Fixtures.signature("v4-vehicle-error.json");
        HTTP.deliver(PATH, body, signature);
        int before = storedEvents();

        BridgeHttp.Response retry = HTTP.deliver(PATH, body, signature);

        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.json().get("status").asText()).isEqualTo("duplicate");
        assertThat(storedEvents()).isEqualTo(before);
    }

    @Test
    void twentyCopiesOfOneEventArrivingTogetherStoreExactlyOneEvent() throws Exception {
        byte[] body = json("""
                {"eventId":"concurrent-1","eventType":"VEHICLE_STATE","vehicleId":"v-1","data":{},"meta":{"version":"4.0","mode":"LIVE"}}""");
        String signature = Fixtures.sign(body);
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<CompletableFuture<BridgeHttp.Response>> copies = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                copies.add(CompletableFuture.supplyAsync(() -> HTTP.deliver(PATH, body, signature), pool));
            }
            List<String> statuses = copies.stream()
                    .map(CompletableFuture::join)
                    .map(r -> r.json().get("status").asText())
                    .toList();

            assertThat(statuses).filteredOn("accepted"::equals).hasSize(1);
            assertThat(statuses).filteredOn("duplicate"::equals).hasSize(19);
            assertThat(db().queryForObject(
                                    "SELECT COUNT(*) FROM webhook_event WHERE event_id = 'concurrent-1'",
                                    Integer.class))
                    .isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSignedDeliveryOfAnUnknownKindIsStoredAsUnrecognisedAndCounted() {
        byte[] body = json("""
                {"eventId":"future-1","eventType":"VEHICLE_TELEPORTED","vehicleId":"v-9","data":{},"meta":{"version":"5.0","webhookId":"wh-9"}}""");
        NotifyBuilder done = new NotifyBuilder(camel)
                .fromRoute("smartcar-webhook")
                .whenCompleted(1)
                .create();

        BridgeHttp.Response response = HTTP.deliver(PATH, body, Fixtures.sign(body));

        assertThat(done.matches(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(response.status()).isEqualTo(202);
        assertThat(response.json().get("status").asText()).isEqualTo("unrecognised");
        Map<String, Object> row = db().queryForMap("SELECT * FROM webhook_event WHERE event_id = 'future-1'");
        assertThat(row.get("RECOGNISED")).isEqualTo(false);
        assertThat(row.get("EVENT_TYPE")).isEqualTo("VEHICLE_TELEPORTED");
        assertThat(row.get("ENVELOPE_VERSION")).isEqualTo("5.0");
        assertThat(BridgeHttp.metrics()).contains("bridge_intake_outcome_total{outcome=\"unrecognised\"}");
    }

    @Test
    void acceptsTheSignatureHeaderInAnyLetterCase() {
        byte[] body = json("""
                {"eventId":"case-1","eventType":"VEHICLE_ERROR","vehicleId":"v-2","data":{},"meta":{"version":"4.0"}}""");

        BridgeHttp.Response response = HTTP.send(
                "POST", PATH, body, Map.of("content-type", "application/json", "sc-signature", Fixtures.sign(body)));

        assertThat(response.status()).isEqualTo(202);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void refusesBadInputWithItsStatusAJsonErrorAndNothingStored(
            String name,
            String method,
            Map<String, String> headers,
            byte[] body,
            int expectedStatus,
            String expectedReason) {
        int before = storedEvents();
        String rejected = "bridge_intake_rejected_total{reason=\"" + expectedReason + "\"}";
        double rejectedBefore = BridgeHttp.metric(rejected);
        Map<String, String> withProbe = new java.util.HashMap<>(headers);
        withProbe.put("X-Probe", "must-not-come-back");

        BridgeHttp.Response response = HTTP.send(method, PATH, body, withProbe);

        assertThat(response.status()).isEqualTo(expectedStatus);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(response.json().get("error").asText()).isNotBlank();
        assertThat(response.hasHeader("X-Probe"))
                .as("request headers are never echoed")
                .isFalse();
        assertThat(response.hasHeader("SC-Signature")).isFalse();
        assertThat(storedEvents()).isEqualTo(before);
        assertThat(BridgeHttp.metric(rejected)).as(rejected).isEqualTo(rejectedBefore + 1);
    }

    static Stream<Arguments> badInputs() {
        byte[] event = Fixtures.bytes("v4-vehicle-state.json");
        String goodSignature = Fixtures.signature("v4-vehicle-state.json");
        byte[] notJson = "{\"eventId\": \"x\", ".getBytes(StandardCharsets.UTF_8);
        byte[] array = "[1,2,3]".getBytes(StandardCharsets.UTF_8);
        byte[] challengeNumber =
                "{\"eventType\":\"VERIFY\",\"data\":{\"challenge\":42},\"meta\":{}}".getBytes(StandardCharsets.UTF_8);
        byte[] challengeMissing = "{\"eventName\":\"verify\",\"payload\":{}}".getBytes(StandardCharsets.UTF_8);
        // the answer would be a valid SC-Signature of this forged event: a challenge that could be a body is refused
        byte[] challengeShapedLikeAnEvent = ("{\"eventType\":\"VERIFY\",\"data\":{\"challenge\":"
                        + "\"{\\\"eventId\\\":\\\"forged\\\",\\\"eventType\\\":\\\"VEHICLE_STATE\\\",\\\"data\\\":{},\\\"meta\\\":{}}\"},\"meta\":{}}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] numericEventId = "{\"eventId\":7,\"eventType\":\"VEHICLE_STATE\",\"data\":{},\"meta\":{}}"
                .getBytes(StandardCharsets.UTF_8);
        byte[] oversized =
                ("{\"eventId\":\"big\",\"padding\":\"" + "x".repeat(70_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        // the signature covers the bytes, but the bridge must read the document every consumer downstream reads
        byte[] trailingBytes = "{\"eventId\":\"strict-1\",\"eventType\":\"VEHICLE_STATE\",\"data\":{},\"meta\":{}}x"
                .getBytes(StandardCharsets.UTF_8);
        byte[] twoDocuments = ("{\"eventId\":\"strict-2\",\"eventType\":\"VEHICLE_STATE\",\"data\":{},\"meta\":{}}"
                        + "{\"eventId\":\"strict-3\",\"eventType\":\"VEHICLE_STATE\",\"data\":{},\"meta\":{}}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] duplicateKey =
                "{\"eventId\":\"strict-4\",\"eventType\":\"VEHICLE_STATE\",\"vehicleId\":\"a\",\"vehicleId\":\"b\",\"data\":{},\"meta\":{}}"
                        .getBytes(StandardCharsets.UTF_8);
        byte[] nestedDuplicateKey =
                "{\"eventId\":\"strict-5\",\"eventType\":\"VEHICLE_STATE\",\"data\":{},\"meta\":{\"mode\":\"TEST\",\"mode\":\"LIVE\"}}"
                        .getBytes(StandardCharsets.UTF_8);
        // a log line of its own after the newline, as the probe forged it; Smartcar's ids are UUIDs
        byte[] idWithALineBreak =
                ("{\"eventId\":\"e-1\\n2026-11-30T10:00:00,000 INFO  [main] i.c.intake - outcome=accepted status=202 "
                                + "eventId=FORGED\",\"eventType\":\"VEHICLE_STATE\",\"vehicleId\":\"v\",\"data\":{},\"meta\":{}}")
                        .getBytes(StandardCharsets.UTF_8);
        Map<String, String> json = Map.of("Content-Type", "application/json");
        return Stream.of(
                Arguments.of(
                        "signed event whose id holds a line break",
                        "POST",
                        signed(json, Fixtures.sign(idWithALineBreak)),
                        idWithALineBreak,
                        400,
                        "malformed_event"),
                Arguments.of(
                        "signed JSON followed by other bytes",
                        "POST",
                        signed(json, Fixtures.sign(trailingBytes)),
                        trailingBytes,
                        400,
                        "malformed_json"),
                Arguments.of(
                        "signed body of two JSON documents",
                        "POST",
                        signed(json, Fixtures.sign(twoDocuments)),
                        twoDocuments,
                        400,
                        "malformed_json"),
                Arguments.of(
                        "signed JSON with a key twice",
                        "POST",
                        signed(json, Fixtures.sign(duplicateKey)),
                        duplicateKey,
                        400,
                        "malformed_json"),
                Arguments.of(
                        "signed JSON with a nested key twice",
                        "POST",
                        signed(json, Fixtures.sign(nestedDuplicateKey)),
                        nestedDuplicateKey,
                        400,
                        "malformed_json"),
                Arguments.of("wrong method", "GET", Map.of(), null, 405, "method"),
                Arguments.of("PUT with a signed event", "PUT", signed(json, goodSignature), event, 405, "method"),
                Arguments.of(
                        "form content type",
                        "POST",
                        Map.of("Content-Type", "application/x-www-form-urlencoded", "SC-Signature", goodSignature),
                        event,
                        415,
                        "media_type"),
                Arguments.of(
                        "no content type", "POST", Map.of("SC-Signature", goodSignature), event, 415, "media_type"),
                Arguments.of(
                        "oversized body", "POST", signed(json, Fixtures.sign(oversized)), oversized, 413, "too_large"),
                Arguments.of("empty body", "POST", json, new byte[0], 400, "empty_body"),
                Arguments.of(
                        "signed malformed JSON",
                        "POST",
                        signed(json, Fixtures.sign(notJson)),
                        notJson,
                        400,
                        "malformed_json"),
                Arguments.of(
                        "signed JSON array", "POST", signed(json, Fixtures.sign(array)), array, 400, "malformed_json"),
                Arguments.of("challenge that is not a string", "POST", json, challengeNumber, 400, "malformed_event"),
                Arguments.of("VERIFY without a challenge", "POST", json, challengeMissing, 400, "malformed_event"),
                Arguments.of(
                        "unsigned VERIFY whose challenge is a JSON body",
                        "POST",
                        json,
                        challengeShapedLikeAnEvent,
                        400,
                        "malformed_event"),
                Arguments.of(
                        "signed event whose id is not a string",
                        "POST",
                        signed(json, Fixtures.sign(numericEventId)),
                        numericEventId,
                        400,
                        "malformed_event"),
                Arguments.of("missing signature", "POST", json, event, 401, "signature_missing"),
                Arguments.of(
                        "wrong signature",
                        "POST",
                        signed(json, Fixtures.sign(event, "another-token")),
                        event,
                        401,
                        "signature_invalid"),
                Arguments.of(
                        "signature of other bytes",
                        "POST",
                        signed(json, Fixtures.signature("v4-vehicle-error.json")),
                        event,
                        401,
                        "signature_invalid"),
                Arguments.of("unsigned malformed JSON", "POST", json, notJson, 401, "signature_missing"));
    }

    @Test
    void aSignatureInTheQueryStringIsNoSignature() {
        byte[] body = json("""
                {"eventId":"query-signature-1","eventType":"VEHICLE_STATE","vehicleId":"v-3","data":{},"meta":{"version":"4.0"}}""");
        int before = storedEvents();

        // platform-http copies query parameters into the message headers: only the request's own header may count
        BridgeHttp.Response response = HTTP.send(
                "POST",
                PATH + "?SC-Signature=" + Fixtures.sign(body),
                body,
                Map.of("Content-Type", "application/json"));

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.json().get("error").asText()).contains("SC-Signature");
        assertThat(storedEvents()).isEqualTo(before);
    }

    @Test
    void theLastReceivedTimestampFollowsSignedDeliveriesOnly() throws Exception {
        String gauge = "bridge_intake_last_received_timestamp_seconds";
        byte[] body = json("""
                {"eventId":"last-received-1","eventType":"VEHICLE_STATE","vehicleId":"v-4","data":{},"meta":{"version":"4.0"}}""");
        double before = System.currentTimeMillis() / 1000.0;

        HTTP.deliver(PATH, body, Fixtures.sign(body));
        double afterSigned = BridgeHttp.metric(gauge);
        Thread.sleep(20);
        HTTP.deliver(PATH, body, null);

        assertThat(afterSigned).isBetween(before - 0.001, System.currentTimeMillis() / 1000.0);
        assertThat(BridgeHttp.metric(gauge))
                .as("an unsigned request says nothing about Smartcar")
                .isEqualTo(afterSigned);
    }

    @Test
    void answersUnknownPathsWithJson() {
        BridgeHttp.Response response = HTTP.get("/no-such-path", Map.of());

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.json().get("error").asText()).isNotBlank();
    }

    @Test
    void readinessReportsTheDatabase() {
        BridgeHttp.Response ready = BridgeHttp.management().get("/observe/health/ready", Map.of());

        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.body()).contains("\"name\":\"database\"", "\"status\":\"UP\"");
    }

    private static Map<String, String> signed(Map<String, String> headers, String signature) {
        Map<String, String> copy = new java.util.HashMap<>(headers);
        copy.put("SC-Signature", signature);
        return copy;
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
