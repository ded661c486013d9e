package io.carbridge.smartcar;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.LogCapture;
import io.carbridge.testing.SmartcarDouble;
import java.util.Map;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code /connect/start} takes anonymous calls, each keeping a row for the state lifetime: the rows alive at once are
 * capped (3 here), and the customer reference is bounded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            SmartcarDouble.PROPERTIES,
            BridgeTest.TEST_PROPERTIES,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = {"bridge.db.url=jdbc:h2:mem:connect-flood-test", "bridge.connect.max-open-states=3"})
class ConnectFloodTest extends SmartcarRouteTestSupport {

    @Test
    void aFloodOfStartsIsAnswered429OnceTheCapIsReachedAndStoresNothingMore() {
        for (int i = 0; i < 3; i++) {
            assertThat(HTTP.get("/connect/start?ref=flood-" + i, Map.of()).status())
                    .isEqualTo(302);
        }

        BridgeHttp.Response refused;
        try (LogCapture log = LogCapture.start()) {
            for (int i = 0; i < 20; i++) {
                assertThat(HTTP.get("/connect/start?ref=flood-more-" + i, Map.of())
                                .status())
                        .isEqualTo(429);
            }
            refused = HTTP.get("/connect/start?ref=flood-3", Map.of());
            assertThat(log.containing("Connect refuses new starts"))
                    .as("one warning a minute, not one a request")
                    .hasSizeBetween(1, 2);
        }

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("Retry-After")).isEqualTo("60");
        assertThat(refused.header("Content-Type")).startsWith("text/html");
        assertThat(states()).isEqualTo(3);
        assertThat(BridgeHttp.metric("bridge_smartcar_connect_total{outcome=\"rate_limited\"}"))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void aUsedStateCountsUntilItExpiresAndAnExpiredOneMakesRoom() {
        String state = SmartcarDouble.query(
                        HTTP.get("/connect/start?ref=used", Map.of()).header("Location"))
                .get("state");
        HTTP.get("/connect/start?ref=other-1", Map.of());
        HTTP.get("/connect/start?ref=other-2", Map.of());
        // Smartcar's error redirect uses the state up: starting and cancelling must not get round the cap
        assertThat(HTTP.get("/connect/callback?error=access_denied&state=" + state, Map.of())
                        .status())
                .isEqualTo(400);

        assertThat(HTTP.get("/connect/start?ref=after-cancel", Map.of()).status())
                .isEqualTo(429);

        db().update(
                        "UPDATE connect_state SET expires_at = expires_at - INTERVAL '1' HOUR WHERE customer_reference = 'used'");
        assertThat(HTTP.get("/connect/start?ref=after-expiry", Map.of()).status())
                .isEqualTo(302);
        assertThat(states()).isEqualTo(3);
    }

    @Test
    void aReferenceLongerThan200CharactersIsRefusedAndStoresNothing() {
        BridgeHttp.Response response = HTTP.get("/connect/start?ref=" + "r".repeat(201), Map.of());

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).contains("at most 200 characters");
        assertThat(states()).isZero();
        assertThat(HTTP.get("/connect/start?ref=" + "r".repeat(200), Map.of()).status())
                .isEqualTo(302);
    }

    private int states() {
        return db().queryForObject("SELECT COUNT(*) FROM connect_state", Integer.class);
    }
}
