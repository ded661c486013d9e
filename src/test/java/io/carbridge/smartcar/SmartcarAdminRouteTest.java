package io.carbridge.smartcar;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.SmartcarDouble;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The admin API of Connect and the sync, as an operator calls it over HTTP with the admin bearer token. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {SmartcarDouble.PROPERTIES, BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = "bridge.db.url=jdbc:h2:mem:smartcar-admin-route-test")
class SmartcarAdminRouteTest extends SmartcarRouteTestSupport {

    @Test
    void everyCallNeedsTheAdminTokenAndOtherMethodsGet405() {
        assertThat(HTTP.get("/admin/connections", Map.of()).status()).isEqualTo(401);
        assertThat(HTTP.send("POST", "/admin/subscriptions/sync", null, Map.of("Authorization", "Bearer wrong")).status()).isEqualTo(401);
        assertThat(HTTP.get("/admin/subscriptions/sync", ADMIN).status()).isEqualTo(405);
        assertThat(HTTP.send("DELETE", "/admin/connections", null, ADMIN).status()).isEqualTo(405);
        assertThat(SMARTCAR.requests()).isZero();
    }

    @Test
    void aSyncRunOnDemandAnswersItsSummaryAndTheListsShowConnectionsWithoutTokens() {
        SMARTCAR.owner("access-secret-1", Map.of("v-1", "TESLA Model 3", "v-2", "TESLA Model Y"), 2022);
        SMARTCAR.connect(HTTP, "user-1", "customer-1", "access-secret-1", "refresh-secret-1");
        SMARTCAR.connect(HTTP, "user-2", "customer-2", "access-secret-2", "refresh-secret-2");
        db().update("UPDATE smartcar_connection SET status = 'NEEDS_REAUTHORIZATION', status_reason = 'refresh refused' WHERE user_id = 'user-2'");

        BridgeHttp.Response run = HTTP.send("POST", "/admin/subscriptions/sync", null, ADMIN);

        assertThat(run.status()).isEqualTo(200);
        assertThat(run.json().get("connectionsSynced").asInt()).isEqualTo(1);
        assertThat(run.json().get("vehiclesSubscribed").asInt()).isEqualTo(2);

        BridgeHttp.Response connections = HTTP.get("/admin/connections", ADMIN);
        assertThat(connections.status()).isEqualTo(200);
        assertThat(connections.body()).doesNotContain("secret").doesNotContainIgnoringCase("token");
        JsonNode first = connections.json().get("connections").get(0);
        assertThat(first.get("userId").asText()).isEqualTo("user-1");
        assertThat(first.get("customerReference").asText()).isEqualTo("customer-1");
        assertThat(first.get("status").asText()).isEqualTo("ACTIVE");
        assertThat(first.get("vehicles").asInt()).isEqualTo(2);
        assertThat(first.get("lastSyncedAt").isNull()).isFalse();
        JsonNode flagged = HTTP.get("/admin/connections?status=NEEDS_REAUTHORIZATION", ADMIN).json().get("connections");
        assertThat(flagged).hasSize(1);
        assertThat(flagged.get(0).get("statusReason").asText()).isEqualTo("refresh refused");
        assertThat(HTTP.get("/admin/connections?status=BROKEN", ADMIN).status()).isEqualTo(400);

        JsonNode vehicles = HTTP.get("/admin/vehicles?userId=user-1&status=SUBSCRIBED", ADMIN).json().get("vehicles");
        assertThat(vehicles).hasSize(2);
        assertThat(vehicles.get(0).get("vehicleId").asText()).isEqualTo("v-1");
        assertThat(vehicles.get(0).get("make").asText()).isEqualTo("TESLA");
        assertThat(vehicles.get(0).get("year").asInt()).isEqualTo(2022);
        assertThat(vehicles.get(0).get("subscribedAt").isNull()).isFalse();
        assertThat(HTTP.get("/admin/vehicles?limit=1", ADMIN).json().get("vehicles")).hasSize(1);
    }

    @Test
    void theVehicleListShowsTheLastErrorOfAFailedVehicle() {
        SMARTCAR.owner("access-1", Map.of("v-1", "FORD Focus"), 2018);
        SMARTCAR.stub(SmartcarDouble.subscription("access-1", "v-1").willReturn(aResponse().withStatus(430)
                .withHeader("Content-Type", "application/json").withBody("{\"type\":\"BILLING\",\"code\":\"INVALID_PLAN\"}")));
        SMARTCAR.connect(HTTP, "user-1", "customer-1", "access-1", "refresh-1");
        HTTP.send("POST", "/admin/subscriptions/sync", null, ADMIN);

        JsonNode failed = HTTP.get("/admin/vehicles?status=FAILED", ADMIN).json().get("vehicles");

        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).get("lastError").asText()).contains("HTTP 430 BILLING INVALID_PLAN");
        assertThat(failed.get(0).get("lastErrorAt").isNull()).isFalse();
    }

    @Test
    void theVehicleListShowsWhenEachVehiclesLastEventArrived() {
        db().update("INSERT INTO vehicle (vehicle_id, user_id, subscription_status, updated_at) VALUES ('v-1', 'user-1', 'SUBSCRIBED', CURRENT_TIMESTAMP)");
        db().update("INSERT INTO vehicle (vehicle_id, user_id, subscription_status, updated_at) VALUES ('v-2', 'user-1', 'SUBSCRIBED', CURRENT_TIMESTAMP)");
        db().update("DELETE FROM webhook_event WHERE vehicle_id IN ('v-1', 'v-2')");
        for (String at : new String[] {"2026-11-01T10:00:00Z", "2026-11-02T10:00:00Z"}) {
            db().update("INSERT INTO webhook_event (event_id, event_type, recognised, vehicle_id, received_at, raw_body) "
                    + "VALUES (?, 'VEHICLE_STATE', TRUE, 'v-1', ?, ?)", "last-event-" + at, Timestamp.from(Instant.parse(at)), "{}".getBytes());
        }

        JsonNode vehicles = HTTP.get("/admin/vehicles", ADMIN).json().get("vehicles");

        assertThat(vehicles.get(0).get("lastEventAt").asText()).isEqualTo("2026-11-02T10:00:00Z");
        assertThat(vehicles.get(1).get("lastEventAt").isNull()).as("none kept").isTrue();
    }

    @Test
    void unsubscribingAVehicleCallsSmartcarWithTheManagementTokenAndTheSyncLeavesItAlone() {
        SMARTCAR.owner("access-1", Map.of("v-1", "KIA EV9"), 2024);
        SMARTCAR.unsubscribe("v-1");
        SMARTCAR.connect(HTTP, "user-1", "customer-1", "access-1", "refresh-1");
        HTTP.send("POST", "/admin/subscriptions/sync", null, ADMIN);

        BridgeHttp.Response response = HTTP.send("DELETE", "/admin/vehicles/v-1/subscription", null, ADMIN);
        HTTP.send("POST", "/admin/subscriptions/sync", null, ADMIN);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("subscriptionStatus").asText()).isEqualTo("UNSUBSCRIBED");
        assertThat(SMARTCAR.count(deleteRequestedFor(urlPathEqualTo("/v2.0/vehicles/v-1/webhooks/" + SmartcarDouble.WEBHOOK_ID))
                .withHeader("Authorization", equalTo("Bearer " + SmartcarDouble.MANAGEMENT_TOKEN)))).isEqualTo(1);
        assertThat(SMARTCAR.count(postRequestedFor(urlPathEqualTo("/v2.0/vehicles/v-1/webhooks/" + SmartcarDouble.WEBHOOK_ID))))
                .as("the next sync does not subscribe it again").isEqualTo(1);
        assertThat(db().queryForObject("SELECT subscription_status FROM vehicle WHERE vehicle_id = 'v-1'", String.class))
                .isEqualTo("UNSUBSCRIBED");
    }

    @Test
    void aVehicleNeverSubscribedIsOnlyMarkedAndAnUnknownOneIs404() {
        db().update("INSERT INTO vehicle (vehicle_id, user_id, updated_at) VALUES ('v-new', 'user-1', CURRENT_TIMESTAMP)");

        assertThat(HTTP.send("DELETE", "/admin/vehicles/v-new/subscription", null, ADMIN).json().get("subscriptionStatus").asText())
                .isEqualTo("UNSUBSCRIBED");
        assertThat(HTTP.send("DELETE", "/admin/vehicles/v-unknown/subscription", null, ADMIN).status()).isEqualTo(404);
        assertThat(HTTP.send("DELETE", "/admin/vehicles/v%20new/subscription", null, ADMIN).status()).as("not an id").isEqualTo(400);
        assertThat(SMARTCAR.requests()).isZero();
    }

    @Test
    void anUnsubscribeSmartcarRefusesIs502AndChangesNothingButTheLastError() {
        db().update("INSERT INTO vehicle (vehicle_id, user_id, subscription_status, updated_at) "
                + "VALUES ('v-1', 'user-1', 'SUBSCRIBED', CURRENT_TIMESTAMP)");
        SMARTCAR.stub(delete(anyUrl()).willReturn(aResponse().withStatus(500)));

        BridgeHttp.Response response = HTTP.send("DELETE", "/admin/vehicles/v-1/subscription", null, ADMIN);

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.json().get("error").asText()).contains("HTTP 500");
        Map<String, Object> vehicle = db().queryForMap("SELECT * FROM vehicle WHERE vehicle_id = 'v-1'");
        assertThat(vehicle.get("SUBSCRIPTION_STATUS")).isEqualTo("SUBSCRIBED");
        assertThat((String) vehicle.get("LAST_ERROR")).startsWith("unsubscribe: ");
        assertThat(response.hasHeader("Authorization")).as("request headers are never echoed").isFalse();
    }
}
