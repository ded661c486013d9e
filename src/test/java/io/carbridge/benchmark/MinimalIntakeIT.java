package io.carbridge.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.benchmark.LoadGenerator.Observer;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.Fixtures;
import io.carbridge.testing.ServiceProcess;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's reference is only fair if it does what the bridge must: the minimal intake refuses what is not signed
 * or not an event, finds duplicates, stores each event with one outbox row, and answers 2xx only once that is
 * committed, so that every acknowledged event survives a {@code kill -9}.
 */
class MinimalIntakeIT {

    private static final String EVENT = "v4-vehicle-state.json";

    @Test
    void answersEachDeliveryAndEveryAcknowledgedEventSurvivesAKillDashNineWithItsOutboxRow() throws Exception {
        String database = ServiceProcess.newDatabaseUrl("minimal-intake");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        try (ServiceProcess intake = ServiceProcess.startTestMain(
                        "minimal-intake",
                        MinimalIntake.class,
                        SmartcarTraffic.CEILING_PATH,
                        database,
                        Map.of(),
                        List.of())
                .awaitReady(Duration.ofSeconds(90))) {
            BridgeHttp http = intake.http();
            byte[] event = Fixtures.bytes(EVENT);
            String signature = Fixtures.signature(EVENT);
            BridgeHttp.Response accepted = http.deliver(SmartcarTraffic.INTAKE_PATH, event, signature);
            assertThat(accepted.status()).isEqualTo(202);
            acknowledged.add(accepted.json().get("eventId").asText());
            assertThat(http.deliver(SmartcarTraffic.INTAKE_PATH, event, signature)
                            .json()
                            .get("status")
                            .asText())
                    .isEqualTo("duplicate");
            assertThat(http.deliver(SmartcarTraffic.INTAKE_PATH, event, Fixtures.sign(event, "another-token"))
                            .status())
                    .isEqualTo(401);
            assertThat(http.deliver(SmartcarTraffic.INTAKE_PATH, event, null).status())
                    .isEqualTo(401);
            byte[] notJson = "{\"eventId\":".getBytes();
            assertThat(http.deliver(SmartcarTraffic.INTAKE_PATH, notJson, Fixtures.sign(notJson))
                            .status())
                    .isEqualTo(400);
            assertThat(http.get(SmartcarTraffic.CEILING_PATH, Map.of()).status())
                    .isEqualTo(200);

            // the load outlives the kill: requests in flight at the kill get no answer, and must not count
            try (LoadGenerator generator = new LoadGenerator(intake.httpPort(), 64)) {
                Observer observer = (delivery, status) -> {
                    if (status == SmartcarTraffic.ACCEPTED) {
                        acknowledged.add(delivery.eventId());
                    }
                };
                SmartcarTraffic traffic = new SmartcarTraffic("minimal-it-" + System.currentTimeMillis(), 5);
                CompletableFuture<LoadGenerator.Result> load = CompletableFuture.supplyAsync(
                        () -> generator.atFixedRate(300, Duration.ofSeconds(4), traffic.events(), observer));
                Thread.sleep(2_500);
                intake.kill();
                load.join();
            }
        }

        Map<String, Integer> outboxRows = new HashMap<>();
        try (Connection connection = DriverManager.getConnection(database, "sa", "");
                ResultSet rows = connection
                        .createStatement()
                        .executeQuery(
                                "SELECT e.event_id, COUNT(d.id) FROM webhook_event e LEFT JOIN delivery d ON d.event_id = e.event_id "
                                        + "AND d.destination = 'sink' AND d.status = 'PENDING' GROUP BY e.event_id")) {
            while (rows.next()) {
                outboxRows.put(rows.getString(1), rows.getInt(2));
            }
        }
        assertThat(acknowledged).hasSizeGreaterThan(100);
        assertThat(outboxRows.keySet()).containsAll(acknowledged);
        assertThat(outboxRows.values()).containsOnly(1);
    }
}
