package io.carbridge.smartcar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.SmartcarDouble;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Smartcar Connect as a vehicle owner's browser meets it, what both API versions do, against the double answering as
 * the version of the subclass ({@link V2ConnectRouteTest}, {@link V3ConnectRouteTest}, each with what only its version
 * does): the redirect, the callback, the stored connection (read back from the database), and every way a callback
 * fails without storing anything.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ConnectRouteTest extends SmartcarRouteTestSupport {

    /** The double, answering as the API version under test. */
    final SmartcarDouble.Version smartcar;

    ConnectRouteTest(SmartcarDouble.Version smartcar) {
        this.smartcar = smartcar;
    }

    @Test
    void startRedirectsToConnectWithEveryParameterAndASingleUseState() {
        BridgeHttp.Response response =
                HTTP.get("/connect/start?ref=customer-42", Map.of("X-Probe", "must-not-come-back"));

        assertThat(response.status()).isEqualTo(302);
        String location = response.header("Location");
        assertThat(location).startsWith("http://127.0.0.1:" + SMARTCAR.server().port() + "/oauth/authorize?");
        Map<String, String> query = SmartcarDouble.query(location);
        assertThat(query)
                .containsEntry("response_type", "code")
                .containsEntry("redirect_uri", "https://bridge.example.com/connect/callback")
                .containsEntry("scope", "read_vehicle_info")
                .containsEntry("mode", "live");
        assertThat(query.get("state")).hasSizeGreaterThanOrEqualTo(40);
        Map<String, Object> state = db().queryForMap("SELECT * FROM connect_state WHERE state = ?", query.get("state"));
        assertThat(state.get("CUSTOMER_REFERENCE")).isEqualTo("customer-42");
        assertThat(state.get("USED_AT")).isNull();
        assertThat(instant(state.get("EXPIRES_AT")))
                .isCloseTo(Instant.now().plus(Duration.ofMinutes(15)), within(1, ChronoUnit.MINUTES));
        assertThat(response.hasHeader("X-Probe"))
                .as("request headers are never echoed")
                .isFalse();
        assertThat(response.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(SMARTCAR.requests())
                .as("the browser goes to Connect, not the bridge")
                .isZero();
    }

    @Test
    void eachStartGetsItsOwnState() {
        String first = SmartcarDouble.query(
                        HTTP.get("/connect/start?ref=a", Map.of()).header("Location"))
                .get("state");
        String second = SmartcarDouble.query(
                        HTTP.get("/connect/start?ref=a", Map.of()).header("Location"))
                .get("state");

        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void startWithoutAReferenceIsRefusedWithAPage() {
        BridgeHttp.Response response = HTTP.get("/connect/start", Map.of());

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("text/html");
        assertThat(response.body()).contains("customer reference");
        assertThat(db().queryForObject("SELECT COUNT(*) FROM connect_state", Integer.class))
                .isZero();
    }

    @Test
    void theRoundTripStoresTheConnectionAndShowsThePageWithNothingOfSmartcarsAnswer() {
        BridgeHttp.Response response = smartcar.connect(HTTP, "user-1", "customer-1");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("text/html");
        assertThat(response.body())
                .contains("Vehicle connected")
                .doesNotContain("access-user-1", "refresh-user-1", "code-", "ignored-");
        assertThat(response.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(response.hasHeader("code")).isFalse();
        assertThat(response.hasHeader("user_id")).isFalse();
        assertThat(response.hasHeader("state")).isFalse();
        Map<String, Object> row = db().queryForMap("SELECT * FROM smartcar_connection WHERE user_id = 'user-1'");
        assertThat(row.get("CUSTOMER_REFERENCE")).isEqualTo("customer-1");
        assertThat(row.get("MODE")).isEqualTo("live");
        assertThat(row.get("STATUS")).isEqualTo("ACTIVE");
        assertThat(db().queryForObject("SELECT COUNT(*) FROM connect_state WHERE used_at IS NOT NULL", Integer.class))
                .isEqualTo(1);
        assertThat(BridgeHttp.metrics()).contains("bridge_smartcar_connect_total{outcome=\"connected\"}");
    }

    @Test
    void aStateWorksOnceAReplayedCallbackStoresNothingMoreAndCallsSmartcarNoMore() {
        String state = start();
        assertThat(HTTP.get("/connect/callback?" + smartcar.answering("user-a") + "&state=" + state, Map.of())
                        .status())
                .isEqualTo(200);
        String replayed = smartcar.answering("user-b");
        int calls = SMARTCAR.requests();

        BridgeHttp.Response replay = HTTP.get("/connect/callback?" + replayed + "&state=" + state, Map.of());

        assertThat(replay.status()).isEqualTo(400);
        assertThat(replay.body()).contains("expired or was already used");
        assertThat(SMARTCAR.requests()).as("the replay never reaches Smartcar").isEqualTo(calls);
        assertThat(db().queryForList("SELECT user_id FROM smartcar_connection", String.class))
                .containsExactly("user-a");
    }

    @Test
    void anUnknownOrExpiredStateIsRefusedBeforeAnyExchange() {
        String state = start();
        db().update(
                        "UPDATE connect_state SET expires_at = ? WHERE state = ?",
                        OffsetDateTime.now().minusSeconds(1),
                        state);

        BridgeHttp.Response expired =
                HTTP.get("/connect/callback?" + smartcar.answer("x") + "&state=" + state, Map.of());
        BridgeHttp.Response unknown =
                HTTP.get("/connect/callback?" + smartcar.answer("x") + "&state=made-up", Map.of());

        assertThat(expired.status()).isEqualTo(400);
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body()).contains("expired or was already used");
        assertThat(SMARTCAR.requests()).isZero();
        assertThat(connections()).isZero();
        assertThat(BridgeHttp.metrics()).contains("bridge_smartcar_connect_total{outcome=\"invalid_state\"}");
    }

    @Test
    void smartcarsErrorRedirectGetsItsPageAndStoresNothing() {
        String state = start();

        BridgeHttp.Response denied = HTTP.get(
                "/connect/callback?error=access_denied&error_description=User+denied&state=" + state, Map.of());
        BridgeHttp.Response other = HTTP.get("/connect/callback?error=%3Cscript%3E&state=" + state, Map.of());

        assertThat(denied.status()).isEqualTo(400);
        assertThat(denied.body()).contains("You did not allow access");
        assertThat(other.status()).isEqualTo(400);
        assertThat(other.body()).contains("unknown error").doesNotContain("<script>");
        assertThat(SMARTCAR.requests()).isZero();
        assertThat(connections()).isZero();
        assertThat(BridgeHttp.metrics()).contains("bridge_smartcar_connect_total{outcome=\"denied\"}");
        BridgeHttp.Response replayedWithAnAnswer =
                HTTP.get("/connect/callback?" + smartcar.answer("user-1") + "&state=" + state, Map.of());
        assertThat(replayedWithAnAnswer.status())
                .as("the error used the state up")
                .isEqualTo(400);
        assertThat(replayedWithAnAnswer.body()).contains("expired or was already used");
        assertThat(SMARTCAR.requests()).isZero();
        assertThat(connections()).isZero();
    }

    @Test
    void aCallbackWithoutAnAnswerOrAStateIsRefusedAndLeavesTheStateUnused() {
        String state = start();

        assertThat(HTTP.get("/connect/callback?state=" + state, Map.of()).status())
                .isEqualTo(400);
        assertThat(HTTP.get("/connect/callback?" + smartcar.answer("abc"), Map.of())
                        .status())
                .isEqualTo(400);

        assertThat(SMARTCAR.requests()).isZero();
        assertThat(connections()).isZero();
        assertThat(HTTP.get("/connect/callback?" + smartcar.answering("user-c") + "&state=" + state, Map.of())
                        .status())
                .as("a refused callback did not use the state up")
                .isEqualTo(200);
    }

    @Test
    void connectingAgainUpdatesTheConnectionAndRetriesItsRefusedVehicles() {
        smartcar.connect(HTTP, "user-2", "old-reference");
        db().update(
                        "UPDATE smartcar_connection SET status = 'NEEDS_REAUTHORIZATION', status_reason = 'refused', failure_count = 3");
        db().update("INSERT INTO vehicle (vehicle_id, user_id, subscription_status, last_error, updated_at) "
                + "VALUES ('v-refused', 'user-2', 'FAILED', 'permission', CURRENT_TIMESTAMP)");

        BridgeHttp.Response again = smartcar.connect(HTTP, "user-2", "new-reference");

        assertThat(again.status()).isEqualTo(200);
        assertThat(connections()).isEqualTo(1);
        Map<String, Object> row = db().queryForMap("SELECT * FROM smartcar_connection WHERE user_id = 'user-2'");
        assertThat(row.get("CUSTOMER_REFERENCE")).isEqualTo("new-reference");
        assertThat(row.get("STATUS")).isEqualTo("ACTIVE");
        assertThat(row.get("STATUS_REASON")).isNull();
        assertThat(row.get("FAILURE_COUNT")).isEqualTo(0);
        assertThat(db().queryForObject(
                                "SELECT subscription_status FROM vehicle WHERE vehicle_id = 'v-refused'", String.class))
                .isEqualTo("NONE");
    }

    @Test
    void onlyGetIsServed() {
        BridgeHttp.Response response = HTTP.send("POST", "/connect/start?ref=x", new byte[0], Map.of());

        assertThat(response.status()).isEqualTo(405);
        assertThat(db().queryForObject("SELECT COUNT(*) FROM connect_state", Integer.class))
                .isZero();
    }

    /** {@code /connect/start}: the state of the redirect. */
    static String start() {
        return SmartcarDouble.query(HTTP.get("/connect/start?ref=c", Map.of()).header("Location"))
                .get("state");
    }

    int connections() {
        return db().queryForObject("SELECT COUNT(*) FROM smartcar_connection", Integer.class);
    }
}
