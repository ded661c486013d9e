package io.carbridge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.carbridge.testing.SmartcarDouble.MANAGEMENT_API;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.carbridge.testing.Fixtures;
import io.carbridge.testing.PostgresServer;
import io.carbridge.testing.ServiceProcess;
import io.carbridge.testing.SmartcarDouble;
import io.carbridge.testing.TestPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Several instances on one PostgreSQL: three packaged services share a database, Smartcar sends to each in turn, and
 * one of them is killed ({@code kill -9}) under load. No acknowledged event is lost; the destination receives an event
 * twice only when it was in flight at the dead instance; each vehicle's events reach the destination in the order they
 * were received, whichever instance received or delivered them; the dead instance's claims are taken over once they
 * expire; and the three instances' subscription syncs subscribe each vehicle once.
 */
class ScaleOutIT {

    private static final int INSTANCES = 3;
    private static final int VEHICLES = 24;
    private static final Duration START = Duration.ofSeconds(90);
    private static final String ADMIN = "Bearer scale-out-admin-token";
    private static final SmartcarDouble SMARTCAR = new SmartcarDouble();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void threeInstancesOnOnePostgresqlLoseNothingKeepEachVehiclesOrderAndTakeOverWhatAKilledOneHeld() throws Exception {
        String database = PostgresServer.newDatabase("scale_out");
        SMARTCAR.reset();
        SMARTCAR.v3Application();
        SMARTCAR.webhook(false, true);
        SMARTCAR.connections(IntStream.range(0, VEHICLES)
                .mapToObj(i -> SmartcarDouble.connection(vehicle(i), "user-" + i % 6, "TESLA Model Y", 2024))
                .toArray(SmartcarDouble.Connection[]::new));
        SMARTCAR.stub(post(urlPathEqualTo(MANAGEMENT_API + "/subscriptions"))
                .willReturn(aResponse()
                        .withStatus(202)
                        .withBody("{\"meta\":{\"message\":\"subscription creation in progress\"}}")
                        .withFixedDelay(20)));

        try (RecordingDestination destination = new RecordingDestination();
                Instances instances = new Instances(database, destination.url())) {
            // the three syncs run every second, at once, on the same vehicles: each vehicle is subscribed by one of
            // them
            await().atMost(Duration.ofSeconds(60)).until(() -> subscribed(database) == VEHICLES);
            Map<String, Long> subscriptionsSent = subscriptionRequests();
            assertThat(subscriptionsSent).hasSize(VEHICLES).allSatisfy((vehicle, times) -> assertThat(times)
                    .as(vehicle)
                    .isEqualTo(1));

            Load load = new Load(instances);
            ExecutorService background = Executors.newSingleThreadExecutor();
            Future<?> sending = background.submit(() -> {
                load.sendFor(Duration.ofSeconds(6));
                return null;
            });
            ServiceProcess victim = instances.get(1);
            // killed under load, at a moment it holds claims (the instances' claims take turns: at a given instant it
            // may hold none)
            Thread.sleep(2_000);
            await().atMost(Duration.ofSeconds(4))
                    .pollInterval(Duration.ofMillis(2))
                    .until(() -> !inFlightAt(database, "scale-out-1").isEmpty());
            victim.kill();
            load.skip(1);
            // what the dead instance held at its death (read before its claims expire): the only events the destination
            // may see twice
            Set<String> heldByTheDeadInstance = inFlightAt(database, "scale-out-1");
            assertThat(heldByTheDeadInstance)
                    .as("attempts in flight at the kill")
                    .isNotEmpty();
            sending.get();
            background.shutdown();
            load.sendFor(Duration.ofSeconds(2));
            load.stop();

            Set<String> acknowledged = load.acknowledged();
            assertThat(acknowledged).as("acknowledged events").hasSizeGreaterThan(100);
            assertThat(stored(database))
                    .as("every acknowledged event is stored")
                    .containsAll(acknowledged);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> destination.distinct().containsAll(acknowledged));

            assertThat(destination.receivedTwice())
                    .as("events the destination received twice: only those in flight at the kill")
                    .isSubsetOf(heldByTheDeadInstance);
            destination.firstArrivals().forEach((vehicle, sequence) -> assertThat(sequence)
                    .as("the events of " + vehicle + ", in order")
                    .isSorted());
            assertThat(statuses(database, heldByTheDeadInstance))
                    .as("the dead instance's claims, taken over once they expired")
                    .allMatch("DELIVERED"::equals);
            System.out.printf(
                    "Scale-out: %d events acknowledged by %d instances, all delivered; %d in flight at the killed one, "
                            + "%d of them received twice; %d vehicles subscribed once each%n",
                    acknowledged.size(),
                    INSTANCES,
                    heldByTheDeadInstance.size(),
                    destination.receivedTwice().size(),
                    VEHICLES);
        }
    }

    private static String vehicle(int index) {
        return String.format("scale-vehicle-%02d", index);
    }

    /** The three services, each with its own instance id, on one database, syncing every second. */
    private static final class Instances implements AutoCloseable {

        private final List<ServiceProcess> services = new ArrayList<>();

        Instances(String database, String destinationUrl) {
            Map<String, String> environment = SMARTCAR.v3Environment();
            environment.putAll(Map.of(
                    "DB_USER", "postgres", "DB_PASSWORD", "", "ADMIN_TOKEN", ADMIN.substring("Bearer ".length())));
            for (int i = 0; i < INSTANCES; i++) {
                services.add(ServiceProcess.start(
                        "scale-out-" + i,
                        database,
                        environment,
                        List.of(
                                "-Dbridge.instance-id=scale-out-" + i,
                                "-Dbridge.sync.period=1s",
                                "-Dbridge.sync.page-size=" + SmartcarDouble.PAGE_SIZE,
                                "-Dbridge.sync.claim-timeout=10s",
                                "-Dbridge.destinations=crm",
                                "-Dbridge.destination.crm.url=" + destinationUrl,
                                "-Dbridge.destination.crm.timeout=1s",
                                "-Dbridge.destination.crm.concurrency=4",
                                "-Dbridge.delivery.claim-margin=2s",
                                "-Dbridge.delivery.poll-interval=200ms")));
            }
            services.forEach(service -> service.awaitReady(START));
        }

        ServiceProcess get(int index) {
            return services.get(index);
        }

        int size() {
            return services.size();
        }

        @Override
        public void close() {
            services.forEach(ServiceProcess::close);
        }
    }

    /**
     * Smartcar's traffic: each vehicle's events sent one after another (the next once the previous is answered), to the
     * instances in turn, many vehicles at once.
     */
    private static final class Load {

        private final Instances instances;
        private final Set<Integer> skipped = ConcurrentHashMap.newKeySet();
        private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        private final Map<Integer, Integer> nextSequence = new ConcurrentHashMap<>();
        private final ExecutorService senders = Executors.newFixedThreadPool(VEHICLES);

        Load(Instances instances) {
            this.instances = instances;
        }

        /** Each vehicle sends its next events for {@code duration}. */
        void sendFor(Duration duration) throws Exception {
            long until = System.nanoTime() + duration.toNanos();
            List<Future<?>> vehicles = new ArrayList<>();
            for (int v = 0; v < VEHICLES; v++) {
                int vehicle = v;
                vehicles.add(senders.submit(() -> {
                    while (System.nanoTime() < until) {
                        int sequence = nextSequence.merge(vehicle, 1, Integer::sum);
                        send(vehicle, sequence);
                    }
                }));
            }
            for (Future<?> sending : vehicles) {
                sending.get();
            }
        }

        private void send(int vehicle, int sequence) {
            int instance = (vehicle + sequence) % instances.size();
            if (skipped.contains(instance)) {
                instance = (instance + 1) % instances.size();
            }
            String eventId = String.format("%s-%05d", vehicle(vehicle), sequence);
            byte[] body = ("{\"eventId\":\"" + eventId + "\",\"eventType\":\"VEHICLE_STATE\",\"vehicleId\":\""
                            + vehicle(vehicle)
                            + "\",\"data\":{},\"meta\":{\"version\":\"4.0\",\"mode\":\"LIVE\",\"deliveredAt\":\""
                            + Instant.now() + "\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            try {
                if (instances
                                        .get(instance)
                                        .http()
                                        .deliver("/webhooks/smartcar", body, Fixtures.sign(body))
                                        .status()
                                / 100
                        == 2) {
                    acknowledged.add(eventId);
                }
            } catch (UncheckedIOException killedOrRefused) {
                // not acknowledged: Smartcar would deliver it again
            }
        }

        void skip(int instance) {
            skipped.add(instance);
        }

        void stop() {
            senders.shutdownNow();
        }

        Set<String> acknowledged() {
            return acknowledged;
        }
    }

    /** The destination: records every event it receives, in the order received. */
    private static final class RecordingDestination implements AutoCloseable {

        private final HttpServer server;
        private final List<String> received = Collections.synchronizedList(new ArrayList<>());

        RecordingDestination() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", TestPorts.freePort()), 64);
            server.setExecutor(Executors.newFixedThreadPool(16));
            server.createContext("/crm", exchange -> {
                JsonNode document = JSON.readTree(exchange.getRequestBody().readAllBytes());
                received.add(document.get("eventId").asText());
                sleep(20); // an attempt takes a moment: some are in flight when an instance dies
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/crm";
        }

        Set<String> distinct() {
            synchronized (received) {
                return new HashSet<>(received);
            }
        }

        Set<String> receivedTwice() {
            synchronized (received) {
                Set<String> seen = new HashSet<>();
                return received.stream().filter(eventId -> !seen.add(eventId)).collect(Collectors.toSet());
            }
        }

        /** Per vehicle, the sequence numbers of its events in the order each first arrived. */
        Map<String, List<Integer>> firstArrivals() {
            synchronized (received) {
                Map<String, List<Integer>> byVehicle = new LinkedHashMap<>();
                Set<String> seen = new HashSet<>();
                for (String eventId : received) {
                    if (seen.add(eventId)) {
                        int dash = eventId.lastIndexOf('-');
                        byVehicle
                                .computeIfAbsent(eventId.substring(0, dash), v -> new ArrayList<>())
                                .add(Integer.parseInt(eventId.substring(dash + 1)));
                    }
                }
                return byVehicle;
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Map<String, Long> subscriptionRequests() {
        return SMARTCAR.server().findAll(postRequestedFor(urlPathEqualTo(MANAGEMENT_API + "/subscriptions"))).stream()
                .collect(Collectors.groupingBy(
                        request -> {
                            try {
                                return JSON.readTree(request.getBody())
                                        .path("data")
                                        .path("attributes")
                                        .path("vehicleId")
                                        .asText();
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        },
                        Collectors.counting()));
    }

    private static int subscribed(String database) throws Exception {
        return ids(database, "SELECT vehicle_id FROM vehicle WHERE subscription_status = 'SUBSCRIBED'")
                .size();
    }

    private static Set<String> stored(String database) throws Exception {
        return ids(database, "SELECT event_id FROM webhook_event");
    }

    private static Set<String> inFlightAt(String database, String instance) throws Exception {
        return ids(
                database,
                "SELECT event_id FROM delivery WHERE status = 'IN_FLIGHT' AND claimed_by = '" + instance + "'");
    }

    private static List<String> statuses(String database, Set<String> eventIds) throws Exception {
        List<String> statuses = new ArrayList<>();
        for (String eventId : eventIds) {
            statuses.addAll(ids(database, "SELECT status FROM delivery WHERE event_id = '" + eventId + "'"));
        }
        return statuses;
    }

    private static Set<String> ids(String database, String query) throws Exception {
        Set<String> ids = new HashSet<>();
        try (Connection connection = DriverManager.getConnection(database);
                ResultSet rows = connection.createStatement().executeQuery(query)) {
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
        }
        return ids;
    }
}
