package io.carbridge.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Kafka destination's tests stand on {@link KafkaBroker}: a producer set as the bridge's will be (every replica
 * acknowledges, idempotent) writes keyed records that read back in order, a topic's size limit refuses a record until
 * it is raised, and the records written before a stop are there after the restart.
 */
class KafkaBrokerTest {

    private static KafkaBroker kafka;

    @BeforeAll
    static void startBroker() {
        kafka = KafkaBroker.start();
    }

    @AfterAll
    static void closeBroker() {
        kafka.close();
    }

    @Test
    void keyedRecordsReadBackInOrderPerPartitionWithTheirHeaders() throws Exception {
        kafka.createTopic("ordered", 3, Map.of());

        try (KafkaProducer<String, String> producer = producer(Map.of())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                ProducerRecord<String, String> record =
                        new ProducerRecord<>("ordered", "vehicle-" + (i % 5), "event-" + i);
                record.headers().add("eventId", ("e-" + i).getBytes(StandardCharsets.UTF_8));
                sent.add(producer.send(record));
            }
            for (Future<RecordMetadata> each : sent) {
                each.get();
            }
        }

        List<KafkaBroker.Record> records = kafka.records("ordered");
        assertThat(records).hasSize(30);
        for (int vehicle = 0; vehicle < 5; vehicle++) {
            String key = "vehicle-" + vehicle;
            List<KafkaBroker.Record> ofVehicle =
                    records.stream().filter(record -> record.key().equals(key)).toList();
            assertThat(ofVehicle)
                    .extracting(KafkaBroker.Record::partition)
                    .containsOnly(ofVehicle.get(0).partition());
            int first = vehicle;
            assertThat(ofVehicle)
                    .extracting(KafkaBroker.Record::value)
                    .containsExactly(List.of(0, 1, 2, 3, 4, 5).stream()
                            .map(n -> "event-" + (first + 5 * n))
                            .toArray(String[]::new));
            assertThat(ofVehicle).extracting(KafkaBroker.Record::offset).isSorted();
            assertThat(ofVehicle)
                    .allSatisfy(record -> assertThat(record.headers().get("eventId"))
                            .isEqualTo("e" + record.value().substring(5)));
        }
    }

    @Test
    void aRecordLargerThanTheTopicAllowsIsRefusedUntilTheLimitIsRaised() throws Exception {
        kafka.createTopic("limited", 1, Map.of("max.message.bytes", "1024"));
        // well under the producer's own max.request.size (1 MiB): the broker is the one that refuses it
        String large = "x".repeat(4096);

        try (KafkaProducer<String, String> producer = producer(Map.of())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("limited", "v-1", large))
                            .get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(RecordTooLargeException.class);

            kafka.alterTopicConfig("limited", "max.message.bytes", "65536");

            assertThat(producer.send(new ProducerRecord<>("limited", "v-1", large))
                            .get()
                            .offset())
                    .isZero();
        }
        assertThat(kafka.records("limited"))
                .extracting(KafkaBroker.Record::value)
                .containsExactly(large);
    }

    /**
     * The bridge keeps its producer through an outage: a send while the broker is stopped fails once its delivery
     * timeout has passed, and the same producer's sends work again after the restart.
     */
    @Test
    void recordsWrittenBeforeAStopAreThereAfterTheRestart() throws Exception {
        kafka.createTopic("durable", 2, Map.of());
        try (KafkaProducer<String, String> producer = producer(Map.of(
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 1500, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000))) {
            producer.send(new ProducerRecord<>("durable", "v-1", "before-1")).get();
            producer.send(new ProducerRecord<>("durable", "v-2", "before-2")).get();

            kafka.stop();
            assertThatThrownBy(() -> new Socket("127.0.0.1", kafka.port()).close())
                    .isInstanceOf(ConnectException.class);
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("durable", "v-1", "while-stopped"))
                            .get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TimeoutException.class);

            kafka.restart();
            producer.send(new ProducerRecord<>("durable", "v-1", "after")).get();
        }
        assertThat(kafka.records("durable"))
                .extracting(KafkaBroker.Record::value)
                .containsExactlyInAnyOrder("before-1", "before-2", "after");
        assertThat(kafka.records("durable"))
                .filteredOn(record -> record.key().equals("v-1"))
                .extracting(KafkaBroker.Record::value)
                .containsExactly("before-1", "after");
    }

    /** A producer set as the bridge's: every in-sync replica acknowledges, and a retried send is written once. */
    private static KafkaProducer<String, String> producer(Map<String, Object> overrides) {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        properties.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        properties.putAll(overrides);
        return new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer());
    }
}
