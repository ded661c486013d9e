package io.carbridge.smartcar;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.carbridge.testing.SmartcarDouble.VEHICLE_API;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.carbridge.testing.Fixtures;
import io.carbridge.testing.ServiceProcess;
import io.carbridge.testing.SmartcarDouble;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Gaps filled from Smartcar after an outage, on the packaged service (Smartcar API v3): the bridge is stopped for
 * longer than {@code bridge.reconcile.gap-threshold} while the double's signals move on for one vehicle and not for the
 * other. After the start, the heartbeat tells the bridge how long it was down, it reads both vehicles' signals, and one
 * reconciled VEHICLE_STATE is forwarded, for the vehicle whose signals moved on; none for the other. Smartcar answers
 * the first read with a 429: the bridge asks again once, after its retry-after.
 */
class VehicleStateGapIT {

    private static final SmartcarDouble SMARTCAR = new SmartcarDouble();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_TOKEN = "gap-admin-token";
    private static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer " + ADMIN_TOKEN);
    private static final String CHARGE = "tractionbattery-stateofcharge";
    private static final Duration GAP_THRESHOLD = Duration.ofSeconds(4);

    @Test
    void afterADowntimeLongerThanTheThresholdOneReconciledEventPerVehicleWhoseSignalsMovedOnIsForwarded()
            throws Exception {
        WireMockServer sink = new WireMockServer(options().dynamicPort());
        sink.start();
        try {
            SMARTCAR.reset();
            String token = SMARTCAR.v3Application();
            SMARTCAR.webhook(false, true);
            SMARTCAR.connections(
                    SmartcarDouble.connection("veh-gap-moved", "user-gap-1", "TESLA Model 3", 2021),
                    SmartcarDouble.connection("veh-gap-same", "user-gap-2", "KIA EV6", 2023));
            SMARTCAR.subscriptionsAccepted();
            sink.stubFor(post(urlEqualTo("/sink")).willReturn(aResponse().withStatus(200)));
            String database = ServiceProcess.newDatabaseUrl("vehicle-state-gap");
            Instant before = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);

            try (ServiceProcess service = start(database, sink)) {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> service.http()
                                        .get("/admin/vehicles?status=SUBSCRIBED", ADMIN)
                                        .json()
                                        .get("vehicles")
                                        .size()
                                == 2);
                deliver(service, "gap-moved-before", "veh-gap-moved", 50, before);
                deliver(service, "gap-same-before", "veh-gap-same", 70, before);
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> sink.findAll(postRequestedFor(urlEqualTo("/sink")))
                                        .size()
                                == 2);
                service.stop(Duration.ofSeconds(60));
            }
            Instant stopped = Instant.now();

            // while the bridge is down, one vehicle's charge moves on at Smartcar; the first read of it is rate-limited
            Instant after = before.plus(Duration.ofMinutes(30));
            SMARTCAR.stub(signals("veh-gap-moved", "user-gap-1", token)
                    .inScenario("limited")
                    .whenScenarioStateIs(STARTED)
                    .willReturn(SmartcarDouble.v3Error(
                                    429, "RATE_LIMIT", "VEHICLE", "Rate limit", "Too many requests", "RETRY_LATER")
                            .withHeader("retry-after", "1"))
                    .willSetStateTo("waited"));
            SMARTCAR.stub(signals("veh-gap-moved", "user-gap-1", token)
                    .inScenario("limited")
                    .whenScenarioStateIs("waited")
                    .willReturn(okJson(VehicleStateReconciliationTest.signalsPage(
                            "veh-gap-moved", null, VehicleStateReconciliationTest.apiSignal(CHARGE, 64, after)))));
            SMARTCAR.stub(signals("veh-gap-same", "user-gap-2", token)
                    .willReturn(okJson(VehicleStateReconciliationTest.signalsPage(
                            "veh-gap-same", null, VehicleStateReconciliationTest.apiSignal(CHARGE, 70, before)))));
            sink.resetRequests();
            Thread.sleep(Math.max(
                    0,
                    GAP_THRESHOLD.plusSeconds(1).toMillis()
                            - Duration.between(stopped, Instant.now()).toMillis()));

            try (ServiceProcess restarted = start(database, sink)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    JsonNode run = restarted
                            .http()
                            .get("/admin/vehicles/reconcile", ADMIN)
                            .json();
                    return "downtime".equals(run.path("trigger").asText())
                            && !run.path("finishedAt").isNull();
                });
                JsonNode run =
                        restarted.http().get("/admin/vehicles/reconcile", ADMIN).json();
                assertThat(run.get("vehiclesRead").asInt()).isEqualTo(2);
                assertThat(run.get("signalsNewer").asInt()).isEqualTo(1);
                assertThat(run.get("eventsStored").asInt()).isEqualTo(1);
                assertThat(run.get("failures").asInt()).isZero();
                assertThat(Instant.parse(run.get("downSince").asText())).isBefore(stopped.plusSeconds(1));

                await().atMost(Duration.ofSeconds(30))
                        .until(() -> !reconciled(sink).isEmpty());
                Thread.sleep(1000); // nothing more comes
                List<JsonNode> forwarded = reconciled(sink);
                assertThat(forwarded)
                        .as("one reconciled event, for the vehicle whose signals moved on")
                        .hasSize(1);
                assertThat(forwarded.get(0).get("vehicleId").asText()).isEqualTo("veh-gap-moved");
                assertThat(forwarded.get(0).get("eventType").asText()).isEqualTo("VEHICLE_STATE");
                assertThat(forwarded
                                .get(0)
                                .get("payload")
                                .get("data")
                                .get("signals")
                                .get(0)
                                .get("body")
                                .get("value")
                                .asInt())
                        .isEqualTo(64);

                List<LoggedRequest> reads = SMARTCAR.server()
                        .findAll(getRequestedFor(urlPathEqualTo(VEHICLE_API + "/vehicles/veh-gap-moved/signals"))
                                .withHeader("Authorization", equalTo("Bearer " + token)));
                assertThat(reads)
                        .as("the 429, then one read after its retry-after")
                        .hasSize(2);
                assertThat(Duration.between(
                                reads.get(0).getLoggedDate().toInstant(),
                                reads.get(1).getLoggedDate().toInstant()))
                        .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
                assertThat(SMARTCAR.count(
                                getRequestedFor(urlPathEqualTo(VEHICLE_API + "/vehicles/veh-gap-same/signals"))))
                        .isEqualTo(1);
                JsonNode state = restarted
                        .http()
                        .get("/admin/vehicles/veh-gap-moved/state", ADMIN)
                        .json();
                assertThat(state.get("signals").get(0).get("value").get("value").asInt())
                        .isEqualTo(64);
                restarted.stop(Duration.ofSeconds(60));
                assertThat(restarted.output())
                        .contains("The bridge was down for")
                        .contains("vehicle reconciliation finished")
                        .doesNotContain(token);
            }
        } finally {
            sink.stop();
        }
    }

    private static ServiceProcess start(String database, WireMockServer sink) {
        Map<String, String> environment = SMARTCAR.v3Environment();
        environment.put("ADMIN_TOKEN", ADMIN_TOKEN);
        environment.put("SMARTCAR_API_VERSION", null);
        environment.put("TOKEN_ENCRYPTION_KEY", null);
        return ServiceProcess.start(
                        "vehicle-state-gap",
                        database,
                        environment,
                        List.of(
                                "-Dbridge.sync.period=1s",
                                "-Dbridge.sync.page-size=" + SmartcarDouble.PAGE_SIZE,
                                "-Dbridge.reconcile.gap-threshold=" + GAP_THRESHOLD.toSeconds() + "s",
                                "-Dbridge.reconcile.heartbeat-interval=1s",
                                "-Dbridge.destinations=sink",
                                "-Dbridge.destination.sink.url=http://127.0.0.1:" + sink.port() + "/sink",
                                "-Dbridge.instance-id=gap-test"))
                .awaitReady(Duration.ofSeconds(90));
    }

    private static com.github.tomakehurst.wiremock.client.MappingBuilder signals(
            String vehicleId, String userId, String token) {
        return get(urlPathEqualTo(VEHICLE_API + "/vehicles/" + vehicleId + "/signals"))
                .withHeader("Authorization", equalTo("Bearer " + token))
                .withHeader("sc-user-id", equalTo(userId));
    }

    private static void deliver(ServiceProcess service, String eventId, String vehicleId, int charge, Instant at) {
        byte[] body = ("{\"eventId\":\"" + eventId + "\",\"eventType\":\"VEHICLE_STATE\",\"vehicleId\":\"" + vehicleId
                        + "\",\"data\":{"
                        + "\"vehicle\":{\"id\":\"" + vehicleId + "\"},\"signals\":["
                        + VehicleStateReconciliationTest.value(CHARGE, charge, at) + "]},"
                        + "\"meta\":{\"version\":\"4.0\",\"deliveredAt\":"
                        + Instant.now().toEpochMilli() + ",\"mode\":\"LIVE\",\"webhookId\":\"wh\"}}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(service.http()
                        .deliver("/webhooks/smartcar", body, Fixtures.sign(body))
                        .status())
                .isEqualTo(202);
    }

    /** The reconciled events the destination received (the enriched event JSON, with Smartcar's payload). */
    private static List<JsonNode> reconciled(WireMockServer sink) {
        return sink.findAll(postRequestedFor(urlEqualTo("/sink"))).stream()
                .map(request -> {
                    try {
                        return JSON.readTree(request.getBody());
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .filter(event ->
                        "reconciled".equals(event.path("payload").path("source").asText()))
                .toList();
    }
}
