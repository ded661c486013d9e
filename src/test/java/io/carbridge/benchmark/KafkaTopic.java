package io.carbridge.benchmark;

import io.carbridge.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The Kafka destination of a benchmark run: a topic on a real broker in the benchmark's JVM ({@link KafkaBroker}),
 * which the bridge reaches over loopback, and a consumer that reads every record as it is written and counts it by its
 * {@code eventId} header. A record is readable once the broker acknowledged it, which is when the bridge counts it
 * delivered; the consumer sees it a poll later.
 */
final class KafkaTopic extends BenchmarkDestination {

    /** The destination's name in the bridge's settings. */
    static final String NAME = "kafka";

    static final String TOPIC = "bridge-events";
    /**
     * As a team's topic would have several: the bridge keys each record by its vehicle, which spreads them over these.
     */
    static final int PARTITIONS = 4;

    private static final String EVENT_ID_HEADER = "eventId";

    private final KafkaBroker broker;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread reader;

    private KafkaTopic(KafkaBroker broker) {
        this.broker = broker;
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(TOPIC).stream()
                .map(info -> new TopicPartition(TOPIC, info.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        this.reader = new Thread(this::read, "kafka-topic-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the broker, creates the topic and starts reading it. */
    static KafkaTopic start() {
        KafkaBroker broker = KafkaBroker.start();
        try {
            broker.createTopic(TOPIC, PARTITIONS, Map.of());
            return new KafkaTopic(broker);
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    @Override
    String name() {
        return NAME;
    }

    @Override
    List<String> destinationSettings() {
        return List.of(
                "-Dbridge.destinations=" + NAME,
                "-Dbridge.destination." + NAME + ".uri=kafka:" + TOPIC + "?brokers=" + broker.bootstrapServers());
    }

    /** A broker has no answer that pauses a destination: an operator's pause, through the admin API. */
    @Override
    void pause(Runnable deliverAFew, Runnable pauseThroughAdminApi) {
        pauseThroughAdminApi.run();
    }

    @Override
    public void close() {
        consumer.wakeup();
        try {
            reader.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            broker.close();
        }
    }

    /** Until {@link #close()}: every record, by its event id, at the moment its batch came in. */
    private void read() {
        try (consumer) {
            while (true) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofSeconds(1));
                long now = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    Header eventId = record.headers().lastHeader(EVENT_ID_HEADER);
                    if (eventId != null) {
                        arrived(new String(eventId.value(), StandardCharsets.UTF_8), now);
                    }
                }
            }
        } catch (WakeupException closing) {
            // close() stops the reading
        }
    }
}
