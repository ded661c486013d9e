package io.carbridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.carbridge.testing.Fixtures;
import io.carbridge.testing.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The bound ARCHITECTURE.md promises on what a destination sees twice after {@code kill -9}: at most twice the
 * destination's concurrency per kill (the attempts in flight, and the finished ones whose outcome was not committed
 * yet). Five kills at random moments while 200 events a round are sent and go to a slow destination (20 ms a request,
 * concurrency 4); each restart finishes what the killed process left, and nothing is lost.
 */
class CrashDuplicatesIT {

    private static final int CONCURRENCY = 4;
    private static final int BOUND = 2 * CONCURRENCY;
    private static final int KILLS = 5;
    private static final int EVENTS_A_ROUND = 200;
    private static final Pattern EVENT_ID = Pattern.compile("\"eventId\"\\s*:\\s*\"([^\"]+)\"");

    @Test
    void afterEachKillTheDestinationSeesAtMostTwiceItsConcurrencyAgainAndEveryEventInTheEnd() throws Exception {
        SlowSink sink = new SlowSink(Duration.ofMillis(20));
        ExecutorService senders = Executors.newFixedThreadPool(16);
        try {
            String database = ServiceProcess.newDatabaseUrl("crash-duplicates");
            List<String> settings = List.of(
                    "-Dbridge.destinations=sink",
                    "-Dbridge.destination.sink.url=" + sink.url(),
                    "-Dbridge.destination.sink.concurrency=" + CONCURRENCY,
                    "-Dbridge.destination.sink.timeout=30s");
            Set<String> sent = new HashSet<>();
            List<Integer> duplicatesPerKill = new ArrayList<>();
            for (int round = 0; round <= KILLS; round++) {
                sink.epoch.set(round);
                try (ServiceProcess service = ServiceProcess.start("crash-duplicates", database, Map.of(), settings)
                        .awaitReady(Duration.ofSeconds(90))) {
                    if (round == KILLS) {
                        // the last run only finishes what the kills left
                        await().atMost(Duration.ofSeconds(60))
                                .until(() -> sink.distinct().containsAll(sent));
                        service.stop(Duration.ofSeconds(60));
                        break;
                    }
                    // sent by 16 senders, faster than the destination takes them: a backlog builds, attempts are in
                    // flight;
                    // the kill comes somewhere in the middle, while events are still being sent
                    int killAfter =
                            sink.received.size() + ThreadLocalRandom.current().nextInt(20, EVENTS_A_ROUND / 2);
                    List<Future<String>> deliveries = new ArrayList<>();
                    for (int i = 0; i < EVENTS_A_ROUND; i++) {
                        String eventId = "crash-" + round + "-" + i;
                        byte[] body = Fixtures.currentEvent(eventId, "VEHICLE_STATE", "veh-crash-" + (i % 10), "");
                        deliveries.add(senders.submit(() -> acknowledged(service, eventId, body)));
                    }
                    await().atMost(Duration.ofSeconds(60)).until(() -> sink.received.size() >= killAfter);
                    service.kill();
                    for (Future<String> delivery : deliveries) {
                        if (delivery.get() != null) {
                            sent.add(delivery.get());
                        }
                    }
                }
            }
            for (int kill = 0; kill < KILLS; kill++) {
                duplicatesPerKill.add(sink.seenInEpochAndLater(kill));
            }

            assertThat(sink.distinct())
                    .as("every event acknowledged reached the destination")
                    .containsAll(sent);
            System.out.println("events seen again after each kill: " + duplicatesPerKill + " (bound " + BOUND + ")");
            assertThat(duplicatesPerKill)
                    .as("events a kill made the destination see twice, per kill")
                    .allSatisfy(duplicates -> assertThat(duplicates).isLessThanOrEqualTo(BOUND));
        } finally {
            senders.shutdownNow();
            sink.stop();
        }
    }

    /** The event id when the service answered 202; null when the kill came first. */
    private static String acknowledged(ServiceProcess service, String eventId, byte[] body) {
        try {
            return service.http()
                                    .deliver("/webhooks/smartcar", body, Fixtures.sign(body))
                                    .status()
                            == 202
                    ? eventId
                    : null;
        } catch (UncheckedIOException killedMeanwhile) {
            return null;
        }
    }

    /** A destination that takes 20 ms to answer 200, and remembers each event it got with the run that sent it. */
    private static final class SlowSink {

        final HttpServer server;
        final AtomicInteger epoch = new AtomicInteger();
        final List<Map.Entry<Integer, String>> received = new CopyOnWriteArrayList<>();

        SlowSink(Duration delay) throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
            server.setExecutor(Executors.newFixedThreadPool(16));
            server.createContext("/events", exchange -> {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                Matcher eventId = EVENT_ID.matcher(body);
                if (eventId.find()) {
                    received.add(Map.entry(epoch.get(), eventId.group(1)));
                }
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/events";
        }

        Set<String> distinct() {
            Set<String> ids = new HashSet<>();
            received.forEach(entry -> ids.add(entry.getValue()));
            return ids;
        }

        /** Events received during run {@code epoch} (before its kill) and received again by a later run. */
        int seenInEpochAndLater(int epoch) {
            Set<String> before = new HashSet<>();
            Set<String> after = new HashSet<>();
            received.forEach(
                    entry -> (entry.getKey() == epoch ? before : entry.getKey() > epoch ? after : new HashSet<String>())
                            .add(entry.getValue()));
            before.retainAll(after);
            return before.size();
        }

        void stop() {
            server.stop(0);
        }
    }
}
