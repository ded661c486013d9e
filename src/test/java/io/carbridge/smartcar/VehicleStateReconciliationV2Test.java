package io.carbridge.smartcar;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.LogCapture;
import io.carbridge.testing.SmartcarDouble;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * On Smartcar API v2.0 gap filling is off: the admin calls answer a clear JSON error (409 {@code needs_api_v3}), the
 * check at start says so once in the log, and nothing is read from Smartcar.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {SmartcarDouble.PROPERTIES, BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = "bridge.db.url=jdbc:h2:mem:vehicle-state-reconciliation-v2-test")
class VehicleStateReconciliationV2Test {

    /** Open before the context starts, so that the check at start is in it. */
    private static final LogCapture LOGS = LogCapture.start();
    private static final SmartcarDouble SMARTCAR = new SmartcarDouble();

    @Test
    void theAdminCallsSayTheFeatureNeedsV3AndTheStartUpCheckSaysItOnce() {
        SMARTCAR.server().resetRequests(); // what earlier test classes of this JVM asked the shared double
        for (String method : new String[] {"GET", "POST"}) {
            BridgeHttp.Response answer = SmartcarRouteTestSupport.HTTP.send(method, "/admin/vehicles/reconcile", new byte[0],
                    SmartcarRouteTestSupport.ADMIN);
            assertThat(answer.status()).as(method).isEqualTo(409);
            assertThat(answer.json().get("reason").asText()).isEqualTo("needs_api_v3");
            assertThat(answer.json().get("error").asText()).contains("needs Smartcar API v3");
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> !LOGS.containing("Gap filling after downtime is off").isEmpty());
        assertThat(LOGS.containing("needs Smartcar API v3")).singleElement().asString().contains("bridge.smartcar.api-version is v2");
        assertThat(SMARTCAR.count(getRequestedFor(urlPathMatching(".*/signals")))).as("nothing read from Smartcar").isZero();
        LOGS.close();
    }
}
