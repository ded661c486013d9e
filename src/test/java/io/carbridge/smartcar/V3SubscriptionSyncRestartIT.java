package io.carbridge.smartcar;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.carbridge.testing.SmartcarDouble.MANAGEMENT_API;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.carbridge.testing.ServiceProcess;
import io.carbridge.testing.SmartcarDouble;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Crash safety of the v3 subscription sync, on the packaged service with its defaults (no SMARTCAR_API_VERSION: v3):
 * {@code kill -9} while a run subscribes 120 vehicles (the double answers each subscription slowly, so the kill lands
 * mid-run), then a restart on the same database. Every vehicle ends up subscribed, and the only vehicles Smartcar is
 * sent a second subscription for are those the dead instance had claimed (at most the one in flight).
 */
class V3SubscriptionSyncRestartIT {

    private static final int VEHICLES = 120;
    private static final Duration START = Duration.ofSeconds(90);
    private static final SmartcarDouble SMARTCAR = new SmartcarDouble();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_TOKEN = "restart-admin-token";

    @Test
    void aKillDuringASyncOf120VehiclesEndsWithEveryVehicleSubscribedAndOnlyTheClaimedOneSentAgain() throws Exception {
        SMARTCAR.reset();
        String token = SMARTCAR.v3Application();
        SMARTCAR.webhook(false, true);
        // 40 owners with 3 vehicles each, connected through any front end
        SMARTCAR.connections(IntStream.range(0, VEHICLES)
                .mapToObj(i -> SmartcarDouble.connection(
                        String.format("vehicle-%03d", i), "user-" + i / 3, "TESLA Model " + (i % 4), 2020 + i % 6))
                .toArray(SmartcarDouble.Connection[]::new));
        SMARTCAR.stub(post(urlPathEqualTo(MANAGEMENT_API + "/subscriptions"))
                .willReturn(aResponse()
                        .withStatus(202)
                        .withBody("{\"meta\":{\"message\":\"subscription creation in progress\"}}")
                        .withFixedDelay(60)));
        String database = ServiceProcess.newDatabaseUrl("v3-sync-restart");

        try (ServiceProcess service = start(database)) {
            await().atMost(Duration.ofSeconds(120))
                    .until(() -> subscribeRequests().size() >= 30);
            service.kill();
        }
        int sentBeforeKill = subscribeRequests().size();
        Set<String> claimedByTheDeadInstance = vehiclesIn(database, "SUBSCRIBING");
        assertThat(sentBeforeKill).as("killed mid-run").isLessThan(VEHICLES);
        assertThat(claimedByTheDeadInstance)
                .as("one vehicle at a time is claimed")
                .hasSizeLessThanOrEqualTo(1);

        try (ServiceProcess restarted = start(database)) {
            await().atMost(Duration.ofSeconds(180)).until(() -> subscribedCount(restarted) == VEHICLES);
            restarted.stop(Duration.ofSeconds(60));
            assertThat(restarted.output())
                    .as("the application token is never logged")
                    .doesNotContain(token);
        }

        Map<String, Long> timesSent = subscribeRequests().stream()
                .collect(Collectors.groupingBy(V3SubscriptionSyncRestartIT::vehicleId, Collectors.counting()));
        assertThat(timesSent).as("every vehicle was sent a subscription").hasSize(VEHICLES);
        assertThat(timesSent.entrySet().stream()
                        .filter(sent -> sent.getValue() > 1)
                        .map(Map.Entry::getKey))
                .as("sent a second time: only what the dead instance had claimed")
                .containsExactlyInAnyOrderElementsOf(claimedByTheDeadInstance);
        assertThat(timesSent.values()).allMatch(times -> times <= 2);
        assertThat(vehiclesIn(database, "SUBSCRIBED")).hasSize(VEHICLES);
        assertThat(SMARTCAR.count(postRequestedFor(urlPathEqualTo(SmartcarDouble.IAM_TOKEN))))
                .as("one application token per process, kept for all its calls")
                .isEqualTo(2);
    }

    private static ServiceProcess start(String database) {
        Map<String, String> environment = SMARTCAR.v3Environment();
        environment.put("ADMIN_TOKEN", ADMIN_TOKEN);
        environment.put("SMARTCAR_API_VERSION", null);
        environment.put("TOKEN_ENCRYPTION_KEY", null);
        return ServiceProcess.start(
                        "v3-sync-restart",
                        database,
                        environment,
                        List.of(
                                "-Dbridge.sync.period=1s",
                                "-Dbridge.sync.page-size=" + SmartcarDouble.PAGE_SIZE,
                                "-Dbridge.sync.claim-timeout=10s",
                                "-Dbridge.instance-id=restart-test"))
                .awaitReady(START);
    }

    private static List<LoggedRequest> subscribeRequests() {
        return SMARTCAR.server().findAll(postRequestedFor(urlPathEqualTo(MANAGEMENT_API + "/subscriptions")));
    }

    private static String vehicleId(LoggedRequest request) {
        try {
            return JSON.readTree(request.getBody())
                    .path("data")
                    .path("attributes")
                    .path("vehicleId")
                    .asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int subscribedCount(ServiceProcess service) {
        return service.http()
                .get("/admin/vehicles?status=SUBSCRIBED&limit=1000", Map.of("Authorization", "Bearer " + ADMIN_TOKEN))
                .json()
                .get("vehicles")
                .size();
    }

    /** Read from the database file while no process has it open. */
    private static Set<String> vehiclesIn(String database, String status) throws Exception {
        try (Connection connection = DriverManager.getConnection(database, "sa", "");
                ResultSet rows = connection
                        .createStatement()
                        .executeQuery("SELECT vehicle_id, subscription_status FROM vehicle")) {
            List<String[]> vehicles = new ArrayList<>();
            while (rows.next()) {
                vehicles.add(new String[] {rows.getString(1), rows.getString(2)});
            }
            return vehicles.stream()
                    .filter(vehicle -> vehicle[1].equals(status))
                    .map(vehicle -> vehicle[0])
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
