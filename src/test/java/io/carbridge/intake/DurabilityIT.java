package io.carbridge.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.Fixtures;
import io.carbridge.testing.ServiceProcess;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The durability contract, proven on the packaged service: a 2xx means the event is committed, so a {@code kill -9}
 * right after the answer loses nothing.
 */
class DurabilityIT {

    private static final Duration START = Duration.ofSeconds(90);

    @Test
    void everyAcknowledgedEventSurvivesAKillDashNineUnderLoad() throws Exception {
        String database = ServiceProcess.newDatabaseUrl("durability");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();

        try (ServiceProcess service = ServiceProcess.start("durability", database, Map.of(), List.of())
                .awaitReady(START)) {
            AtomicBoolean sending = new AtomicBoolean(true);
            ExecutorService senders = Executors.newFixedThreadPool(8);
            for (int s = 0; s < 8; s++) {
                int sender = s;
                senders.execute(() -> {
                    for (int n = 0; sending.get(); n++) {
                        String eventId = "kill-" + sender + "-" + n;
                        try {
                            if (send(service.http(), eventId).status() == 202) {
                                acknowledged.add(eventId);
                            }
                        } catch (RuntimeException connectionLost) {
                            return;
                        }
                    }
                });
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 400);
            service.kill();
            sending.set(false);
            senders.shutdown();
        }
        Set<String> acknowledgedBeforeKill = Set.copyOf(acknowledged);

        try (ServiceProcess restarted = ServiceProcess.start("durability", database, Map.of(), List.of())
                .awaitReady(START)) {
            for (String eventId : acknowledgedBeforeKill) {
                BridgeHttp.Response again = send(restarted.http(), eventId);
                assertThat(again.status()).as(eventId).isEqualTo(200);
                assertThat(again.json().get("status").asText()).as(eventId).isEqualTo("duplicate");
            }
            restarted.stop(Duration.ofSeconds(60));
        }
        assertThat(storedAmong(database, acknowledgedBeforeKill)).isEqualTo(acknowledgedBeforeKill.size());
    }

    private static BridgeHttp.Response send(BridgeHttp http, String eventId) {
        byte[] body = ("{\"eventId\":\"" + eventId + "\",\"eventType\":\"VEHICLE_STATE\",\"vehicleId\":\"veh-"
                        + eventId.hashCode() % 50
                        + "\",\"data\":{},\"meta\":{\"version\":\"4.0\",\"mode\":\"LIVE\",\"webhookId\":\"wh\"}}")
                .getBytes(StandardCharsets.UTF_8);
        return http.deliver("/webhooks/smartcar", body, Fixtures.sign(body));
    }

    private static int storedAmong(String database, Set<String> eventIds) throws Exception {
        try (Connection connection = DriverManager.getConnection(database, "sa", "");
                PreparedStatement select = connection.prepareStatement("SELECT event_id FROM webhook_event")) {
            List<String> stored = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    stored.add(rows.getString(1));
                }
            }
            return (int) eventIds.stream().filter(stored::contains).count();
        }
    }
}
