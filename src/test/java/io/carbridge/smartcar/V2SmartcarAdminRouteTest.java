package io.carbridge.smartcar;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.SmartcarDouble;
import java.util.Map;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

/**
 * The admin API on Smartcar API v2.0: what both versions answer ({@link SmartcarAdminRouteTest}), and the owners'
 * connections, each with its state and never its tokens.
 */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            SmartcarDouble.PROPERTIES,
            BridgeTest.TEST_PROPERTIES,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = "bridge.db.url=jdbc:h2:mem:smartcar-admin-route-test")
class V2SmartcarAdminRouteTest extends SmartcarAdminRouteTest {

    V2SmartcarAdminRouteTest() {
        super(SMARTCAR.v2());
    }

    @Test
    void theConnectionsShowEachOwnersConnectionAndItsStateWithoutTokens() {
        SMARTCAR.owner("access-secret-1", Map.of("v-1", "TESLA Model 3", "v-2", "TESLA Model Y"), 2022);
        SMARTCAR.connect(HTTP, "user-1", "customer-1", "access-secret-1", "refresh-secret-1");
        SMARTCAR.connect(HTTP, "user-2", "customer-2", "access-secret-2", "refresh-secret-2");
        db().update(
                        "UPDATE smartcar_connection SET status = 'NEEDS_REAUTHORIZATION', status_reason = 'refresh refused' WHERE user_id = 'user-2'");

        BridgeHttp.Response run = HTTP.send("POST", "/admin/subscriptions/sync", null, ADMIN);

        assertThat(run.json().get("connectionsSynced").asInt()).isEqualTo(1);
        assertThat(run.json().get("vehiclesSubscribed").asInt()).isEqualTo(2);
        BridgeHttp.Response connections = HTTP.get("/admin/connections", ADMIN);
        assertThat(connections.status()).isEqualTo(200);
        assertThat(connections.body()).doesNotContain("secret").doesNotContainIgnoringCase("token");
        assertThat(connections.json().has("connectionListing"))
                .as("each connection is listed by itself")
                .isFalse();
        JsonNode first = connections.json().get("connections").get(0);
        assertThat(first.get("userId").asText()).isEqualTo("user-1");
        assertThat(first.get("customerReference").asText()).isEqualTo("customer-1");
        assertThat(first.get("status").asText()).isEqualTo("ACTIVE");
        assertThat(first.get("vehicles").asInt()).isEqualTo(2);
        assertThat(first.get("lastSyncedAt").isNull()).isFalse();
        JsonNode flagged = HTTP.get("/admin/connections?status=NEEDS_REAUTHORIZATION", ADMIN)
                .json()
                .get("connections");
        assertThat(flagged).hasSize(1);
        assertThat(flagged.get(0).get("statusReason").asText()).isEqualTo("refresh refused");
    }
}
