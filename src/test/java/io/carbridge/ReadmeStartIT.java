package io.carbridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.Fixtures;
import io.carbridge.testing.ListeningSockets;
import io.carbridge.testing.ServiceProcess;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The service started as the README says ({@code java -jar target/smartcar-bridge.jar}), from outside. */
class ReadmeStartIT {

    @Test
    void answersSmartcarsVerificationChallengeOverRealHttpAndLogsNoSecret() {
        // a secret given as a literal -D override, which Camel's start-up summary would print
        String adminToken = "literal-admin-token-" + System.nanoTime();
        try (ServiceProcess service = ServiceProcess.start(
                        "readme-start",
                        ServiceProcess.newDatabaseUrl("readme-start"),
                        Map.of("MANAGEMENT_HOST", "127.0.0.1"),
                        List.of("-Dbridge.admin.token=" + adminToken))
                .awaitReady(Duration.ofSeconds(90))) {
            assertThat(ListeningSockets.addresses(service.managementPort()))
                    .as("health and metrics kept on this machine")
                    .containsOnly("127.0.0.1");
            assertThat(ListeningSockets.addresses(service.httpPort()))
                    .as("the webhook on every interface")
                    .containsOnly("0.0.0.0");
            BridgeHttp.Response answer =
                    service.http().deliver("/webhooks/smartcar", Fixtures.bytes("v4-verify.json"), null);

            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.header("Content-Type")).startsWith("application/json");
            assertThat(answer.json().get("challenge").asText())
                    .isEqualTo(Fixtures.expectedChallengeResponse("v4-verify.json"));
            assertThat(service.management()
                            .get("/observe/health/live", Map.of())
                            .status())
                    .isEqualTo(200);
            assertThat(service.http()
                            .get("/admin/events", Map.of("Authorization", "Bearer " + adminToken))
                            .status())
                    .isEqualTo(200);
            assertThat(service.http().get("/console/", Map.of()).body())
                    .as("the console, from the jar")
                    .contains("console.js");
            assertThat(service.http()
                            .get("/console/lib/uPlot.iife.min.js", Map.of())
                            .status())
                    .as("its chart library, from target/lib")
                    .isEqualTo(200);
            assertThat(service.output())
                    .doesNotContain(Fixtures.MANAGEMENT_TOKEN)
                    .doesNotContain(adminToken);
        }
    }

    @Test
    void refusesToStartWithoutAManagementTokenAndSaysWhichVariableToSet() {
        Map<String, String> withoutToken = new HashMap<>();
        withoutToken.put("SMARTCAR_MANAGEMENT_TOKEN", null);
        ServiceProcess service = ServiceProcess.start(
                "readme-no-token", ServiceProcess.newDatabaseUrl("readme-no-token"), withoutToken, List.of());

        assertThat(service.awaitExit(Duration.ofSeconds(60))).isNotZero();
        assertThat(service.output()).contains("SMARTCAR_MANAGEMENT_TOKEN").doesNotContain("\tat ");
    }

    @Test
    void refusesToStartWhenItsPortIsTakenInsteadOfRunningUnreachable() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            ServiceProcess service = ServiceProcess.start(
                    "readme-port-taken",
                    ServiceProcess.newDatabaseUrl("readme-port-taken"),
                    Map.of("HTTP_PORT", String.valueOf(taken.getLocalPort())),
                    List.of());

            assertThat(service.awaitExit(Duration.ofSeconds(60))).isNotZero();
            assertThat(service.output()).contains("camel.server.port", "HTTP_PORT");
        }
    }

    @Test
    void refusesToStartWithAMisconfiguredDestinationNamingItAndTheSetting() {
        ServiceProcess noUrl = ServiceProcess.start(
                "readme-bad-destination",
                ServiceProcess.newDatabaseUrl("readme-bad-destination"),
                Map.of(),
                List.of("-Dbridge.destinations=erp"));
        assertThat(noUrl.awaitExit(Duration.ofSeconds(60))).isNotZero();
        assertThat(noUrl.output()).contains("bridge.destination.erp.url", "'erp'");

        ServiceProcess noRoute = ServiceProcess.start(
                "readme-missing-route",
                ServiceProcess.newDatabaseUrl("readme-missing-route"),
                Map.of(),
                List.of(
                        "-Dbridge.destinations=erp",
                        "-Dbridge.destination.erp.url=http://127.0.0.1:9/erp",
                        "-Dbridge.destination.erp.transform=direct:erp-order-line"));
        assertThat(noRoute.awaitExit(Duration.ofSeconds(60))).isNotZero();
        assertThat(noRoute.output()).contains("bridge.destination.erp.transform", "direct:erp-order-line", "'erp'");
    }
}
