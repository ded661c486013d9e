package io.carbridge.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import kafka.server.BrokerServer;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Time;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * A real Kafka broker in the test JVM, for the tests of the Kafka destination: Apache Kafka's own server
 * ({@code kafka_2.13}, the Kafka line of the {@code kafka-clients} that camel-kafka brings), one node that is both the
 * KRaft controller and the broker, no ZooKeeper, no Docker, nothing downloaded at test time. It listens on 127.0.0.1
 * only, on a free port, and keeps its data in a temp directory that {@link #close()} deletes; a bridge process reaches
 * it over loopback at {@link #bootstrapServers()}. Unlike PostgreSQL, Kafka runs as root as it is.
 *
 * <p>{@link #stop()} shuts the server down: its sockets close, so a client gets connection refused, and the data stays.
 * {@link #restart()} starts a new server in this JVM on the same ports and the same data, so the records written before
 * the stop are still there, and an idempotent producer that kept sending through the outage has each of its records
 * once and in order (tried with 6,000 records over a 15 s stop). That is the path Kafka's own integration tests take to
 * restart a broker; it needs no second JVM, a stop takes under a second and a restart about one. What stays in the JVM
 * after {@link #close()} is the two tick threads of Kafka's global metrics registry, once per JVM; the server takes
 * some 20 MiB of heap while it runs.
 *
 * <p>Kafka's server logs through SLF4J into the project's log4j2 configuration; its loggers are set to WARN here, or
 * each start and stop would print some 400 lines. Records are flushed by the operating system, not on each write
 * (Kafka's default): a stop of the server keeps them, a crash of the machine would not. A producer that names a topic
 * nobody created gets it created with one partition, as Kafka does by default; {@link #createTopic} for anything else.
 * The class reaches into the server once ({@link #alterTopicConfig}), and so is written for Kafka 3.9.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    /**
     * The server's loggers, and those of this class's own admin client and consumer; the producer's stay as configured,
     * as the bridge's are what its tests read.
     */
    static {
        for (String logger : List.of(
                "kafka",
                "state.change.logger",
                "org.apache.kafka.raft",
                "org.apache.kafka.controller",
                "org.apache.kafka.metadata",
                "org.apache.kafka.image",
                "org.apache.kafka.storage",
                "org.apache.kafka.server",
                "org.apache.kafka.coordinator",
                "org.apache.kafka.queue",
                "org.apache.kafka.common",
                "org.apache.zookeeper",
                "org.apache.kafka.clients.admin",
                "org.apache.kafka.clients.consumer")) {
            Configurator.setLevel(logger, Level.WARN);
        }
    }

    private final Path directory;
    private final int port;
    private final int controllerPort;
    private final Properties settings;
    private final Thread cleanup = new Thread(this::discardAtExit, "kafka-broker-cleanup");
    private volatile KafkaRaftServer server;
    private Admin admin;

    private KafkaBroker(Path directory, int port, int controllerPort) {
        this.directory = directory;
        this.port = port;
        this.controllerPort = controllerPort;
        this.settings = settings();
    }

    /**
     * Formats a new data directory and starts the broker on it, waiting until it answers: 3 to 6 seconds the first time
     * in a JVM, most of it loading Kafka's and Scala's classes, about one second after that.
     */
    public static KafkaBroker start() {
        KafkaBroker broker;
        try {
            broker = new KafkaBroker(
                    Files.createTempDirectory("smartcar-bridge-kafka-"), TestPorts.freePort(), TestPorts.freePort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(broker.cleanup);
        try {
            broker.format();
            broker.launch();
            return broker;
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    /**
     * {@code 127.0.0.1:<port>}: the producer's and consumer's {@code bootstrap.servers}, the same after
     * {@link #restart()}.
     */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The broker's port (its controller listens on another one). */
    public int port() {
        return port;
    }

    /**
     * Creates a topic (replication factor 1) with the given topic-level settings, such as {@code max.message.bytes},
     * and waits until it has a leader for each partition, so a producer's first send finds it.
     */
    public void createTopic(String name, int partitions, Map<String, String> config) {
        NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(config);
        await(admin().createTopics(List.of(topic)).all());
        Instant deadline = Instant.now().plus(ADMIN_TIMEOUT);
        while (true) {
            try {
                TopicDescription description = await(
                                admin().describeTopics(List.of(name)).allTopicNames())
                        .get(name);
                if (description.partitions().size() == partitions
                        && description.partitions().stream()
                                .allMatch(partition -> partition.leader() != null
                                        && !partition.leader().isEmpty())) {
                    return;
                }
            } catch (IllegalStateException notInTheMetadataYet) {
                if (!(notInTheMetadataYet.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw notInTheMetadataYet;
                }
            }
            pause(deadline, "topic " + name + " has no leader");
        }
    }

    /**
     * Sets one topic-level setting (e.g. {@code max.message.bytes}) and waits until the broker's logs of the topic
     * apply it, so the next produce request is judged by the new value. The controller answers once the change is in
     * its metadata log, and the broker applies it a moment later, after {@code describeConfigs} already shows it: so
     * this asks the server's log manager.
     */
    public void alterTopicConfig(String topic, String key, String value) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        AlterConfigOp set = new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET);
        await(admin().incrementalAlterConfigs(Map.of(resource, List.of(set))).all());
        Instant deadline = Instant.now().plus(ADMIN_TIMEOUT);
        while (!appliedEverywhere(topic, key, value)) {
            pause(deadline, key + "=" + value + " not applied to topic " + topic);
        }
    }

    /**
     * Shuts the broker down: its ports close, so clients get connection refused, and its data stays for
     * {@link #restart()}. Takes about a second.
     */
    public synchronized void stop() {
        closeAdmin();
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    /**
     * Starts the stopped broker again, on the same ports and the same data: the records written before are still there.
     */
    public synchronized void restart() {
        if (server != null) {
            throw new IllegalStateException("the broker is running");
        }
        launch();
    }

    /** Whether the broker is running (between {@link #start()} or {@link #restart()} and {@link #stop()}). */
    public synchronized boolean isRunning() {
        return server != null;
    }

    /**
     * Every record of the topic from the beginning, in offset order within each partition, partition by partition. It
     * reads with a {@code read_committed} consumer, as a downstream consumer of the bridge's topic normally does (for
     * records written without transactions, that is every record); without a consumer group, so it commits nothing. A
     * topic that does not exist (yet) has no records, and is not created by asking.
     */
    public List<Record> records(String topic) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, ADMIN_TIMEOUT).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .sorted(Comparator.comparingInt(TopicPartition::partition))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, ADMIN_TIMEOUT);
            Map<Integer, List<Record>> byPartition = new LinkedHashMap<>();
            partitions.forEach(partition -> byPartition.put(partition.partition(), new ArrayList<>()));
            Instant deadline = Instant.now().plus(ADMIN_TIMEOUT);
            while (partitions.stream()
                    .anyMatch(partition -> consumer.position(partition, ADMIN_TIMEOUT) < ends.get(partition))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    byPartition.get(record.partition()).add(Record.of(record));
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("could not read " + topic + " up to its end offsets " + ends);
                }
            }
            return byPartition.values().stream().flatMap(List::stream).toList();
        }
    }

    /** Stops the broker and deletes its data (at the JVM's exit too, if a test did not close it). */
    @Override
    public synchronized void close() {
        try {
            stop();
        } finally {
            delete(directory);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException exiting) {
                // the hook runs anyway, and finds nothing left to do
            }
        }
    }

    /** The shutdown hook: without this object's lock, which a test thread may hold as the JVM exits. */
    private void discardAtExit() {
        KafkaRaftServer running = server;
        if (running != null) {
            running.shutdown();
        }
        delete(directory);
    }

    /**
     * One record as read back: a value of bytes (a String through {@link #value()}) and its headers decoded as UTF-8. A
     * header that camel-kafka wrote from a {@code Long} or {@code Integer} is its 8 or 4 big-endian bytes, not text:
     * read those from {@link #rawHeaders()}.
     */
    public record Record(
            int partition,
            long offset,
            String key,
            byte[] bytes,
            Map<String, String> headers,
            Map<String, byte[]> rawHeaders,
            long timestamp) {

        /** The value decoded as UTF-8, null for a tombstone. */
        public String value() {
            return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
        }

        static Record of(ConsumerRecord<String, byte[]> record) {
            Map<String, String> headers = new LinkedHashMap<>();
            Map<String, byte[]> raw = new LinkedHashMap<>();
            for (Header header : record.headers()) {
                raw.put(header.key(), header.value());
                headers.put(
                        header.key(),
                        header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
            }
            return new Record(
                    record.partition(),
                    record.offset(),
                    record.key(),
                    record.value(),
                    headers,
                    raw,
                    record.timestamp());
        }

        @Override
        public String toString() {
            return "Record[" + partition + "@" + offset + ", key=" + key + ", value=" + value() + ", headers=" + headers
                    + "]";
        }
    }

    private Properties settings() {
        Properties properties = new Properties();
        properties.put("process.roles", "broker,controller");
        properties.put("node.id", "1");
        properties.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        properties.put(
                "listeners",
                BROKER_LISTENER + "://127.0.0.1:" + port + "," + CONTROLLER_LISTENER + "://127.0.0.1:"
                        + controllerPort);
        properties.put("advertised.listeners", BROKER_LISTENER + "://127.0.0.1:" + port);
        properties.put(
                "listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        properties.put("controller.listener.names", CONTROLLER_LISTENER);
        properties.put("inter.broker.listener.name", BROKER_LISTENER);
        properties.put("log.dirs", directory.resolve("data").toString());
        // one node: every internal topic with one replica, and few partitions to create
        properties.put("offsets.topic.replication.factor", "1");
        properties.put("offsets.topic.num.partitions", "1");
        properties.put("transaction.state.log.replication.factor", "1");
        properties.put("transaction.state.log.min.isr", "1");
        properties.put("transaction.state.log.num.partitions", "1");
        properties.put("group.initial.rebalance.delay.ms", "0");
        // the test JVM's memory and two cores: the cleaner would take 128 MiB of heap up front, the thread pools size
        // themselves for a server
        properties.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
        properties.put("num.network.threads", "2");
        properties.put("num.io.threads", "2");
        properties.put("num.recovery.threads.per.data.dir", "1");
        properties.put("background.threads", "2");
        return properties;
    }

    private void format() {
        try {
            Path file = directory.resolve("server.properties");
            try (var out = Files.newBufferedWriter(file)) {
                settings.store(out, "testing.KafkaBroker");
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            int status = StorageTool.execute(
                    new String[] {"format", "--cluster-id", Uuid.randomUuid().toString(), "--config", file.toString()},
                    new PrintStream(output, true, StandardCharsets.UTF_8));
            if (status != 0) {
                throw new IllegalStateException(
                        "could not format " + directory + ": " + output.toString(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch() {
        KafkaRaftServer started = new KafkaRaftServer(KafkaConfig.fromProps(settings, false), Time.SYSTEM);
        try {
            started.startup();
        } catch (RuntimeException e) {
            started.shutdown();
            started.awaitShutdown();
            throw e;
        }
        server = started;
        // startup() returns once the broker is unfenced; the admin client's retries cover the moment before it accepts
        await(admin().describeCluster().nodes());
    }

    private boolean appliedEverywhere(String topic, String key, String value) {
        BrokerServer broker = brokerServer();
        for (int partition = 0; ; partition++) {
            scala.Option<kafka.log.UnifiedLog> log =
                    broker.logManager().getLog(new TopicPartition(topic, partition), false);
            if (log.isEmpty()) {
                return partition > 0;
            }
            Object applied = log.get().config().originals().get(key);
            if (applied == null || !value.equals(applied.toString())) {
                return false;
            }
        }
    }

    /** The broker half of the running server: Kafka keeps it private, and this class is written for Kafka 3.9. */
    @SuppressWarnings("unchecked")
    private BrokerServer brokerServer() {
        try {
            Field field = KafkaRaftServer.class.getDeclaredField("broker");
            field.setAccessible(true);
            return ((scala.Option<BrokerServer>) field.get(server)).get();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this Kafka version's KafkaRaftServer has no broker field", e);
        }
    }

    private synchronized Admin admin() {
        if (server == null) {
            throw new IllegalStateException("the broker is stopped");
        }
        if (admin == null) {
            admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    bootstrapServers(),
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                    (int) ADMIN_TIMEOUT.toMillis()));
        }
        return admin;
    }

    private synchronized void closeAdmin() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
    }

    private static <T> T await(KafkaFuture<T> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void pause(Instant deadline, String failure) {
        if (Instant.now().isAfter(deadline)) {
            throw new IllegalStateException(failure);
        }
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void delete(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // the system's temp cleaning gets what is left
        }
    }
}
