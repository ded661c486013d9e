package io.carbridge.smartcar;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.SmartcarDouble;
import java.util.Map;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

/**
 * Smartcar Connect on API v3: what both versions do ({@link ConnectRouteTest}), and what only v3 does: the redirect
 * carries the Application ID and the customer reference as external_id; the callback names the user, any code is
 * ignored, nothing is exchanged and no token is stored (the configuration has no TOKEN_ENCRYPTION_KEY).
 */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            SmartcarDouble.V3_PROPERTIES,
            BridgeTest.TEST_PROPERTIES,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = "bridge.db.url=jdbc:h2:mem:v3-connect-route-test")
class V3ConnectRouteTest extends ConnectRouteTest {

    V3ConnectRouteTest() {
        super(SMARTCAR.v3());
    }

    @Test
    void startSendsTheApplicationIdAndTheReferenceAsExternalId() {
        Map<String, String> query = SmartcarDouble.query(
                HTTP.get("/connect/start?ref=customer-42", Map.of()).header("Location"));

        assertThat(query)
                .containsEntry("client_id", SmartcarDouble.APPLICATION_ID)
                .containsEntry("external_id", "customer-42");
        assertThat(query.get("client_id"))
                .as("the API client id is not Connect's")
                .isNotEqualTo(SmartcarDouble.V3_CLIENT_ID);
    }

    @Test
    void theCallbackIgnoresTheCodeCallsNothingAndStoresNoToken() {
        BridgeHttp.Response response = SMARTCAR.connectV3(HTTP, "user-1", "customer-1");

        assertThat(response.status()).isEqualTo(200);
        Map<String, Object> row = db().queryForMap("SELECT * FROM smartcar_connection WHERE user_id = 'user-1'");
        assertThat(row.get("ACCESS_TOKEN_ENC")).isNull();
        assertThat(row.get("REFRESH_TOKEN_ENC")).isNull();
        assertThat(SMARTCAR.requests())
                .as("no code exchange, no /user: v3 Connect calls nothing")
                .isZero();
    }

    @Test
    void aCodeAloneOrAUserIdThatIsNotAnIdIsNoAnswer() {
        String state = start();

        BridgeHttp.Response codeOnly = HTTP.get("/connect/callback?code=abc&state=" + state, Map.of());
        BridgeHttp.Response notAnId = HTTP.get("/connect/callback?user_id=..%2Fadmin&state=" + state, Map.of());

        assertThat(codeOnly.status())
                .as("v3 needs the user id, a code alone is not an answer")
                .isEqualTo(400);
        assertThat(notAnId.status()).isEqualTo(400);
        assertThat(connections()).isZero();
        assertThat(HTTP.get("/connect/callback?user_id=user-c&state=" + state, Map.of())
                        .status())
                .as("a refused callback did not use the state up")
                .isEqualTo(200);
    }
}
