package io.carbridge.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.vertx.core.VertxOptions;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.Main;
import org.flywaydb.core.Flyway;

/**
 * The benchmark's reference: a minimal durable intake on the bridge's stack, run as its own process like the service
 * ({@code java -Xmx256m}, the test classpath), so that every intake figure of the bridge is compared with what the
 * stack allows, measured in the same run. It does only what the bridge must do for a delivery: Camel platform-http on
 * Vert.x with 64 worker threads; HMAC-SHA256 of the raw bytes checked against {@code SC-Signature}, then Jackson; the
 * event row and one outbox row committed by a group commit; the 2xx once the commit is done. The rows are the bridge's
 * (its migrations create the schema), on the same kind of database: H2 file with {@code WRITE_DELAY=0}, or PostgreSQL.
 *
 * <p>It also serves the trivial GET of {@code src/test/resources/benchmark/ceiling.camel.yaml}, the same route the
 * benchmark adds to the bridge: here it measures a bare platform-http server.
 *
 * <p>Configured like the service, by environment: {@code HTTP_PORT}, {@code DB_URL}, {@code DB_USER},
 * {@code DB_PASSWORD}, {@code SMARTCAR_MANAGEMENT_TOKEN}. Test code: none of it ships.
 */
public final class MinimalIntake {

    static final int WORKER_THREADS = 64;
    /** The destination every outbox row is for (nothing delivers them here). */
    static final String DESTINATION = "sink";

    private static final int MAX_BATCH = 256;
    /**
     * The shortest time between the starts of two commits, as the bridge's default
     * {@code bridge.intake.min-commit-interval}: a commit costs about the same for one event as for many, so under
     * steady load the events arriving meanwhile share the next one; after a quiet moment a lone event is committed at
     * once.
     */
    static final long MIN_COMMIT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private static final long COMMIT_TIMEOUT_SECONDS = 10;
    private static final String UNIQUE_VIOLATION = "23505";

    private final ObjectMapper json = new ObjectMapper();
    private final ThreadLocal<Mac> hmac;
    private final GroupCommit writer;

    private MinimalIntake(String managementToken, DataSource database) {
        byte[] key = managementToken.getBytes(StandardCharsets.UTF_8);
        this.hmac = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
        this.writer = new GroupCommit(database);
    }

    public static void main(String[] args) throws Exception {
        HikariDataSource database = database(
                environment("DB_URL"),
                System.getenv().getOrDefault("DB_USER", "sa"),
                System.getenv().getOrDefault("DB_PASSWORD", ""));
        MinimalIntake intake = new MinimalIntake(environment("SMARTCAR_MANAGEMENT_TOKEN"), database);
        Thread writer = new Thread(intake.writer, "minimal-intake-writer");
        writer.setDaemon(true);
        writer.start();

        Main main = new Main();
        // configured here alone: no application.properties, wherever the working directory or the classpath may have
        // one
        main.setDefaultPropertyPlaceholderLocation("false");
        main.bind("vertxOptions", new VertxOptions().setWorkerPoolSize(WORKER_THREADS));
        main.configure().addRoutesBuilder(new RouteBuilder() {
            @Override
            public void configure() {
                from("platform-http:" + SmartcarTraffic.INTAKE_PATH + "?httpMethodRestrict=POST")
                        .routeId("minimal-intake")
                        .process(intake::receive);
            }
        });
        main.addInitialProperty("camel.main.name", "minimal-intake");
        main.addInitialProperty("camel.main.routes-include-pattern", Benchmark.CEILING_ROUTE);
        main.addInitialProperty("camel.server.enabled", "true");
        main.addInitialProperty("camel.server.port", environment("HTTP_PORT"));
        main.addInitialProperty("camel.server.max-body-size", "65536");
        main.run(args);
        database.close();
    }

    /** One delivery: signature, JSON, commit, answer; each failure gets its status and a JSON error. */
    private void receive(Exchange exchange) throws Exception {
        Message message = exchange.getMessage();
        Instant receivedAt = Instant.now();
        byte[] body = message.getBody(byte[].class);
        String signature = message.getHeader("SC-Signature", String.class);
        message.getHeaders().clear(); // nothing of the request is echoed back
        if (body == null || signature == null || !isValidSignature(body, signature)) {
            answer(message, 401, Map.of("error", "invalid signature"));
            return;
        }
        Event event;
        try {
            event = Event.of(json.readTree(body), body, receivedAt);
        } catch (Exception notAnEvent) {
            answer(message, 400, Map.of("error", "not a Smartcar event"));
            return;
        }
        boolean stored;
        try {
            stored = writer.submit(event).get(COMMIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception notCommitted) {
            answer(message, 503, Map.of("error", "not stored, try again"));
            return;
        }
        answer(message, stored ? 202 : 200, Map.of("status", stored ? "accepted" : "duplicate", "eventId", event.id()));
    }

    private boolean isValidSignature(byte[] body, String signature) {
        byte[] expected = hmac.get().doFinal(body);
        try {
            return MessageDigest.isEqual(expected, HexFormat.of().parseHex(signature.trim()));
        } catch (IllegalArgumentException notHex) {
            return false;
        }
    }

    private void answer(Message message, int status, Map<String, String> document) throws Exception {
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(json.writeValueAsBytes(document));
    }

    /** The columns of the bridge's event row that a current-format event fills. */
    private record Event(
            String id,
            String type,
            String vehicleId,
            Instant eventTime,
            String mode,
            String webhookId,
            String version,
            Instant receivedAt,
            byte[] body) {

        static Event of(JsonNode envelope, byte[] body, Instant receivedAt) {
            JsonNode meta = envelope.path("meta");
            String id = envelope.path("eventId").asText(null);
            String type = envelope.path("eventType").asText(null);
            if (id == null || type == null) {
                throw new IllegalArgumentException("no eventId or eventType");
            }
            return new Event(
                    id,
                    type,
                    envelope.path("vehicleId").asText(null),
                    meta.has("deliveredAt")
                            ? Instant.ofEpochMilli(meta.path("deliveredAt").asLong())
                            : null,
                    meta.has("mode") ? meta.path("mode").asText().toLowerCase(Locale.ROOT) : null,
                    meta.path("webhookId").asText(null),
                    meta.path("version").asText(null),
                    receivedAt,
                    body);
        }
    }

    /**
     * Group commit, minimal: one thread commits what is waiting (up to {@value #MAX_BATCH} events, gathered until
     * {@link #MIN_COMMIT_INTERVAL_NANOS} after the previous commit started) in one transaction, then releases each
     * waiting request with whether its event was new. A batch holding an event id that is already stored (or twice)
     * fails on the primary key and is committed again one event at a time, where the duplicate is found.
     */
    private static final class GroupCommit implements Runnable {

        private static final String INSERT_EVENT =
                "INSERT INTO webhook_event (event_id, event_type, recognised, vehicle_id, "
                        + "event_time, mode, webhook_id, envelope_version, received_at, raw_body) VALUES (?, ?, TRUE, ?, ?, ?, ?, ?, ?, ?)";
        private static final String INSERT_OUTBOX =
                "INSERT INTO delivery (event_id, destination, ordering_key, status, attempts, "
                        + "next_attempt_at, replay, received_at, created_at) VALUES (?, ?, ?, 'PENDING', 0, ?, FALSE, ?, ?)";

        private final DataSource database;
        private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();

        GroupCommit(DataSource database) {
            this.database = database;
        }

        CompletableFuture<Boolean> submit(Event event) {
            Pending pending = new Pending(event, new CompletableFuture<>());
            queue.add(pending);
            return pending.stored();
        }

        @Override
        public void run() {
            List<Pending> batch = new ArrayList<>(MAX_BATCH);
            long lastCommit = System.nanoTime() - MIN_COMMIT_INTERVAL_NANOS;
            while (true) {
                try {
                    batch.add(queue.take());
                    long commitAt = lastCommit + MIN_COMMIT_INTERVAL_NANOS;
                    for (long wait = commitAt - System.nanoTime();
                            wait > 0 && batch.size() < MAX_BATCH;
                            wait = commitAt - System.nanoTime()) {
                        Pending next = queue.poll(wait, TimeUnit.NANOSECONDS);
                        if (next != null) {
                            batch.add(next);
                        }
                    }
                    queue.drainTo(batch, MAX_BATCH - batch.size());
                    lastCommit = System.nanoTime();
                    try {
                        insert(batch.stream().map(Pending::event).toList());
                        batch.forEach(pending -> pending.stored().complete(true));
                    } catch (SQLException e) {
                        if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                            throw e;
                        }
                        for (Pending pending : batch) {
                            pending.stored().complete(insertUnlessStored(pending.event()));
                        }
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) { // the database failed: these requests get their 503, the next batch tries again
                    batch.forEach(pending -> pending.stored().completeExceptionally(e));
                } finally {
                    batch.clear();
                }
            }
        }

        private boolean insertUnlessStored(Event event) throws SQLException {
            try {
                insert(List.of(event));
                return true;
            } catch (SQLException e) {
                if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    return false;
                }
                throw e;
            }
        }

        /** The events and their outbox rows, in one transaction. */
        private void insert(List<Event> events) throws SQLException {
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            try (Connection connection = database.getConnection()) {
                connection.setAutoCommit(false);
                try (PreparedStatement eventRows = connection.prepareStatement(INSERT_EVENT);
                        PreparedStatement outboxRows = connection.prepareStatement(INSERT_OUTBOX)) {
                    for (Event event : events) {
                        eventRows.setString(1, event.id());
                        eventRows.setString(2, event.type());
                        eventRows.setString(3, event.vehicleId());
                        eventRows.setObject(4, utc(event.eventTime()));
                        eventRows.setString(5, event.mode());
                        eventRows.setString(6, event.webhookId());
                        eventRows.setString(7, event.version());
                        eventRows.setObject(8, utc(event.receivedAt()));
                        eventRows.setBytes(9, event.body());
                        eventRows.addBatch();
                        outboxRows.setString(1, event.id());
                        outboxRows.setString(2, DESTINATION);
                        outboxRows.setString(3, event.vehicleId() != null ? event.vehicleId() : event.id());
                        outboxRows.setObject(4, now);
                        outboxRows.setObject(5, utc(event.receivedAt()));
                        outboxRows.setObject(6, now);
                        outboxRows.addBatch();
                    }
                    eventRows.executeBatch();
                    outboxRows.executeBatch();
                    connection.commit();
                } catch (SQLException | RuntimeException e) {
                    connection.rollback();
                    throw e;
                }
            }
        }

        private static OffsetDateTime utc(Instant instant) {
            return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
        }

        private record Pending(Event event, CompletableFuture<Boolean> stored) {}
    }

    /** The bridge's pool and schema: its migrations, with what only H2 needs on H2, and an H2 file made durable. */
    private static HikariDataSource database(String url, String user, String password) {
        boolean h2 = url.startsWith("jdbc:h2:");
        HikariConfig config = new HikariConfig();
        config.setPoolName("minimal-intake-db");
        config.setJdbcUrl(h2 && !url.toUpperCase(Locale.ROOT).contains(";WRITE_DELAY=") ? url + ";WRITE_DELAY=0" : url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(2);
        HikariDataSource dataSource = new HikariDataSource(config);
        Flyway.configure()
                .dataSource(dataSource)
                .locations(
                        h2
                                ? new String[] {"classpath:db/migration", "classpath:db/vendor/h2"}
                                : new String[] {"classpath:db/migration"})
                .load()
                .migrate();
        return dataSource;
    }

    private static String environment(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("set " + name);
        }
        return value;
    }
}
