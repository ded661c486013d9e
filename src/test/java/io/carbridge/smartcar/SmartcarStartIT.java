package io.carbridge.smartcar;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.carbridge.testing.ServiceProcess;
import org.junit.jupiter.api.Test;

/** The packaged service with Connect half configured: it does not start, and says which variable to set. */
class SmartcarStartIT {

    @Test
    void refusesToStartWithAClientIdButNoClientSecretNamingTheVariable() {
        ServiceProcess service = ServiceProcess.start("smartcar-half-configured", ServiceProcess.newDatabaseUrl("smartcar-half-configured"),
                Map.of("SMARTCAR_API_VERSION", "v2", "SMARTCAR_CLIENT_ID", "client-id", "TOKEN_ENCRYPTION_KEY", "BRaDHSSdQ5yjXG1FhzNbPiqL9Y2BnZH4iKO2q6Uv3xU="), List.of());

        assertThat(service.awaitExit(Duration.ofSeconds(60))).isNotZero();
        assertThat(service.output()).contains("bridge.smartcar.client-secret", "SMARTCAR_CLIENT_SECRET").doesNotContain("\tat ")
                .doesNotContain("BRaDHSSdQ5yjXG1FhzNbPiqL9Y2BnZH4iKO2q6Uv3xU=");
    }
}
