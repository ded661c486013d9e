package io.carbridge.delivery.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.Fixtures;
import io.carbridge.testing.KafkaBroker;
import io.carbridge.testing.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packaged service with Kafka destinations, against a real broker in the test JVM, and a file destination beside
 * them. Each vehicle's events are on the topic keyed by it, in the order received; a broker stopped for 15 s under load
 * costs the intake nothing and loses nothing; a record the broker refuses is a dead letter at once, delivered when
 * replayed after the limit is raised; a file destination writes one file per event; and {@code kill -9} right after the
 * intake acknowledged loses nothing, with no more duplicates than the bound of ARCHITECTURE.md.
 */
class KafkaDestinationIT {

    private static final int VEHICLES = 10;
    private static final int CONCURRENCY = 8;
    private static final Duration START = Duration.ofSeconds(90);
    private static final String ADMIN_TOKEN = "kafka-it-admin";
    private static final String SASL_PASSWORD = "kafka-it-s3cret";

    @Test
    void kafkaAndFileDestinationsKeepTheOutboxsGuarantees() throws Exception {
        Path drop = Files.createDirectories(Path.of("target", "it-data", "kafka-drop-" + System.nanoTime()));
        try (KafkaBroker broker = KafkaBroker.start()) {
            broker.createTopic("it-events", 4, Map.of());
            broker.createTopic("it-errors", 1, Map.of("max.message.bytes", "2000"));
            String database = ServiceProcess.newDatabaseUrl("kafka-destination");
            List<String> settings = List.of(
                    "-Dbridge.destinations=events,errors,drop",
                    "-Dbridge.destination.events.uri=kafka:it-events?brokers=" + broker.bootstrapServers(),
                    "-Dbridge.destination.events.event-types=VEHICLE_STATE",
                    "-Dbridge.destination.events.timeout=5s",
                    // below the default, for a tight bound on what a kill makes the destination see twice
                    "-Dbridge.destination.events.concurrency=" + CONCURRENCY,
                    "-Dbridge.destination.events.retry.max-delay=2s",
                    // a SASL login from the environment, as the README's recipe gives it (the broker speaks plain
                    // text, so the client never uses it): never in the output
                    "-Dbridge.destination.errors.uri=kafka:it-errors?brokers=" + broker.bootstrapServers()
                            + "&saslMechanism=PLAIN&saslJaasConfig=RAW({{env:IT_KAFKA_JAAS_CONFIG}})",
                    "-Dbridge.destination.errors.event-types=VEHICLE_ERROR",
                    "-Dbridge.destination.drop.uri=file:" + drop.toAbsolutePath()
                            + "?fileName=${header.CamelOutboxEventId}.json",
                    "-Dbridge.destination.drop.event-types=VEHICLE_ERROR");
            Map<String, String> environment = Map.of(
                    "ADMIN_TOKEN",
                    ADMIN_TOKEN,
                    "IT_KAFKA_JAAS_CONFIG",
                    "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"bridge\" password=\""
                            + SASL_PASSWORD + "\";");

            List<String> sent = new ArrayList<>();
            try (ServiceProcess service = ServiceProcess.start("kafka-destination", database, environment, settings)
                    .awaitReady(START)) {
                // 300 events over 10 vehicles, each vehicle's in order
                Map<String, List<String>> sentPerVehicle = sendPerVehicle(service, "order", 30);
                sentPerVehicle.values().forEach(sent::addAll);
                List<KafkaBroker.Record> records = awaitOnTopic(broker, "it-events", "order-", 300);
                Map<String, List<String>> onTopicPerVehicle = records.stream()
                        .collect(Collectors.groupingBy(
                                KafkaBroker.Record::key,
                                Collectors.mapping(record -> record.headers().get("eventId"), Collectors.toList())));
                assertThat(onTopicPerVehicle)
                        .as("keyed by vehicle, each vehicle's in the order received")
                        .isEqualTo(sentPerVehicle);
                assertThat(records).allSatisfy(record -> assertThat(record.headers())
                        .containsEntry("eventType", "VEHICLE_STATE")
                        .containsEntry("vehicleId", record.key()));

                // the broker stopped for 15 s under load: the intake goes on, nothing is lost
                List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
                String retried = "bridge_delivery_retried_total{destination=\"events\"}";
                double retriedBefore = service.management().metricValue(retried);
                ExecutorService load = Executors.newSingleThreadExecutor();
                Future<List<String>> duringOutage =
                        load.submit(() -> sendSteadily(service, "outage", Duration.ofSeconds(20), latencies));
                Thread.sleep(2_000);
                broker.stop();
                Thread.sleep(15_000);
                broker.restart();
                List<String> outageEvents = duringOutage.get(60, TimeUnit.SECONDS);
                load.shutdown();
                sent.addAll(outageEvents);
                assertThat(percentile99(latencies))
                        .as("intake p99 while the broker was down, ms")
                        .isLessThan(1_000);
                assertThat(service.management().metricValue(retried))
                        .as("attempts failed while the broker was down, and were tried again")
                        .isGreaterThan(retriedBefore);
                awaitOnTopic(broker, "it-events", "outage-", outageEvents.size());
                assertThat(eventIds(broker.records("it-events"), "outage-"))
                        .containsExactlyInAnyOrderElementsOf(outageEvents);

                // a record the broker will never take: a dead letter at once, with the broker's reason; delivered when
                // replayed
                for (int i = 0; i < 20; i++) {
                    deliver(service, Fixtures.currentEvent("error-" + i, "VEHICLE_ERROR", "veh-error-" + i, ""));
                }
                deliver(
                        service,
                        Fixtures.currentEvent(
                                "error-too-large",
                                "VEHICLE_ERROR",
                                "veh-error-large",
                                ",\"data\":{\"errors\":[{\"description\":\"" + "x".repeat(5_000) + "\"}]}"));
                BridgeHttp.Response dead = await().atMost(Duration.ofSeconds(30))
                        .until(
                                () -> admin(service, "GET", "/admin/deliveries?destination=errors&status=DEAD"),
                                answer -> answer.json().size() == 1);
                assertThat(dead.json().get(0).get("attempts").asInt())
                        .as("not retried")
                        .isEqualTo(1);
                assertThat(dead.json().get(0).get("lastError").asText())
                        .as("the broker's reason")
                        .contains("RecordTooLargeException", "larger than the max message size the server will accept");
                broker.alterTopicConfig("it-errors", "max.message.bytes", "1000000");
                assertThat(admin(
                                        service,
                                        "POST",
                                        "/admin/deliveries/"
                                                + dead.json().get(0).get("id").asLong() + "/replay")
                                .status())
                        .isEqualTo(202);
                awaitOnTopic(broker, "it-errors", "error-", 21);

                // a file destination: one file per event
                await().atMost(Duration.ofSeconds(30)).until(() -> files(drop).size() == 21);
                assertThat(files(drop)).contains("error-0.json", "error-19.json", "error-too-large.json");

                assertThat(service.output())
                        .as("the start-up summary, the producers' configuration, every attempt's line")
                        .doesNotContain(SASL_PASSWORD);

                // kill -9 right after the intake acknowledged
                sent.addAll(sendPerVehicle(service, "kill", 20).values().stream()
                        .flatMap(List::stream)
                        .toList());
                service.kill();
            }
            try (ServiceProcess restarted = ServiceProcess.start("kafka-destination", database, environment, settings)
                    .awaitReady(START)) {
                List<KafkaBroker.Record> kill = awaitOnTopic(broker, "it-events", "kill-", 200);
                Map<String, Long> timesOnTopic = eventIds(kill, "kill-").stream()
                        .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
                assertThat(timesOnTopic)
                        .as("every event acknowledged before the kill")
                        .hasSize(200);
                assertThat(timesOnTopic.values().stream()
                                .filter(times -> times > 1)
                                .count())
                        .as("events on the topic twice: at most twice the destination's concurrency")
                        .isLessThanOrEqualTo(2L * CONCURRENCY);
                restarted.stop(Duration.ofSeconds(60));
            }
            assertThat(new HashSet<>(eventIds(broker.records("it-events"), ""))).containsAll(sent);
        }
    }

    /** Each vehicle's events sent in order by its own sender, the vehicles at once; what was sent, by vehicle. */
    private static Map<String, List<String>> sendPerVehicle(ServiceProcess service, String prefix, int perVehicle)
            throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(VEHICLES);
        List<Future<Map.Entry<String, List<String>>>> vehicles = new ArrayList<>();
        for (int v = 0; v < VEHICLES; v++) {
            String vehicle = "veh-" + prefix + "-" + v;
            vehicles.add(senders.submit(() -> {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < perVehicle; i++) {
                    String eventId = prefix + "-" + vehicle + "-" + i;
                    deliver(service, Fixtures.currentEvent(eventId, "VEHICLE_STATE", vehicle, ""));
                    ids.add(eventId);
                }
                return Map.entry(vehicle, ids);
            }));
        }
        Map<String, List<String>> sent = new java.util.TreeMap<>();
        for (Future<Map.Entry<String, List<String>>> vehicle : vehicles) {
            sent.put(vehicle.get().getKey(), vehicle.get().getValue());
        }
        senders.shutdown();
        return sent;
    }

    /** About 20 events a second for the given time, each answer's time kept; the events acknowledged. */
    private static List<String> sendSteadily(
            ServiceProcess service, String prefix, Duration during, List<Long> latencies) throws Exception {
        List<String> sent = new ArrayList<>();
        long end = System.nanoTime() + during.toNanos();
        for (int i = 0; System.nanoTime() < end; i++) {
            String eventId = prefix + "-" + i;
            long start = System.nanoTime();
            deliver(
                    service,
                    Fixtures.currentEvent(eventId, "VEHICLE_STATE", "veh-" + prefix + "-" + (i % VEHICLES), ""));
            latencies.add((System.nanoTime() - start) / 1_000_000);
            sent.add(eventId);
            Thread.sleep(50);
        }
        return sent;
    }

    private static void deliver(ServiceProcess service, byte[] body) {
        assertThat(service.http()
                        .deliver("/webhooks/smartcar", body, Fixtures.sign(body))
                        .status())
                .isEqualTo(202);
    }

    private static BridgeHttp.Response admin(ServiceProcess service, String method, String path) {
        return service.http().send(method, path, null, Map.of("Authorization", "Bearer " + ADMIN_TOKEN));
    }

    private static List<KafkaBroker.Record> awaitOnTopic(
            KafkaBroker broker, String topic, String prefix, int distinct) {
        return await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(1))
                .until(
                        () -> broker.records(topic).stream()
                                .filter(record -> record.headers()
                                        .getOrDefault("eventId", "")
                                        .startsWith(prefix))
                                .toList(),
                        records -> new HashSet<>(eventIds(records, prefix)).size() >= distinct);
    }

    private static List<String> eventIds(List<KafkaBroker.Record> records, String prefix) {
        return records.stream()
                .map(record -> record.headers().get("eventId"))
                .filter(id -> id != null && id.startsWith(prefix))
                .toList();
    }

    private static long percentile99(List<Long> latencies) {
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1);
    }

    private static Set<String> files(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(file -> file.getFileName().toString()).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
