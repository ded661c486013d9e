package io.carbridge.smartcar;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.serverError;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.SmartcarDouble;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

/**
 * Smartcar Connect on API v2.0: what both versions do ({@link ConnectRouteTest}), and what only v2.0 does: Connect's
 * client_id is the OAuth client id, and the callback's code is exchanged for the owner's tokens (HTTP Basic with the
 * client credentials), which are stored encrypted for their user; a failed exchange or {@code /user} call stores
 * nothing.
 */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            SmartcarDouble.PROPERTIES,
            BridgeTest.TEST_PROPERTIES,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = "bridge.db.url=jdbc:h2:mem:connect-route-test")
class V2ConnectRouteTest extends ConnectRouteTest {

    V2ConnectRouteTest() {
        super(SMARTCAR.v2());
    }

    @Test
    void startSendsTheOAuthClientIdAndNotTheReference() {
        Map<String, String> query = SmartcarDouble.query(
                HTTP.get("/connect/start?ref=customer-42", Map.of()).header("Location"));

        assertThat(query).containsEntry("client_id", "test-client-id").doesNotContainKey("external_id");
    }

    @Test
    void theCodeIsExchangedForTheOwnersTokensWhichAreStoredEncryptedForTheirUser() {
        BridgeHttp.Response response = SMARTCAR.connect(HTTP, "user-1", "customer-1", "access-1", "refresh-1");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).doesNotContain("access-1", "refresh-1", "code-");
        Map<String, Object> row = db().queryForMap("SELECT * FROM smartcar_connection WHERE user_id = 'user-1'");
        String access = (String) row.get("ACCESS_TOKEN_ENC");
        String refresh = (String) row.get("REFRESH_TOKEN_ENC");
        assertThat(access).doesNotContain("access-1");
        assertThat(refresh).doesNotContain("refresh-1");
        assertThat(CIPHER.decrypt(access, "user-1:access")).isEqualTo("access-1");
        assertThat(CIPHER.decrypt(refresh, "user-1:refresh")).isEqualTo("refresh-1");
        assertThat(instant(row.get("ACCESS_EXPIRES_AT")))
                .isCloseTo(Instant.now().plus(Duration.ofHours(2)), within(1, ChronoUnit.MINUTES));
        assertThat(instant(row.get("REFRESH_EXPIRES_AT")))
                .isCloseTo(Instant.now().plus(Duration.ofDays(60)), within(1, ChronoUnit.MINUTES));

        // the exchange as the protocol says: form body, HTTP Basic client credentials, the same redirect_uri
        assertThat(
                        SMARTCAR.count(
                                postRequestedFor(urlPathEqualTo("/oauth/token"))
                                        .withHeader("Authorization", equalTo(SmartcarDouble.CLIENT_CREDENTIALS))
                                        .withHeader("Content-Type", containing("application/x-www-form-urlencoded"))
                                        .withRequestBody(
                                                matching(
                                                        "grant_type=authorization_code&code=code-user-1-\\d+&redirect_uri=https%3A%2F%2Fbridge.example.com%2Fconnect%2Fcallback"))))
                .isEqualTo(1);
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/user"))
                        .withHeader("Authorization", equalTo("Bearer access-1"))))
                .isEqualTo(1);
        assertThat(SMARTCAR.requests()).isEqualTo(2);
    }

    @Test
    void aFailedCodeExchangeOrUserCallGetsAPageAndStoresNothing() {
        String state = start();
        SMARTCAR.stub(post(urlPathEqualTo("/oauth/token"))
                .willReturn(aResponse()
                        .withStatus(400)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":\"invalid_grant\",\"error_description\":\"code expired\"}")));

        BridgeHttp.Response refused = HTTP.get("/connect/callback?code=old&state=" + state, Map.of());

        assertThat(refused.status()).isEqualTo(502);
        assertThat(refused.body()).contains("Smartcar did not confirm the connection");
        assertThat(connections()).isZero();

        String second = start();
        SMARTCAR.codeExchange("good", "access-b", "refresh-b");
        SMARTCAR.stub(get(urlPathEqualTo("/v2.0/user")).willReturn(serverError()));

        BridgeHttp.Response userFailed = HTTP.get("/connect/callback?code=good&state=" + second, Map.of());

        assertThat(userFailed.status()).isEqualTo(502);
        assertThat(connections()).isZero();
        assertThat(BridgeHttp.metrics()).contains("bridge_smartcar_connect_total{outcome=\"failed\"}");
    }

    @Test
    void connectingAgainStoresTheNewTokens() {
        SMARTCAR.connect(HTTP, "user-2", "old-reference", "access-old", "refresh-old");

        assertThat(SMARTCAR.connect(HTTP, "user-2", "new-reference", "access-new", "refresh-new")
                        .status())
                .isEqualTo(200);

        Map<String, Object> row = db().queryForMap("SELECT * FROM smartcar_connection WHERE user_id = 'user-2'");
        assertThat(CIPHER.decrypt((String) row.get("ACCESS_TOKEN_ENC"), "user-2:access"))
                .isEqualTo("access-new");
        assertThat(CIPHER.decrypt((String) row.get("REFRESH_TOKEN_ENC"), "user-2:refresh"))
                .isEqualTo("refresh-new");
    }
}
