package io.carbridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.Fixtures;
import io.carbridge.testing.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM under load, on the packaged service with its default H2 file database: requests and delivery attempts in
 * flight when the signal comes are finished and recorded before the database closes. Every request gets its answer (a
 * 2xx: the routes still run while they finish), every 2xx is stored, every attempt in flight is recorded, and after a
 * restart no event reaches the destination twice.
 */
class GracefulShutdownIT {

    private static final int SENDERS = 8;
    private static final int CONCURRENCY = 4;
    private static final Duration START = Duration.ofSeconds(90);

    @Test
    void sigtermUnderLoadAnswersEveryRequestStoresEvery2xxAndRecordsEveryAttemptInFlight() throws Exception {
        String database = ServiceProcess.newDatabaseUrl("graceful-shutdown");
        try (SlowSink sink = new SlowSink(Duration.ofSeconds(3))) {
            List<String> settings = List.of(
                    "-Dbridge.destinations=sink",
                    "-Dbridge.destination.sink.url=" + sink.url(),
                    "-Dbridge.destination.sink.concurrency=" + CONCURRENCY,
                    "-Dbridge.destination.sink.timeout=30s");
            Map<String, Integer> answers = new ConcurrentHashMap<>();
            Set<String> startedAfterSigterm = ConcurrentHashMap.newKeySet();
            Set<String> sentBeforeSigterm;
            String firstRunLog;
            try (ServiceProcess service = ServiceProcess.start("graceful-shutdown", database, Map.of(), settings)
                    .awaitReady(START)) {
                AtomicBoolean sending = new AtomicBoolean(true);
                AtomicBoolean signalled = new AtomicBoolean();
                ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
                for (int s = 0; s < SENDERS; s++) {
                    int sender = s;
                    senders.execute(() -> {
                        for (int n = 0; sending.get(); n++) {
                            String eventId = "term-" + sender + "-" + n;
                            if (signalled.get()) {
                                startedAfterSigterm.add(eventId);
                            }
                            answers.put(eventId, answer(service.http(), eventId));
                        }
                    });
                }
                // attempts pile up at the slow destination: some are in flight when the signal comes
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> answers.size() >= 200 && sink.inFlight() >= CONCURRENCY);
                sending.set(false);
                signalled.set(true);
                service.stop(Duration.ofSeconds(90));
                senders.shutdown();
                assertThat(senders.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
                sentBeforeSigterm = answers.entrySet().stream()
                        .filter(answer -> answer.getValue() == 202)
                        .map(Map.Entry::getKey)
                        .collect(Collectors.toSet());
                firstRunLog = service.output();
            }
            Set<String> receivedBeforeSigterm = sink.received();

            // a sender that had read "go on" just before the signal sends its request a moment after it: the service,
            // stopping
            // by then, answers 503 and Smartcar delivers it again; nothing is reset or left unanswered either way
            assertThat(answers)
                    .as(
                            "every request sent before SIGTERM answered 2xx, a request sent after it 202 or 503, none reset or refused")
                    .allSatisfy((eventId, status) -> assertThat(status)
                            .as(eventId)
                            .isIn(startedAfterSigterm.contains(eventId) ? Set.of(202, 503) : Set.of(202)));
            assertThat(storedEvents(database)).as("every 2xx stored").containsAll(sentBeforeSigterm);
            assertThat(deliveredEvents(database))
                    .as("every attempt in flight recorded as delivered")
                    .containsAll(receivedBeforeSigterm);
            assertThat(firstRunLog)
                    .doesNotContain("already closed")
                    .doesNotContain("not recorded")
                    .doesNotContain("outcome=unavailable");

            sink.answerAfter(Duration.ZERO);
            try (ServiceProcess restarted = ServiceProcess.start("graceful-shutdown", database, Map.of(), settings)
                    .awaitReady(START)) {
                await().atMost(Duration.ofSeconds(120))
                        .until(() -> sink.received().containsAll(sentBeforeSigterm));
                assertThat(restarted.management().metricValue("bridge_intake_last_received_timestamp_seconds"))
                        .as("the last delivery's time, kept across the restart")
                        .isGreaterThan(0);
                restarted.stop(Duration.ofSeconds(60));
            }
            assertThat(sink.receivedTwice())
                    .as("no event at the destination twice")
                    .isEmpty();
        }
    }

    /** The answer's status, or 0 when the connection failed (refused, reset, closed without an answer). */
    private static int answer(BridgeHttp http, String eventId) {
        byte[] body = ("{\"eventId\":\"" + eventId + "\",\"eventType\":\"VEHICLE_STATE\",\"vehicleId\":\"veh-"
                        + Math.abs(eventId.hashCode() % 40)
                        + "\",\"data\":{},\"meta\":{\"version\":\"4.0\",\"mode\":\"LIVE\"}}")
                .getBytes(StandardCharsets.UTF_8);
        try {
            return http.deliver("/webhooks/smartcar", body, Fixtures.sign(body)).status();
        } catch (UncheckedIOException broken) {
            return 0;
        }
    }

    private static Set<String> storedEvents(String database) throws Exception {
        return ids(database, "SELECT event_id FROM webhook_event");
    }

    private static Set<String> deliveredEvents(String database) throws Exception {
        return ids(
                database,
                "SELECT d.event_id FROM delivery d JOIN delivery_attempt a ON a.delivery_id = d.id "
                        + "WHERE d.status = 'DELIVERED' AND a.outcome = 'DELIVERED'");
    }

    private static Set<String> ids(String database, String sql) throws Exception {
        Set<String> ids = new HashSet<>();
        try (Connection connection = DriverManager.getConnection(database, "sa", "");
                ResultSet rows = connection.createStatement().executeQuery(sql)) {
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
        }
        return ids;
    }

    /** A destination that takes its time to answer 200, and remembers each event id it was sent and how often. */
    private static final class SlowSink implements AutoCloseable {

        private final HttpServer server;
        private final Map<String, Integer> received = new ConcurrentHashMap<>();
        private final AtomicInteger inFlight = new AtomicInteger();
        private volatile Duration delay;

        SlowSink(Duration delay) throws IOException {
            this.delay = delay;
            this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
            server.createContext("/sink", this::take);
            server.setExecutor(Executors.newCachedThreadPool());
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/sink";
        }

        void answerAfter(Duration delay) {
            this.delay = delay;
        }

        int inFlight() {
            return inFlight.get();
        }

        Set<String> received() {
            return Set.copyOf(received.keySet());
        }

        Set<String> receivedTwice() {
            Set<String> twice = new HashSet<>();
            received.forEach((eventId, times) -> {
                if (times > 1) {
                    twice.add(eventId);
                }
            });
            return twice;
        }

        private void take(HttpExchange exchange) throws IOException {
            inFlight.incrementAndGet();
            try {
                exchange.getRequestBody().readAllBytes();
                received.merge(exchange.getRequestHeaders().getFirst("Idempotency-Key"), 1, Integer::sum);
                Thread.sleep(delay.toMillis());
                exchange.sendResponseHeaders(200, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
                inFlight.decrementAndGet();
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
