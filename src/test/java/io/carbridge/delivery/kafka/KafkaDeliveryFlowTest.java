package io.carbridge.delivery.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.Fixtures;
import io.carbridge.testing.KafkaBroker;
import io.carbridge.testing.LogCapture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A Kafka destination through the real routes, against a real broker in this JVM: the outbox's guarantees hold as for
 * any other sink. Each vehicle's events are keyed by it and in receipt order on its partition, named in the record's
 * headers; a record the broker will never take is a dead letter at once, with the broker's reason, and is delivered
 * when replayed after the limit is raised; pause, resume, backfill, the metrics and the admin API work the same.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = {
            "bridge.db.url=jdbc:h2:mem:kafka-delivery-flow-test",
            "bridge.admin.token=admin-test-token",
            "bridge.delivery.poll-interval=100ms",
            "bridge.destinations=topic,small,secured",
            "bridge.destination.topic.uri=kafka:flow-events?brokers={{sys:test.kafka.bootstrap}}",
            "bridge.destination.topic.event-types=VEHICLE_STATE",
            "bridge.destination.small.uri=kafka:flow-small?brokers={{sys:test.kafka.bootstrap}}",
            "bridge.destination.small.event-types=VEHICLE_ERROR",
            "bridge.destination.small.retry.initial-delay=100ms",
            // a SASL login in the URI, as a team gives one (from the environment, in RAW so that Camel takes it as it
            // is);
            // the test broker speaks plain text, so the client never uses it
            "bridge.destination.secured.uri=kafka:flow-secured?brokers={{sys:test.kafka.bootstrap}}&saslMechanism=PLAIN"
                    + "&saslJaasConfig=RAW(org.apache.kafka.common.security.plain.PlainLoginModule required username=\"bridge\" "
                    + "password=\"kafka-s3cret\";)",
            "bridge.destination.secured.event-types=VEHICLE_STATE",
            "bridge.destination.secured.transform=direct:crm-contact-activity"
        })
class KafkaDeliveryFlowTest {

    /** Started before the Camel context reads its properties, which name it. */
    private static final KafkaBroker BROKER = startBroker();

    private static final BridgeHttp HTTP = BridgeHttp.bridge();
    private static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer admin-test-token");
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeanInject
    CamelContext camel;

    private static KafkaBroker startBroker() {
        KafkaBroker broker = KafkaBroker.start();
        System.setProperty("test.kafka.bootstrap", broker.bootstrapServers());
        broker.createTopic("flow-events", 3, Map.of());
        broker.createTopic("flow-small", 1, Map.of("max.message.bytes", "2000"));
        broker.createTopic("flow-secured", 1, Map.of());
        return broker;
    }

    @AfterAll
    void stopBroker() {
        BROKER.close();
    }

    @Test
    void eachVehiclesEventsAreKeyedByItInReceiptOrderAndNamedInTheRecordsHeaders() throws Exception {
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String eventId = "kafka-order-" + i;
            deliver(Fixtures.currentEvent(eventId, "VEHICLE_STATE", "veh-kafka-" + (i % 3), ""));
            sent.add(eventId);
        }

        List<KafkaBroker.Record> records = await().atMost(Duration.ofSeconds(30))
                .until(() -> onTopic("flow-events", "kafka-order-"), found -> found.size() == 30);

        Map<String, List<KafkaBroker.Record>> byVehicle =
                records.stream().collect(Collectors.groupingBy(KafkaBroker.Record::key));
        assertThat(byVehicle).containsOnlyKeys("veh-kafka-0", "veh-kafka-1", "veh-kafka-2");
        byVehicle.forEach((vehicle, ofVehicle) -> {
            assertThat(ofVehicle)
                    .extracting(KafkaBroker.Record::partition)
                    .as("one partition per vehicle")
                    .containsOnly(ofVehicle.get(0).partition());
            assertThat(ofVehicle)
                    .extracting(record -> record.headers().get("eventId"))
                    .as(vehicle + " in the order received")
                    .containsExactlyElementsOf(sent.stream()
                            .filter(id -> Integer.parseInt(id.substring("kafka-order-".length())) % 3
                                    == Integer.parseInt(vehicle.substring("veh-kafka-".length())))
                            .toList());
        });
        KafkaBroker.Record first = byVehicle.get("veh-kafka-0").get(0);
        assertThat(first.headers())
                .containsEntry("eventType", "VEHICLE_STATE")
                .containsEntry("vehicleId", "veh-kafka-0")
                .doesNotContainKeys("CamelOutboxEventId", "kafka.KEY");
        JsonNode document = JSON.readTree(first.value());
        assertThat(document.get("eventId").asText()).isEqualTo(first.headers().get("eventId"));
        assertThat(document.get("payload").get("eventType").asText()).isEqualTo("VEHICLE_STATE");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> BridgeHttp.metric("bridge_delivery_delivered_total{destination=\"topic\"}") >= 30);
    }

    @Test
    void aRecordTheBrokerWillNeverTakeIsADeadLetterAtOnceWithItsReasonAndIsDeliveredWhenReplayedAfterTheLimitIsRaised()
            throws Exception {
        String big = ",\"data\":{\"errors\":[{\"description\":\"" + "x".repeat(5_000) + "\"}]}";
        double deadBefore = BridgeHttp.metric("bridge_delivery_dead_total{destination=\"small\"}");
        deliver(Fixtures.currentEvent("kafka-too-large", "VEHICLE_ERROR", "veh-kafka-large", big));

        await().atMost(Duration.ofSeconds(30))
                .until(() -> statuses("kafka-too-large", "small").contains("DEAD"));
        List<Map<String, Object>> attempts = db().queryForList(
                        "SELECT a.outcome, a.error FROM delivery_attempt a JOIN delivery d ON d.id = a.delivery_id "
                                + "WHERE d.event_id = 'kafka-too-large'");
        assertThat(attempts).as("dead at the first attempt, not retried").hasSize(1);
        assertThat((String) attempts.get(0).get("ERROR")).contains("permanent failure", "RecordTooLargeException");
        assertThat(BridgeHttp.metric("bridge_delivery_dead_total{destination=\"small\"}"))
                .as("counted as a dead letter")
                .isEqualTo(deadBefore + 1);

        BROKER.alterTopicConfig("flow-small", "max.message.bytes", "1000000");
        long dead = db().queryForObject(
                        "SELECT id FROM delivery WHERE event_id = 'kafka-too-large' AND status = 'DEAD'", Long.class);
        assertThat(HTTP.send("POST", "/admin/deliveries/" + dead + "/replay", null, ADMIN)
                        .status())
                .isEqualTo(202);

        List<KafkaBroker.Record> records = await().atMost(Duration.ofSeconds(30))
                .until(() -> onTopic("flow-small", "kafka-too-large"), found -> !found.isEmpty());
        assertThat(JSON.readTree(records.get(0).value()).get("replay").asBoolean())
                .isTrue();
        assertThat(statuses("kafka-too-large", "small")).containsExactly("REPLAYED", "DELIVERED");
    }

    @Test
    void aPausedKafkaDestinationQueuesItsEventsAndDeliversThemWhenResumed() {
        assertThat(HTTP.send("POST", "/admin/destinations/topic/pause", null, ADMIN)
                        .status())
                .isEqualTo(200);
        deliver(Fixtures.currentEvent("kafka-paused", "VEHICLE_STATE", "veh-kafka-paused", ""));
        await().pollDelay(Duration.ofMillis(500))
                .atMost(Duration.ofSeconds(5))
                .until(() -> statuses("kafka-paused", "topic").equals(List.of("PENDING")));
        assertThat(onTopic("flow-events", "kafka-paused"))
                .as("nothing is written while paused")
                .isEmpty();

        assertThat(HTTP.send("POST", "/admin/destinations/topic/resume", null, ADMIN)
                        .status())
                .isEqualTo(200);

        await().atMost(Duration.ofSeconds(20))
                .until(() -> onTopic("flow-events", "kafka-paused").size() == 1);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> statuses("kafka-paused", "topic").equals(List.of("DELIVERED")));
    }

    @Test
    void aBackfillQueuesAStoredEventTheDestinationHasNotHad() {
        deliver(Fixtures.currentEvent("kafka-backfill", "VEHICLE_STATE", "veh-kafka-backfill", ""));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> statuses("kafka-backfill", "topic").equals(List.of("DELIVERED")));
        db().update("DELETE FROM delivery WHERE event_id = 'kafka-backfill' AND destination = 'topic'");

        BridgeHttp.Response backfill = HTTP.send(
                "POST",
                "/admin/destinations/topic/backfill?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z",
                null,
                ADMIN);

        assertThat(backfill.status()).isEqualTo(202);
        assertThat(backfill.json().get("queued").asInt()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> onTopic("flow-events", "kafka-backfill").size() == 2);
    }

    @Test
    void aSecretInTheUriIsNeverShownNorLoggedAndTheRecordIsTheTransformsDocument() throws Exception {
        try (LogCapture log = LogCapture.start()) {
            deliver(Fixtures.currentEvent("kafka-secured", "VEHICLE_STATE", "veh-kafka-secured", ""));
            List<KafkaBroker.Record> records = await().atMost(Duration.ofSeconds(20))
                    .until(() -> onTopic("flow-secured", "kafka-secured"), found -> found.size() == 1);
            JsonNode activity = JSON.readTree(records.get(0).value());
            assertThat(activity.get("externalId").asText())
                    .as("the value is the CRM contact activity its transform made")
                    .isEqualTo("smartcar-kafka-secured");
            assertThat(records.get(0).key()).isEqualTo("veh-kafka-secured");

            BridgeHttp.Response shown = HTTP.get("/admin/destinations/secured", ADMIN);
            assertThat(shown.status()).isEqualTo(200);
            assertThat(shown.body()).contains("saslJaasConfig=xxxxxx").doesNotContain("kafka-s3cret");
            assertThat(HTTP.get("/admin/destinations", ADMIN).body()).doesNotContain("kafka-s3cret");
            assertThat(HTTP.send("POST", "/admin/destinations/secured/try", null, ADMIN)
                            .body())
                    .doesNotContain("kafka-s3cret");
            assertThat(log.lines()).noneMatch(line -> line.contains("kafka-s3cret"));
        }
    }

    @Test
    void theAdminApiShowsTheKafkaSinkAndTriesADocumentWithoutStoringOrCountingIt() throws Exception {
        JsonNode shown = HTTP.get("/admin/destinations/topic", ADMIN).json();
        assertThat(shown.get("sink").get("kind").asText()).isEqualTo("kafka");
        assertThat(shown.get("sink").get("endpoint").asText())
                .startsWith("kafka:flow-events?brokers=")
                .contains("requestRequiredAcks=all");
        JsonNode settings = shown.get("settings");
        assertThat(settings.get("event-types").get(0).asText()).isEqualTo("VEHICLE_STATE");
        assertThat(settings.get("include-test-events").asBoolean()).isFalse();
        assertThat(settings.get("concurrency").asInt()).isEqualTo(32);
        assertThat(settings.has("retry.max-age")).as(settings.toString()).isTrue();
        assertThat(settings.has("transform")).as(settings.toString()).isTrue();
        assertThat(HTTP.get("/admin/destinations/nowhere", ADMIN).status()).isEqualTo(404);
        double delivered = BridgeHttp.metric("bridge_delivery_delivered_total{destination=\"topic\"}");

        JsonNode dry = HTTP.send("POST", "/admin/destinations/topic/try?type=VEHICLE_STATE", null, ADMIN)
                .json();
        assertThat(dry.get("document").get("eventType").asText()).isEqualTo("VEHICLE_STATE");
        assertThat(dry.get("sent").asBoolean()).isFalse();
        String eventId = dry.get("eventId").asText();

        JsonNode sent = HTTP.send(
                        "POST",
                        "/admin/destinations/topic/try?send=true",
                        Fixtures.currentEvent("kafka-tried", "VEHICLE_STATE", "veh-kafka-tried", ""),
                        Map.of("Authorization", "Bearer admin-test-token", "Content-Type", "application/json"))
                .json();
        assertThat(sent.get("attempt").get("outcome").asText())
                .as(sent.toString())
                .isEqualTo("DELIVERED");
        assertThat(onTopic("flow-events", "kafka-tried")).hasSize(1);
        assertThat(db().queryForObject(
                                "SELECT COUNT(*) FROM webhook_event WHERE event_id IN (?, 'kafka-tried')",
                                Integer.class,
                                eventId))
                .as("a try stores nothing")
                .isZero();
        assertThat(db().queryForObject(
                                "SELECT COUNT(*) FROM delivery WHERE event_id IN (?, 'kafka-tried')",
                                Integer.class,
                                eventId))
                .as("and queues no delivery")
                .isZero();
        assertThat(BridgeHttp.metric("bridge_delivery_delivered_total{destination=\"topic\"}"))
                .as("nor is it counted")
                .isEqualTo(delivered);
    }

    private static void deliver(byte[] body) {
        assertThat(HTTP.deliver("/webhooks/smartcar", body, Fixtures.sign(body)).status())
                .isEqualTo(202);
    }

    /** The records of a topic whose event id starts with the prefix, in partition and offset order. */
    private static List<KafkaBroker.Record> onTopic(String topic, String eventIdPrefix) {
        return BROKER.records(topic).stream()
                .filter(record ->
                        String.valueOf(record.headers().get("eventId")).startsWith(eventIdPrefix))
                .toList();
    }

    private List<String> statuses(String eventId, String destination) {
        return db().queryForList(
                        "SELECT status FROM delivery WHERE event_id = ? AND destination = ? ORDER BY id",
                        String.class,
                        eventId,
                        destination);
    }

    private JdbcTemplate db() {
        return BridgeTest.database(camel);
    }
}
