package io.carbridge.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code bridge_ready}, the readiness check as a metric, for an alert rule Prometheus can evaluate. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {BridgeTest.TEST_PROPERTIES, BridgeTest.DESTINATIONS, BridgeTest.APPLICATION_PROPERTIES},
        properties = "bridge.db.url=jdbc:h2:mem:observability-docs-test")
class ObservabilityDocsTest {

    private static final BridgeHttp MANAGEMENT = BridgeHttp.management();

    @BeanInject
    CamelContext camel;

    @Test
    void bridgeReadyIsOneExactlyWhileTheReadinessProbeAnswersUp() throws Exception {
        assertThat(MANAGEMENT.get("/observe/health/ready", Map.of()).status()).isEqualTo(200);
        assertThat(BridgeHttp.metric("bridge_ready")).isEqualTo(1);

        camel.getRouteController().stopRoute("retention");
        try {
            assertThat(MANAGEMENT.get("/observe/health/ready", Map.of()).status()).isEqualTo(503);
            assertThat(BridgeHttp.metric("bridge_ready")).isZero();
        } finally {
            camel.getRouteController().startRoute("retention");
        }
        assertThat(MANAGEMENT.get("/observe/health/ready", Map.of()).status()).isEqualTo(200);
        assertThat(BridgeHttp.metric("bridge_ready")).isEqualTo(1);
    }
}
