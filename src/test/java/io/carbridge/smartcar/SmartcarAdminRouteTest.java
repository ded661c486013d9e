package io.carbridge.smartcar;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static io.carbridge.testing.SmartcarDouble.connection;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.SmartcarDouble;
import io.carbridge.testing.SmartcarDouble.Connection;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The admin API of Connect and the sync, as an operator calls it over HTTP with the admin bearer token: what both API
 * versions answer, against the double answering as the version of the subclass ({@link V2SmartcarAdminRouteTest},
 * {@link V3SmartcarAdminRouteTest}, each with what only its version shows).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SmartcarAdminRouteTest extends SmartcarRouteTestSupport {

    /** The double, answering as the API version under test. */
    final SmartcarDouble.Version smartcar;

    SmartcarAdminRouteTest(SmartcarDouble.Version smartcar) {
        this.smartcar = smartcar;
    }

    @Test
    void everyCallNeedsTheAdminTokenAndOtherMethodsGet405() {
        assertThat(HTTP.get("/admin/connections", Map.of()).status()).isEqualTo(401);
        assertThat(HTTP.send("POST", "/admin/subscriptions/sync", null, Map.of("Authorization", "Bearer wrong"))
                        .status())
                .isEqualTo(401);
        assertThat(HTTP.get("/admin/subscriptions/sync", ADMIN).status()).isEqualTo(405);
        assertThat(HTTP.send("DELETE", "/admin/connections", null, ADMIN).status())
                .isEqualTo(405);
        assertThat(SMARTCAR.requests()).isZero();
    }

    @Test
    void aSyncRunOnDemandAnswersItsSummaryAndTheVehicleListFiltersAndLimits() {
        smartcar.connected(
                HTTP,
                connection("v-1", "user-1", "TESLA Model 3", 2022),
                connection("v-2", "user-1", "TESLA Model Y", 2022),
                connection("v-3", "user-2", "KIA EV9", 2024));

        BridgeHttp.Response run = HTTP.send("POST", "/admin/subscriptions/sync", null, ADMIN);

        assertThat(run.status()).isEqualTo(200);
        assertThat(run.json().get("vehiclesSubscribed").asInt()).isEqualTo(3);
        assertThat(HTTP.get("/admin/connections", ADMIN).status()).isEqualTo(200);
        assertThat(HTTP.get("/admin/connections?status=BROKEN", ADMIN).status()).isEqualTo(400);
        JsonNode vehicles = HTTP.get("/admin/vehicles?userId=user-1&status=SUBSCRIBED", ADMIN)
                .json()
                .get("vehicles");
        assertThat(vehicles).hasSize(2);
        assertThat(vehicles.get(0).get("vehicleId").asText()).isEqualTo("v-1");
        assertThat(vehicles.get(0).get("make").asText()).isEqualTo("TESLA");
        assertThat(vehicles.get(0).get("year").asInt()).isEqualTo(2022);
        assertThat(vehicles.get(0).get("subscribedAt").isNull()).isFalse();
        assertThat(vehicles.get(0).get("subscribedBy").asText()).isEqualTo("BRIDGE");
        assertThat(HTTP.get("/admin/vehicles?limit=1", ADMIN).json().get("vehicles"))
                .hasSize(1);
    }

    @Test
    void theVehicleListShowsTheLastErrorOfAFailedVehicle() {
        Connection vehicle = connection("v-1", "user-1", "FORD Focus", 2018);
        smartcar.connected(HTTP, vehicle);
        SMARTCAR.stub(smartcar.subscription(vehicle)
                .willReturn(aResponse()
                        .withStatus(430)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"type\":\"BILLING\",\"code\":\"INVALID_PLAN\"}")));
        HTTP.send("POST", "/admin/subscriptions/sync", null, ADMIN);

        JsonNode failed =
                HTTP.get("/admin/vehicles?status=FAILED", ADMIN).json().get("vehicles");

        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).get("lastError").asText()).contains("HTTP 430 BILLING INVALID_PLAN");
        assertThat(failed.get(0).get("lastErrorAt").isNull()).isFalse();
    }

    @Test
    void theVehicleListShowsWhenEachVehiclesLastEventArrived() {
        db().update(
                        "INSERT INTO vehicle (vehicle_id, user_id, subscription_status, updated_at) VALUES ('v-1', 'user-1', 'SUBSCRIBED', CURRENT_TIMESTAMP)");
        db().update(
                        "INSERT INTO vehicle (vehicle_id, user_id, subscription_status, updated_at) VALUES ('v-2', 'user-1', 'SUBSCRIBED', CURRENT_TIMESTAMP)");
        db().update("DELETE FROM webhook_event WHERE vehicle_id IN ('v-1', 'v-2')");
        for (String at : new String[] {"2026-11-01T10:00:00Z", "2026-11-02T10:00:00Z"}) {
            db().update(
                            "INSERT INTO webhook_event (event_id, event_type, recognised, vehicle_id, received_at, raw_body) "
                                    + "VALUES (?, 'VEHICLE_STATE', TRUE, 'v-1', ?, ?)",
                            "last-event-" + at,
                            Timestamp.from(Instant.parse(at)),
                            "{}".getBytes());
        }

        JsonNode vehicles = HTTP.get("/admin/vehicles", ADMIN).json().get("vehicles");

        assertThat(vehicles.get(0).get("lastEventAt").asText()).isEqualTo("2026-11-02T10:00:00Z");
        assertThat(vehicles.get(1).get("lastEventAt").isNull()).as("none kept").isTrue();
    }

    @Test
    void unsubscribingAVehicleCallsSmartcarAndTheSyncLeavesItAlone() {
        smartcar.connected(HTTP, connection("v-1", "user-1", "KIA EV9", 2024));
        smartcar.unsubscribable("v-1");
        HTTP.send("POST", "/admin/subscriptions/sync", null, ADMIN);

        BridgeHttp.Response response = HTTP.send("DELETE", "/admin/vehicles/v-1/subscription", null, ADMIN);
        HTTP.send("POST", "/admin/subscriptions/sync", null, ADMIN);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("subscriptionStatus").asText()).isEqualTo("UNSUBSCRIBED");
        assertThat(SMARTCAR.count(smartcar.unsubscriptionsOf("v-1"))).isEqualTo(1);
        assertThat(SMARTCAR.count(smartcar.subscriptionsOf("v-1")))
                .as("the next sync does not subscribe it again")
                .isEqualTo(1);
        assertThat(status("v-1")).isEqualTo("UNSUBSCRIBED");
    }

    @Test
    void aVehicleNeverSubscribedIsOnlyMarkedAndAnUnknownOneIs404() {
        db().update(
                        "INSERT INTO vehicle (vehicle_id, user_id, updated_at) VALUES ('v-new', 'user-1', CURRENT_TIMESTAMP)");

        assertThat(HTTP.send("DELETE", "/admin/vehicles/v-new/subscription", null, ADMIN)
                        .json()
                        .get("subscriptionStatus")
                        .asText())
                .isEqualTo("UNSUBSCRIBED");
        assertThat(HTTP.send("DELETE", "/admin/vehicles/v-unknown/subscription", null, ADMIN)
                        .status())
                .isEqualTo(404);
        assertThat(HTTP.send("DELETE", "/admin/vehicles/v%20new/subscription", null, ADMIN)
                        .status())
                .as("not an id")
                .isEqualTo(400);
        assertThat(SMARTCAR.requests()).isZero();
    }

    @Test
    void anUnsubscribeSmartcarRefusesIs502WithItsReasonAndChangesNothingButTheLastError() {
        smartcar.connected(HTTP);
        db().update("INSERT INTO vehicle (vehicle_id, user_id, subscription_status, updated_at) "
                + "VALUES ('v-1', 'user-1', 'SUBSCRIBED', CURRENT_TIMESTAMP)");
        smartcar.unsubscribable("v-1");
        SMARTCAR.stub(smartcar.unsubscription("v-1")
                .willReturn(
                        SmartcarDouble.v3Error(500, "SERVER", "INTERNAL", "Server error", "Try again", "RETRY_LATER")));

        BridgeHttp.Response response = HTTP.send("DELETE", "/admin/vehicles/v-1/subscription", null, ADMIN);

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.json().get("error").asText())
                .contains("HTTP 500 SERVER INTERNAL Server error Try again resolution=RETRY_LATER");
        Map<String, Object> vehicle = vehicle("v-1");
        assertThat(vehicle.get("SUBSCRIPTION_STATUS")).isEqualTo("SUBSCRIBED");
        assertThat((String) vehicle.get("LAST_ERROR")).startsWith("unsubscribe: ");
        assertThat(SMARTCAR.count(deleteRequestedFor(anyUrl()))).isEqualTo(1);
        assertThat(response.hasHeader("Authorization"))
                .as("request headers are never echoed")
                .isFalse();
        assertThat(response.body()).doesNotContain(smartcar.unsubscribeToken());
    }
}
