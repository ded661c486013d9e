package io.carbridge.smartcar;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.testing.ServiceProcess;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The packaged service with Connect half configured, or configured for the other API version: it does not start, and
 * says what to set.
 */
class SmartcarStartIT {

    @Test
    void refusesToStartWithAClientIdButNoClientSecretNamingTheVariable() {
        ServiceProcess service = ServiceProcess.start(
                "smartcar-half-configured",
                ServiceProcess.newDatabaseUrl("smartcar-half-configured"),
                Map.of(
                        "SMARTCAR_API_VERSION",
                        "v2",
                        "SMARTCAR_CLIENT_ID",
                        "client-id",
                        "TOKEN_ENCRYPTION_KEY",
                        "BRaDHSSdQ5yjXG1FhzNbPiqL9Y2BnZH4iKO2q6Uv3xU="),
                List.of());

        assertThat(service.awaitExit(Duration.ofSeconds(60))).isNotZero();
        assertThat(service.output())
                .contains("bridge.smartcar.client-secret", "SMARTCAR_CLIENT_SECRET")
                .doesNotContain("\tat ")
                .doesNotContain("BRaDHSSdQ5yjXG1FhzNbPiqL9Y2BnZH4iKO2q6Uv3xU=");
    }

    @Test
    void aV2DeploymentUpgradedWithoutSettingTheApiVersionStopsWithOneLineSayingWhatToSet() {
        Map<String, String> v2 = new HashMap<>(Map.of(
                "SMARTCAR_CLIENT_ID",
                "client-id",
                "SMARTCAR_CLIENT_SECRET",
                "client-secret",
                "SMARTCAR_REDIRECT_URI",
                "https://bridge.example.com/connect/callback",
                "SMARTCAR_WEBHOOK_ID",
                "wh-1",
                "TOKEN_ENCRYPTION_KEY",
                "BRaDHSSdQ5yjXG1FhzNbPiqL9Y2BnZH4iKO2q6Uv3xU="));
        v2.put("SMARTCAR_API_VERSION", null);
        v2.put("SMARTCAR_APPLICATION_ID", null);
        // a log of its own (ServiceProcess appends to a name's log), so that the lines counted are this start's
        String name = "smartcar-v2-upgraded-" + System.nanoTime();
        ServiceProcess service = ServiceProcess.start(name, ServiceProcess.newDatabaseUrl(name), v2, List.of());

        assertThat(service.awaitExit(Duration.ofSeconds(60))).isNotZero();
        List<String> saying = service.output()
                .lines()
                .filter(line -> line.contains("SMARTCAR_API_VERSION"))
                .toList();
        assertThat(saying).as("one line").hasSize(1);
        assertThat(saying.get(0)).contains("Not started", "SMARTCAR_APPLICATION_ID", "SMARTCAR_API_VERSION=v2");
        assertThat(service.output()).doesNotContain("\tat ").doesNotContain("client-secret");
    }
}
