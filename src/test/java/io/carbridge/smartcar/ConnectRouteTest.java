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

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.SmartcarDouble;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Smartcar Connect as a vehicle owner's browser meets it, against the Smartcar double: the redirect, the callback, the
 * stored connection (read back from the database), and every way a callback fails without storing anything.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {SmartcarDouble.PROPERTIES, BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = "bridge.db.url=jdbc:h2:mem:connect-route-test")
class ConnectRouteTest extends SmartcarRouteTestSupport {

    @Test
    void startRedirectsToConnectWithEveryParameterAndASingleUseState() {
        BridgeHttp.Response response = HTTP.get("/connect/start?ref=customer-42", Map.of("X-Probe", "must-not-come-back"));

        assertThat(response.status()).isEqualTo(302);
        String location = response.header("Location");
        assertThat(location).startsWith("http://127.0.0.1:" + SMARTCAR.server().port() + "/oauth/authorize?");
        Map<String, String> query = SmartcarDouble.query(location);
        assertThat(query).containsEntry("response_type", "code")
                .containsEntry("client_id", "test-client-id")
                .containsEntry("redirect_uri", "https://bridge.example.com/connect/callback")
                .containsEntry("scope", "read_vehicle_info")
                .containsEntry("mode", "live");
        assertThat(query.get("state")).hasSizeGreaterThanOrEqualTo(40);
        Map<String, Object> state = db().queryForMap("SELECT * FROM connect_state WHERE state = ?", query.get("state"));
        assertThat(state.get("CUSTOMER_REFERENCE")).isEqualTo("customer-42");
        assertThat(state.get("USED_AT")).isNull();
        assertThat(instant(state.get("EXPIRES_AT"))).isCloseTo(Instant.now().plus(Duration.ofMinutes(15)), within(1, ChronoUnit.MINUTES));
        assertThat(response.hasHeader("X-Probe")).as("request headers are never echoed").isFalse();
        assertThat(response.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(SMARTCAR.requests()).as("the browser goes to Connect, not the bridge").isZero();
    }

    @Test
    void eachStartGetsItsOwnState() {
        String first = SmartcarDouble.query(HTTP.get("/connect/start?ref=a", Map.of()).header("Location")).get("state");
        String second = SmartcarDouble.query(HTTP.get("/connect/start?ref=a", Map.of()).header("Location")).get("state");

        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void startWithoutAReferenceIsRefusedWithAPage() {
        BridgeHttp.Response response = HTTP.get("/connect/start", Map.of());

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("text/html");
        assertThat(response.body()).contains("customer reference");
        assertThat(db().queryForObject("SELECT COUNT(*) FROM connect_state", Integer.class)).isZero();
    }

    @Test
    void theFullRoundTripStoresTheConnectionWithEncryptedTokens() {
        BridgeHttp.Response response = SMARTCAR.connect(HTTP, "user-1", "customer-1", "access-1", "refresh-1");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("text/html");
        assertThat(response.body()).contains("Vehicle connected").doesNotContain("access-1", "refresh-1", "code-");
        assertThat(response.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(response.hasHeader("code")).isFalse();
        assertThat(response.hasHeader("state")).isFalse();

        Map<String, Object> row = db().queryForMap("SELECT * FROM smartcar_connection WHERE user_id = 'user-1'");
        assertThat(row.get("CUSTOMER_REFERENCE")).isEqualTo("customer-1");
        assertThat(row.get("MODE")).isEqualTo("live");
        assertThat(row.get("STATUS")).isEqualTo("ACTIVE");
        String access = (String) row.get("ACCESS_TOKEN_ENC");
        String refresh = (String) row.get("REFRESH_TOKEN_ENC");
        assertThat(access).doesNotContain("access-1");
        assertThat(refresh).doesNotContain("refresh-1");
        assertThat(CIPHER.decrypt(access, "user-1:access")).isEqualTo("access-1");
        assertThat(CIPHER.decrypt(refresh, "user-1:refresh")).isEqualTo("refresh-1");
        assertThat(instant(row.get("ACCESS_EXPIRES_AT"))).isCloseTo(Instant.now().plus(Duration.ofHours(2)), within(1, ChronoUnit.MINUTES));
        assertThat(instant(row.get("REFRESH_EXPIRES_AT"))).isCloseTo(Instant.now().plus(Duration.ofDays(60)), within(1, ChronoUnit.MINUTES));

        // the exchange as the protocol says: form body, HTTP Basic client credentials, the same redirect_uri
        assertThat(SMARTCAR.count(postRequestedFor(urlPathEqualTo("/oauth/token"))
                .withHeader("Authorization", equalTo(SmartcarDouble.CLIENT_CREDENTIALS))
                .withHeader("Content-Type", containing("application/x-www-form-urlencoded"))
                .withRequestBody(matching(
                        "grant_type=authorization_code&code=code-user-1-\\d+&redirect_uri=https%3A%2F%2Fbridge.example.com%2Fconnect%2Fcallback"))))
                .isEqualTo(1);
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/user")).withHeader("Authorization", equalTo("Bearer access-1"))))
                .isEqualTo(1);
        assertThat(SMARTCAR.requests()).isEqualTo(2);
        assertThat(db().queryForObject("SELECT COUNT(*) FROM connect_state WHERE used_at IS NOT NULL", Integer.class)).isEqualTo(1);
        assertThat(BridgeHttp.metrics()).contains("bridge_smartcar_connect_total{outcome=\"connected\"}");
    }

    @Test
    void aStateWorksOnceAReplayedCallbackStoresNothingMore() {
        String state = SmartcarDouble.query(HTTP.get("/connect/start?ref=c", Map.of()).header("Location")).get("state");
        SMARTCAR.codeExchange("code-a", "access-a", "refresh-a");
        SMARTCAR.user("access-a", "user-a");
        assertThat(HTTP.get("/connect/callback?code=code-a&state=" + state, Map.of()).status()).isEqualTo(200);

        BridgeHttp.Response replay = HTTP.get("/connect/callback?code=code-a&state=" + state, Map.of());

        assertThat(replay.status()).isEqualTo(400);
        assertThat(replay.body()).contains("expired or was already used");
        assertThat(SMARTCAR.count(postRequestedFor(urlPathEqualTo("/oauth/token")))).as("the replay never reaches Smartcar").isEqualTo(1);
    }

    @Test
    void anUnknownOrExpiredStateIsRefusedBeforeAnyExchange() {
        String state = SmartcarDouble.query(HTTP.get("/connect/start?ref=c", Map.of()).header("Location")).get("state");
        db().update("UPDATE connect_state SET expires_at = ? WHERE state = ?", OffsetDateTime.now().minusSeconds(1), state);

        BridgeHttp.Response expired = HTTP.get("/connect/callback?code=x&state=" + state, Map.of());
        BridgeHttp.Response unknown = HTTP.get("/connect/callback?code=x&state=made-up", Map.of());

        assertThat(expired.status()).isEqualTo(400);
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body()).contains("expired or was already used");
        assertThat(SMARTCAR.requests()).isZero();
        assertThat(connections()).isZero();
        assertThat(BridgeHttp.metrics()).contains("bridge_smartcar_connect_total{outcome=\"invalid_state\"}");
    }

    @Test
    void smartcarsErrorRedirectGetsItsPageAndStoresNothing() {
        String state = SmartcarDouble.query(HTTP.get("/connect/start?ref=c", Map.of()).header("Location")).get("state");

        BridgeHttp.Response denied = HTTP.get("/connect/callback?error=access_denied&error_description=User+denied&state=" + state, Map.of());
        BridgeHttp.Response other = HTTP.get("/connect/callback?error=%3Cscript%3E&state=" + state, Map.of());

        assertThat(denied.status()).isEqualTo(400);
        assertThat(denied.body()).contains("You did not allow access");
        assertThat(other.status()).isEqualTo(400);
        assertThat(other.body()).contains("unknown error").doesNotContain("<script>");
        assertThat(SMARTCAR.requests()).isZero();
        assertThat(connections()).isZero();
        assertThat(BridgeHttp.metrics()).contains("bridge_smartcar_connect_total{outcome=\"denied\"}");
        BridgeHttp.Response replayedWithACode = HTTP.get("/connect/callback?code=code-1&state=" + state, Map.of());
        assertThat(replayedWithACode.status()).as("the error used the state up").isEqualTo(400);
        assertThat(replayedWithACode.body()).contains("expired or was already used");
        assertThat(SMARTCAR.requests()).isZero();
    }

    @Test
    void aCallbackWithoutCodeOrStateIsRefused() {
        assertThat(HTTP.get("/connect/callback?state=abc", Map.of()).status()).isEqualTo(400);
        assertThat(HTTP.get("/connect/callback?code=abc", Map.of()).status()).isEqualTo(400);
        assertThat(SMARTCAR.requests()).isZero();
    }

    @Test
    void aFailedCodeExchangeOrUserCallGetsAPageAndStoresNothing() {
        String state = SmartcarDouble.query(HTTP.get("/connect/start?ref=c", Map.of()).header("Location")).get("state");
        SMARTCAR.stub(post(urlPathEqualTo("/oauth/token")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid_grant\",\"error_description\":\"code expired\"}")));

        BridgeHttp.Response refused = HTTP.get("/connect/callback?code=old&state=" + state, Map.of());

        assertThat(refused.status()).isEqualTo(502);
        assertThat(refused.body()).contains("Smartcar did not confirm the connection");
        assertThat(connections()).isZero();

        String second = SmartcarDouble.query(HTTP.get("/connect/start?ref=c", Map.of()).header("Location")).get("state");
        SMARTCAR.codeExchange("good", "access-b", "refresh-b");
        SMARTCAR.stub(get(urlPathEqualTo("/v2.0/user")).willReturn(serverError()));

        BridgeHttp.Response userFailed = HTTP.get("/connect/callback?code=good&state=" + second, Map.of());

        assertThat(userFailed.status()).isEqualTo(502);
        assertThat(connections()).isZero();
        assertThat(BridgeHttp.metrics()).contains("bridge_smartcar_connect_total{outcome=\"failed\"}");
    }

    @Test
    void connectingAgainUpdatesTheConnectionAndRetriesItsRefusedVehicles() {
        SMARTCAR.connect(HTTP, "user-2", "old-reference", "access-old", "refresh-old");
        db().update("UPDATE smartcar_connection SET status = 'NEEDS_REAUTHORIZATION', status_reason = 'refused', failure_count = 3");
        db().update("INSERT INTO vehicle (vehicle_id, user_id, subscription_status, last_error, updated_at) "
                + "VALUES ('v-refused', 'user-2', 'FAILED', 'permission', CURRENT_TIMESTAMP)");

        BridgeHttp.Response again = SMARTCAR.connect(HTTP, "user-2", "new-reference", "access-new", "refresh-new");

        assertThat(again.status()).isEqualTo(200);
        assertThat(connections()).isEqualTo(1);
        Map<String, Object> row = db().queryForMap("SELECT * FROM smartcar_connection WHERE user_id = 'user-2'");
        assertThat(row.get("CUSTOMER_REFERENCE")).isEqualTo("new-reference");
        assertThat(row.get("STATUS")).isEqualTo("ACTIVE");
        assertThat(row.get("STATUS_REASON")).isNull();
        assertThat(row.get("FAILURE_COUNT")).isEqualTo(0);
        assertThat(CIPHER.decrypt((String) row.get("ACCESS_TOKEN_ENC"), "user-2:access")).isEqualTo("access-new");
        assertThat(db().queryForObject("SELECT subscription_status FROM vehicle WHERE vehicle_id = 'v-refused'", String.class))
                .isEqualTo("NONE");
    }

    @Test
    void onlyGetIsServed() {
        BridgeHttp.Response response = HTTP.send("POST", "/connect/start?ref=x", new byte[0], Map.of());

        assertThat(response.status()).isEqualTo(405);
        assertThat(db().queryForObject("SELECT COUNT(*) FROM connect_state", Integer.class)).isZero();
    }

    private int connections() {
        return db().queryForObject("SELECT COUNT(*) FROM smartcar_connection", Integer.class);
    }

    private static Instant instant(Object timestamp) {
        return ((OffsetDateTime) timestamp).toInstant();
    }

}
