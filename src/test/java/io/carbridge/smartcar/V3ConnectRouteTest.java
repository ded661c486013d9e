package io.carbridge.smartcar;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.SmartcarDouble;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Smartcar Connect on API v3, as a vehicle owner's browser meets it: the redirect carries the Application ID and the
 * customer reference as external_id; the callback names the user, any code is ignored, nothing is exchanged and no
 * token is stored (the configuration has no TOKEN_ENCRYPTION_KEY).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {SmartcarDouble.V3_PROPERTIES, BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = "bridge.db.url=jdbc:h2:mem:v3-connect-route-test")
class V3ConnectRouteTest extends SmartcarRouteTestSupport {

    @Test
    void startRedirectsToConnectWithTheApplicationIdAndTheReferenceAsExternalId() {
        BridgeHttp.Response response = HTTP.get("/connect/start?ref=customer-42", Map.of("X-Probe", "must-not-come-back"));

        assertThat(response.status()).isEqualTo(302);
        String location = response.header("Location");
        assertThat(location).startsWith("http://127.0.0.1:" + SMARTCAR.server().port() + "/oauth/authorize?");
        Map<String, String> query = SmartcarDouble.query(location);
        assertThat(query).containsEntry("client_id", SmartcarDouble.APPLICATION_ID)
                .containsEntry("redirect_uri", "https://bridge.example.com/connect/callback")
                .containsEntry("scope", "read_vehicle_info")
                .containsEntry("mode", "live")
                .containsEntry("external_id", "customer-42")
                .containsEntry("response_type", "code");
        assertThat(query.get("client_id")).as("the API client id is not Connect's").isNotEqualTo(SmartcarDouble.V3_CLIENT_ID);
        assertThat(query.get("state")).hasSizeGreaterThanOrEqualTo(40);
        assertThat(db().queryForObject("SELECT customer_reference FROM connect_state WHERE state = ?", String.class, query.get("state")))
                .isEqualTo("customer-42");
        assertThat(response.hasHeader("X-Probe")).isFalse();
        assertThat(SMARTCAR.requests()).isZero();
    }

    @Test
    void theCallbackRecordsTheUserAndTheReferenceIgnoresTheCodeAndCallsNothing() {
        BridgeHttp.Response response = SMARTCAR.connectV3(HTTP, "user-1", "customer-1");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).contains("Vehicle connected").doesNotContain("ignored-");
        Map<String, Object> row = db().queryForMap("SELECT * FROM smartcar_connection WHERE user_id = 'user-1'");
        assertThat(row.get("CUSTOMER_REFERENCE")).isEqualTo("customer-1");
        assertThat(row.get("MODE")).isEqualTo("live");
        assertThat(row.get("STATUS")).isEqualTo("ACTIVE");
        assertThat(row.get("ACCESS_TOKEN_ENC")).isNull();
        assertThat(row.get("REFRESH_TOKEN_ENC")).isNull();
        assertThat(SMARTCAR.requests()).as("no code exchange, no /user: v3 Connect calls nothing").isZero();
        assertThat(db().queryForObject("SELECT COUNT(*) FROM connect_state WHERE used_at IS NOT NULL", Integer.class)).isEqualTo(1);
        assertThat(BridgeHttp.metrics()).contains("bridge_smartcar_connect_total{outcome=\"connected\"}");
    }

    @Test
    void aStateWorksOnceAndACallbackWithoutAUsableUserIdStoresNothing() {
        String state = SmartcarDouble.query(HTTP.get("/connect/start?ref=c", Map.of()).header("Location")).get("state");
        assertThat(HTTP.get("/connect/callback?user_id=user-a&state=" + state, Map.of()).status()).isEqualTo(200);

        BridgeHttp.Response replay = HTTP.get("/connect/callback?user_id=user-b&state=" + state, Map.of());
        String second = SmartcarDouble.query(HTTP.get("/connect/start?ref=c", Map.of()).header("Location")).get("state");
        BridgeHttp.Response codeOnly = HTTP.get("/connect/callback?code=abc&state=" + second, Map.of());
        BridgeHttp.Response notAnId = HTTP.get("/connect/callback?user_id=..%2Fadmin&state=" + second, Map.of());

        assertThat(replay.status()).isEqualTo(400);
        assertThat(replay.body()).contains("expired or was already used");
        assertThat(codeOnly.status()).as("v3 needs the user id, a code alone is not an answer").isEqualTo(400);
        assertThat(notAnId.status()).isEqualTo(400);
        assertThat(db().queryForList("SELECT user_id FROM smartcar_connection", String.class)).containsExactly("user-a");
        assertThat(HTTP.get("/connect/callback?user_id=user-c&state=" + second, Map.of()).status())
                .as("a refused callback did not use the state up").isEqualTo(200);
    }

    @Test
    void smartcarsErrorRedirectGetsItsPageAsWithV2() {
        String state = SmartcarDouble.query(HTTP.get("/connect/start?ref=c", Map.of()).header("Location")).get("state");

        BridgeHttp.Response denied = HTTP.get("/connect/callback?error=access_denied&error_description=User+denied&state=" + state, Map.of());

        assertThat(denied.status()).isEqualTo(400);
        assertThat(denied.body()).contains("You did not allow access");
        assertThat(HTTP.get("/connect/callback?user_id=user-1&state=" + state, Map.of()).status()).as("the error used the state up").isEqualTo(400);
        assertThat(db().queryForObject("SELECT COUNT(*) FROM smartcar_connection", Integer.class)).isZero();
        assertThat(SMARTCAR.requests()).isZero();
    }

    @Test
    void connectingAgainUpdatesTheReferenceAndRetriesTheUsersRefusedVehicles() {
        SMARTCAR.connectV3(HTTP, "user-2", "old-reference");
        db().update("INSERT INTO vehicle (vehicle_id, user_id, subscription_status, last_error, updated_at) "
                + "VALUES ('v-refused', 'user-2', 'FAILED', 'permission', CURRENT_TIMESTAMP)");

        assertThat(SMARTCAR.connectV3(HTTP, "user-2", "new-reference").status()).isEqualTo(200);

        assertThat(db().queryForObject("SELECT customer_reference FROM smartcar_connection WHERE user_id = 'user-2'", String.class))
                .isEqualTo("new-reference");
        assertThat(db().queryForObject("SELECT subscription_status FROM vehicle WHERE vehicle_id = 'v-refused'", String.class))
                .isEqualTo("NONE");
    }
}
