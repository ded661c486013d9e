package io.carbridge.smartcar;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.LogCapture;
import io.carbridge.testing.SmartcarDouble;
import java.time.Duration;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * On Smartcar API v2.0 gap filling is off: a run asked for is refused with a clear JSON error (409
 * {@code needs_api_v3}), the last run's call says why there is none, the check at start says so once in the log, and
 * nothing is read from Smartcar.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            SmartcarDouble.PROPERTIES,
            BridgeTest.TEST_PROPERTIES,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = "bridge.db.url=jdbc:h2:mem:vehicle-state-reconciliation-v2-test")
class VehicleStateReconciliationV2Test {

    /** Open before the context starts, so that the check at start is in it. */
    private static final LogCapture LOGS = LogCapture.start();

    private static final SmartcarDouble SMARTCAR = new SmartcarDouble();

    @Test
    void theAdminCallsSayTheFeatureNeedsV3AndTheStartUpCheckSaysItOnce() {
        SMARTCAR.server().resetRequests(); // what earlier test classes of this JVM asked the shared double
        BridgeHttp.Response run = SmartcarRouteTestSupport.HTTP.send(
                "POST", "/admin/vehicles/reconcile", new byte[0], SmartcarRouteTestSupport.ADMIN);
        assertThat(run.status()).isEqualTo(409);
        assertThat(run.json().get("reason").asText()).isEqualTo("needs_api_v3");
        assertThat(run.json().get("error").asText()).contains("needs Smartcar API v3");
        BridgeHttp.Response lastRun =
                SmartcarRouteTestSupport.HTTP.get("/admin/vehicles/reconcile", SmartcarRouteTestSupport.ADMIN);
        assertThat(lastRun.status()).isEqualTo(200);
        assertThat(lastRun.json().get("available").asBoolean()).isFalse();
        assertThat(lastRun.json().get("reason").asText()).isEqualTo("needs_api_v3");
        assertThat(lastRun.json().get("message").asText()).contains("needs Smartcar API v3");

        await().atMost(Duration.ofSeconds(20)).until(() -> !LOGS.containing("Gap filling after downtime is off")
                .isEmpty());
        assertThat(LOGS.containing("needs Smartcar API v3"))
                .singleElement()
                .asString()
                .contains("bridge.smartcar.api-version is v2");
        assertThat(SMARTCAR.count(getRequestedFor(urlPathMatching(".*/signals"))))
                .as("nothing read from Smartcar")
                .isZero();
        LOGS.close();
    }
}
