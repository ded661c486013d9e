package io.carbridge.smartcar;

import static io.carbridge.testing.SmartcarDouble.connection;
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
 * The admin API on Smartcar API v3: what both versions answer ({@link SmartcarAdminRouteTest}), and the state of the
 * listing of the application's connections, with each vehicle's connection.
 */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            SmartcarDouble.V3_PROPERTIES,
            BridgeTest.TEST_PROPERTIES,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = "bridge.db.url=jdbc:h2:mem:v3-smartcar-admin-route-test")
class V3SmartcarAdminRouteTest extends SmartcarAdminRouteTest {

    V3SmartcarAdminRouteTest() {
        super(SMARTCAR.v3());
    }

    @Test
    void theConnectionsShowTheListingOfTheApplicationsConnectionsAndTheVehiclesTheirConnection() {
        SMARTCAR.v3Application();
        SMARTCAR.webhook(false, true);
        SMARTCAR.connections(
                connection("v-1", "user-1", "TESLA Model 3", 2022), connection("v-2", "user-2", "KIA EV9", 2024));
        SMARTCAR.subscriptionsAccepted();
        SMARTCAR.connectV3(HTTP, "user-1", "customer-1");

        BridgeHttp.Response run = HTTP.send("POST", "/admin/subscriptions/sync", null, ADMIN);

        assertThat(run.status()).isEqualTo(200);
        assertThat(run.json().get("vehiclesSubscribed").asInt()).isEqualTo(2);
        assertThat(run.json().get("webhookSubscribesEveryVehicle").asBoolean()).isFalse();
        BridgeHttp.Response connections = HTTP.get("/admin/connections", ADMIN);
        assertThat(connections.body()).doesNotContain(SMARTCAR.applicationToken());
        JsonNode listing = connections.json().get("connectionListing");
        assertThat(listing.get("listedConnections").asInt()).isEqualTo(2);
        assertThat(listing.get("lastSyncedAt").isNull()).isFalse();
        assertThat(listing.get("lastError").isNull()).isTrue();
        assertThat(connections.json().get("connections"))
                .as("the connections made through the bridge's Connect")
                .hasSize(1);
        JsonNode vehicles =
                HTTP.get("/admin/vehicles?status=SUBSCRIBED", ADMIN).json().get("vehicles");
        assertThat(vehicles).hasSize(2);
        assertThat(vehicles.get(0).get("connectionId").asText()).isEqualTo("conn-v-1-user-1");
        assertThat(vehicles.get(0).get("subscribedBy").asText()).isEqualTo("BRIDGE");
        assertThat(vehicles.get(1).get("userId").asText()).isEqualTo("user-2");
    }

    @Test
    void theListingsLastFailureIsShownWithItsNextAttempt() {
        SMARTCAR.v3Application();
        SMARTCAR.webhook(false, true);
        SMARTCAR.stub(SMARTCAR.connectionsPage(1)
                .willReturn(SmartcarDouble.v3Error(502, "UPSTREAM", "UNKNOWN", "Bad gateway", "x", null)));

        HTTP.send("POST", "/admin/subscriptions/sync", null, ADMIN);
        JsonNode listing = HTTP.get("/admin/connections", ADMIN).json().get("connectionListing");

        assertThat(listing.get("lastError").asText()).contains("connections: HTTP 502 UPSTREAM");
        assertThat(listing.get("failureCount").asInt()).isEqualTo(1);
        assertThat(listing.get("nextSyncAt").isNull()).isFalse();
        assertThat(Map.of("claimedBy", listing.get("claimedBy").isNull())).containsEntry("claimedBy", true);
    }
}
