package io.carbridge.smartcar;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A deployment with only SMARTCAR_MANAGEMENT_TOKEN: the same route files start, /connect/* answers 503, the timer runs
 * and does nothing (the API base URLs of both versions point at the double, which must see no call), the admin sync
 * answers 503.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = {
            "bridge.db.url=jdbc:h2:mem:intake-only-deployment-test",
            "bridge.sync.period=100ms",
            "bridge.admin.token=test-admin-token",
            "bridge.smartcar.api-url=http://127.0.0.1:{{sys:test.smartcar.port}}/v2.0",
            "bridge.smartcar.iam-url=http://127.0.0.1:{{sys:test.smartcar.port}}/iam/oauth2/token",
            "bridge.smartcar.vehicle-api-url=http://127.0.0.1:{{sys:test.smartcar.port}}/vehicle/v3",
            "bridge.smartcar.management-api-url=http://127.0.0.1:{{sys:test.smartcar.port}}/management/v3"
        })
class IntakeOnlyDeploymentTest extends SmartcarRouteTestSupport {

    @Test
    void connectAnswers503WithAPageAndStoresNothing() {
        BridgeHttp.Response start = HTTP.get("/connect/start?ref=customer-1", Map.of());
        BridgeHttp.Response callback = HTTP.get("/connect/callback?code=c&state=s", Map.of());

        assertThat(start.status()).isEqualTo(503);
        assertThat(start.header("Content-Type")).startsWith("text/html");
        assertThat(start.body()).contains("not set up");
        assertThat(callback.status()).isEqualTo(503);
        assertThat(db().queryForObject("SELECT COUNT(*) FROM connect_state", Integer.class))
                .isZero();
    }

    @Test
    void theTimerRunsAndDoesNothingEvenWithAConnectionStored() {
        SMARTCAR.reset();
        db().update(
                        "INSERT INTO smartcar_connection (user_id, access_token_enc, refresh_token_enc, access_expires_at, refresh_expires_at) "
                                + "VALUES ('user-1', 'x', 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
        NotifyBuilder threeRuns = new NotifyBuilder(camel)
                .fromRoute("subscription-sync-timer")
                .whenDone(3)
                .create();

        assertThat(threeRuns.matches(10, TimeUnit.SECONDS)).isTrue();
        assertThat(SMARTCAR.requests()).isZero();
        assertThat(db().queryForObject("SELECT claimed_by FROM smartcar_connection", String.class))
                .isNull();
        assertThat(db().queryForObject("SELECT COUNT(*) FROM vehicle", Integer.class))
                .isZero();
    }

    @Test
    void theAdminSyncAndUnsubscribeAnswer503ButTheListsWork() {
        BridgeHttp.Response sync = HTTP.send("POST", "/admin/subscriptions/sync", null, ADMIN);

        assertThat(sync.status()).isEqualTo(503);
        assertThat(sync.json().get("error").asText()).contains("SMARTCAR_CLIENT_ID");
        assertThat(HTTP.send("DELETE", "/admin/vehicles/v-1/subscription", null, ADMIN)
                        .status())
                .isEqualTo(503);
        assertThat(HTTP.get("/admin/connections", ADMIN).status()).isEqualTo(200);
        assertThat(HTTP.get("/admin/vehicles", ADMIN).status()).isEqualTo(200);
    }
}
