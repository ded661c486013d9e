package io.carbridge.smartcar;

import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.carbridge.testing.SmartcarDouble.MANAGEMENT_API;
import static io.carbridge.testing.SmartcarDouble.connection;
import static io.carbridge.testing.SmartcarDouble.subscriptionsRequestedFor;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.SmartcarDouble;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The admin API on Smartcar API v3: the listing's state, who subscribed each vehicle, an operator's v3 unsubscribe. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {SmartcarDouble.V3_PROPERTIES, BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = "bridge.db.url=jdbc:h2:mem:v3-smartcar-admin-route-test")
class V3SmartcarAdminRouteTest extends SmartcarRouteTestSupport {

    @Test
    void aSyncOnDemandAnswersItsSummaryAndTheListsShowTheListingAndTheVehiclesConnections() {
        SMARTCAR.v3Application();
        SMARTCAR.webhook(false, true);
        SMARTCAR.connections(connection("v-1", "user-1", "TESLA Model 3", 2022), connection("v-2", "user-2", "KIA EV9", 2024));
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
        assertThat(connections.json().get("connections")).as("the connections made through the bridge's Connect").hasSize(1);
        JsonNode vehicles = HTTP.get("/admin/vehicles?status=SUBSCRIBED", ADMIN).json().get("vehicles");
        assertThat(vehicles).hasSize(2);
        assertThat(vehicles.get(0).get("connectionId").asText()).isEqualTo("conn-v-1-user-1");
        assertThat(vehicles.get(0).get("subscribedBy").asText()).isEqualTo("BRIDGE");
        assertThat(vehicles.get(1).get("userId").asText()).isEqualTo("user-2");
    }

    @Test
    void unsubscribingAVehicleRemovesItsSubscriptionByIdAndTheSyncLeavesItAlone() {
        SMARTCAR.v3Application();
        SMARTCAR.webhook(false, true);
        SMARTCAR.connections(connection("v-1", "user-1", "FORD Focus", 2018));
        SMARTCAR.subscriptionsAccepted();
        HTTP.send("POST", "/admin/subscriptions/sync", null, ADMIN);
        SMARTCAR.subscriptionsOf("v-1", "sub-1");
        SMARTCAR.subscriptionDeleted("sub-1", false);

        BridgeHttp.Response response = HTTP.send("DELETE", "/admin/vehicles/v-1/subscription", null, ADMIN);
        HTTP.send("POST", "/admin/subscriptions/sync", null, ADMIN);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("subscriptionStatus").asText()).isEqualTo("UNSUBSCRIBED");
        assertThat(SMARTCAR.count(deleteRequestedFor(urlPathEqualTo(MANAGEMENT_API + "/subscriptions/sub-1"))
                .withHeader("Authorization", equalTo("Bearer " + SMARTCAR.applicationToken())))).isEqualTo(1);
        assertThat(SMARTCAR.count(subscriptionsRequestedFor("v-1"))).as("the next sync does not subscribe it again").isEqualTo(1);
    }

    @Test
    void anUnsubscribeSmartcarRefusesIs502WithItsReason() {
        SMARTCAR.v3Application();
        db().update("INSERT INTO vehicle (vehicle_id, user_id, subscription_status, updated_at) "
                + "VALUES ('v-1', 'user-1', 'SUBSCRIBED', CURRENT_TIMESTAMP)");
        SMARTCAR.subscriptionsOf("v-1", "sub-1");
        SMARTCAR.stub(SMARTCAR.subscriptionDeletion("sub-1").willReturn(SmartcarDouble.v3Error(500, "SERVER", "INTERNAL", "Server error",
                "Try again", "RETRY_LATER")));

        BridgeHttp.Response response = HTTP.send("DELETE", "/admin/vehicles/v-1/subscription", null, ADMIN);

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.json().get("error").asText()).contains("HTTP 500 SERVER INTERNAL Server error Try again resolution=RETRY_LATER");
        assertThat(db().queryForObject("SELECT subscription_status FROM vehicle WHERE vehicle_id = 'v-1'", String.class)).isEqualTo("SUBSCRIBED");
        assertThat(SMARTCAR.count(deleteRequestedFor(anyUrl()))).isEqualTo(1);
        assertThat(response.body()).doesNotContain(SMARTCAR.applicationToken());
    }

    @Test
    void theListingsLastFailureIsShownWithItsNextAttempt() {
        SMARTCAR.v3Application();
        SMARTCAR.webhook(false, true);
        SMARTCAR.stub(SMARTCAR.connectionsPage(1).willReturn(SmartcarDouble.v3Error(502, "UPSTREAM", "UNKNOWN", "Bad gateway", "x", null)));

        HTTP.send("POST", "/admin/subscriptions/sync", null, ADMIN);
        JsonNode listing = HTTP.get("/admin/connections", ADMIN).json().get("connectionListing");

        assertThat(listing.get("lastError").asText()).contains("connections: HTTP 502 UPSTREAM");
        assertThat(listing.get("failureCount").asInt()).isEqualTo(1);
        assertThat(listing.get("nextSyncAt").isNull()).isFalse();
        assertThat(Map.of("claimedBy", listing.get("claimedBy").isNull())).containsEntry("claimedBy", true);
    }
}
