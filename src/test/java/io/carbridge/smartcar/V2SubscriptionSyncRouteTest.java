package io.carbridge.smartcar;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.SmartcarDouble;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

/**
 * The subscription sync on Smartcar API v2.0: what both versions do ({@link SubscriptionSyncRouteTest}), and what only
 * v2.0 does: each owner's connection made through the real Connect flow and listed with the owner's tokens (refreshed
 * before they expire, or after a 401; a refused refresh token flags the connection), {@code GET /vehicles} page by
 * page, the make, model and year read from each vehicle before its subscription, one connection's failure leaving the
 * others alone.
 */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            SmartcarDouble.PROPERTIES,
            BridgeTest.TEST_PROPERTIES,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = "bridge.db.url=jdbc:h2:mem:subscription-sync-route-test")
class V2SubscriptionSyncRouteTest extends SubscriptionSyncRouteTest {

    V2SubscriptionSyncRouteTest() {
        super(SMARTCAR.v2());
    }

    @Test
    void oneConnectAndOneRunMakeExactlyTheCallsNeeded() {
        SMARTCAR.owner(
                "access-1", vehicles("v-1", "TESLA Model 3", "v-2", "FORD Mustang Mach-E", "v-3", "BMW i4"), 2022);

        assertThat(SMARTCAR.connect(HTTP, "user-1", "customer-1", "access-1", "refresh-1")
                        .status())
                .isEqualTo(200);
        Map<String, Object> summary = runSync();

        assertThat(summary)
                .containsEntry("connectionsSynced", 1)
                .containsEntry("vehiclesSubscribed", 3)
                .containsEntry("failures", 0);
        assertThat(db().queryForList("SELECT make FROM vehicle ORDER BY vehicle_id", String.class))
                .as("enriched")
                .containsExactly("TESLA", "FORD", "BMW");
        // Connect: one code exchange and one /user; the run: two pages of vehicles, then attributes and subscribe each
        assertThat(SMARTCAR.count(postRequestedFor(urlPathEqualTo("/oauth/token"))))
                .isEqualTo(1);
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/user"))))
                .isEqualTo(1);
        assertThat(SMARTCAR.count(
                        getRequestedFor(urlPathEqualTo("/v2.0/vehicles")).withQueryParam("offset", equalTo("0"))))
                .isEqualTo(1);
        assertThat(SMARTCAR.count(
                        getRequestedFor(urlPathEqualTo("/v2.0/vehicles")).withQueryParam("offset", equalTo("2"))))
                .isEqualTo(1);
        for (String vehicle : List.of("v-1", "v-2", "v-3")) {
            assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles/" + vehicle))
                            .withHeader("Authorization", equalTo("Bearer access-1"))))
                    .as(vehicle)
                    .isEqualTo(1);
            assertThat(SMARTCAR.count(subscribeCalls(vehicle).withHeader("Authorization", equalTo("Bearer access-1"))))
                    .as(vehicle)
                    .isEqualTo(1);
        }
        assertThat(SMARTCAR.requests()).isEqualTo(10);
        assertThat(SMARTCAR.server().findAllUnmatchedRequests()).isEmpty();
    }

    @Test
    void pagingReadsEveryPageUntilThePagingCount() {
        SMARTCAR.owner(
                "access-1", vehicles("p-1", "A a", "p-2", "B b", "p-3", "C c", "p-4", "D d", "p-5", "E e"), 2020);
        SMARTCAR.connect(HTTP, "user-1", "customer-1", "access-1", "refresh-1");

        assertThat(runSync()).containsEntry("vehiclesSubscribed", 5);

        for (int offset : new int[] {0, 2, 4}) {
            assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles"))
                            .withQueryParam("offset", equalTo(String.valueOf(offset)))
                            .withQueryParam("limit", equalTo("2"))))
                    .as("offset " + offset)
                    .isEqualTo(1);
        }
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles"))))
                .isEqualTo(3);
    }

    @Test
    void aTokenAboutToExpireIsRefreshedFirstAndEachRotatedPairIsStored() {
        SMARTCAR.connect(HTTP, "user-1", "customer-1", "access-1", "refresh-1");
        expireAccessTokenSoon("user-1");
        SMARTCAR.refresh("refresh-1", "access-2", "refresh-2");
        SMARTCAR.owner("access-2", vehicles("v-1", "TESLA Model S"), 2021);

        assertThat(runSync()).containsEntry("vehiclesSubscribed", 1);

        assertThat(SMARTCAR.count(postRequestedFor(urlPathEqualTo("/oauth/token"))
                        .withRequestBody(equalTo("grant_type=refresh_token&refresh_token=refresh-1"))))
                .isEqualTo(1);
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles"))
                        .withHeader("Authorization", equalTo("Bearer access-1"))))
                .as("the expiring token is not used")
                .isZero();
        Map<String, Object> stored = db().queryForMap("SELECT * FROM smartcar_connection WHERE user_id = 'user-1'");
        assertThat(CIPHER.decrypt((String) stored.get("ACCESS_TOKEN_ENC"), "user-1:access"))
                .isEqualTo("access-2");
        assertThat(CIPHER.decrypt((String) stored.get("REFRESH_TOKEN_ENC"), "user-1:refresh"))
                .isEqualTo("refresh-2");
        assertThat(instant(stored.get("ACCESS_EXPIRES_AT")))
                .isCloseTo(Instant.now().plus(Duration.ofHours(2)), within(1, ChronoUnit.MINUTES));

        // the next refresh uses the rotated refresh token, read back from the database
        expireAccessTokenSoon("user-1");
        SMARTCAR.refresh("refresh-2", "access-3", "refresh-3");
        SMARTCAR.vehicles("access-3", "v-1");
        runSync();

        assertThat(SMARTCAR.count(postRequestedFor(urlPathEqualTo("/oauth/token"))
                        .withRequestBody(equalTo("grant_type=refresh_token&refresh_token=refresh-2"))))
                .isEqualTo(1);
        assertThat(SMARTCAR.count(postRequestedFor(urlPathEqualTo("/oauth/token"))
                        .withRequestBody(equalTo("grant_type=refresh_token&refresh_token=refresh-1"))))
                .isEqualTo(1);
        assertThat(BridgeHttp.metrics()).contains("bridge_smartcar_token_refreshes_total{outcome=\"refreshed\"}");
    }

    @Test
    void a401RefreshesTheTokenAndRetriesTheCallOnce() {
        SMARTCAR.connect(HTTP, "user-1", "customer-1", "access-old", "refresh-1");
        SMARTCAR.stub(SmartcarDouble.vehiclesPage("access-old", 0)
                .willReturn(aResponse()
                        .withStatus(401)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"type\":\"AUTHENTICATION\",\"description\":\"expired\"}")));
        SMARTCAR.refresh("refresh-1", "access-new", "refresh-2");
        SMARTCAR.owner("access-new", vehicles("v-1", "AUDI Q4"), 2022);

        assertThat(runSync()).containsEntry("vehiclesSubscribed", 1).containsEntry("failures", 0);

        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles"))))
                .isEqualTo(2);
        assertThat(SMARTCAR.count(postRequestedFor(urlPathEqualTo("/oauth/token"))
                        .withRequestBody(equalTo("grant_type=refresh_token&refresh_token=refresh-1"))))
                .isEqualTo(1);
        assertThat(SMARTCAR.count(subscribeCalls("v-1").withHeader("Authorization", equalTo("Bearer access-new"))))
                .isEqualTo(1);
    }

    @Test
    void a401AfterTheRefreshIsRecordedOnTheConnectionAndNotRetriedAgain() {
        SMARTCAR.connect(HTTP, "user-1", "customer-1", "access-old", "refresh-1");
        SMARTCAR.refresh("refresh-1", "access-new", "refresh-2");
        SMARTCAR.stub(
                get(urlPathEqualTo("/v2.0/vehicles")).willReturn(aResponse().withStatus(401)));

        assertThat(runSync()).containsEntry("failures", 1);

        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles"))))
                .isEqualTo(2);
        assertThat(SMARTCAR.count(postRequestedFor(urlPathEqualTo("/oauth/token"))
                        .withRequestBody(equalTo("grant_type=refresh_token&refresh_token=refresh-1"))))
                .isEqualTo(1);
        Map<String, Object> connection = connection("user-1");
        assertThat(connection.get("STATUS")).isEqualTo("ACTIVE");
        assertThat(connection.get("FAILURE_COUNT")).isEqualTo(1);
        assertThat((String) connection.get("LAST_ERROR")).contains("HTTP 401");
        assertThat(instant(connection.get("NEXT_SYNC_AT")))
                .isCloseTo(Instant.now().plus(Duration.ofMinutes(1)), within(10, ChronoUnit.SECONDS));
        assertThat(connection.get("CLAIMED_BY")).as("the claim is released").isNull();
    }

    @Test
    void aRefusedRefreshTokenFlagsTheConnectionWhichIsThenSkippedWhileTheOthersGoOn() {
        SMARTCAR.connect(HTTP, "user-a", "customer-a", "access-a", "refresh-a");
        SMARTCAR.connect(HTTP, "user-b", "customer-b", "access-b", "refresh-b");
        SMARTCAR.stub(SmartcarDouble.vehiclesPage("access-a", 0)
                .willReturn(aResponse().withStatus(401)));
        SMARTCAR.stub(post(urlPathEqualTo("/oauth/token"))
                .withRequestBody(equalTo("grant_type=refresh_token&refresh_token=refresh-a"))
                .willReturn(aResponse()
                        .withStatus(400)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":\"invalid_grant\",\"error_description\":\"refresh token revoked\"}")));
        SMARTCAR.owner("access-b", vehicles("v-b", "NISSAN Leaf"), 2019);

        Map<String, Object> summary = runSync();

        assertThat(summary)
                .containsEntry("connectionsSynced", 1)
                .containsEntry("vehiclesSubscribed", 1)
                .containsEntry("failures", 1);
        Map<String, Object> flagged = connection("user-a");
        assertThat(flagged.get("STATUS")).isEqualTo("NEEDS_REAUTHORIZATION");
        assertThat((String) flagged.get("STATUS_REASON")).contains("invalid_grant");
        assertThat(status("v-b")).isEqualTo("SUBSCRIBED");
        assertThat(BridgeHttp.metrics())
                .contains("bridge_smartcar_connections_needing_reauthorization 1.0")
                .contains("bridge_smartcar_sync_failures_total{reason=\"refresh_refused\"}");

        runSync();

        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles"))
                        .withHeader("Authorization", equalTo("Bearer access-a"))))
                .as("a flagged connection is not called again")
                .isEqualTo(1);
        assertThat(SMARTCAR.count(postRequestedFor(urlPathEqualTo("/oauth/token"))
                        .withRequestBody(equalTo("grant_type=refresh_token&refresh_token=refresh-a"))))
                .isEqualTo(1);
    }

    @Test
    void aRefreshTokenPastItsSixtyDaysFlagsTheConnectionWithoutCallingSmartcar() {
        SMARTCAR.connect(HTTP, "user-1", "customer-1", "access-1", "refresh-1");
        db().update(
                        "UPDATE smartcar_connection SET access_expires_at = ?, refresh_expires_at = ?",
                        OffsetDateTime.now().minusHours(1),
                        OffsetDateTime.now().minusMinutes(1));
        int before = SMARTCAR.requests();

        runSync();

        assertThat(connection("user-1").get("STATUS")).isEqualTo("NEEDS_REAUTHORIZATION");
        assertThat(SMARTCAR.requests()).isEqualTo(before);
    }

    @Test
    void theAttributesReadBeforeASubscriptionFailAsTheSubscriptionDoes() {
        SMARTCAR.owner(
                "access-1", vehicles("v-ok", "FORD Puma", "v-permission", "FORD Kuga", "v-slow", "VW ID.7"), 2022);
        SMARTCAR.stub(SmartcarDouble.attributesOf("access-1", "v-permission")
                .willReturn(aResponse()
                        .withStatus(403)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"type\":\"PERMISSION\",\"description\":\"read_vehicle_info\"}")));
        SMARTCAR.stub(SmartcarDouble.attributesOf("access-1", "v-slow")
                .willReturn(okJson("{\"make\":\"VW\",\"model\":\"ID.7\",\"year\":2023}")
                        .withFixedDelay(3_000)));
        SMARTCAR.connect(HTTP, "user-1", "customer-1", "access-1", "refresh-1");

        assertThat(runSync()).containsEntry("vehiclesSubscribed", 1).containsEntry("failures", 2);
        runSync();

        assertThat(status("v-ok")).isEqualTo("SUBSCRIBED");
        Map<String, Object> permission = vehicle("v-permission");
        assertThat(permission.get("SUBSCRIPTION_STATUS")).isEqualTo("FAILED");
        assertThat((String) permission.get("LAST_ERROR")).contains("HTTP 403 PERMISSION");
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles/v-permission"))))
                .isEqualTo(1);
        assertThat(SMARTCAR.count(subscribeCalls("v-permission"))).isZero();
        Map<String, Object> slow = vehicle("v-slow");
        assertThat(slow.get("SUBSCRIPTION_STATUS")).isEqualTo("NONE");
        assertThat((String) slow.get("LAST_ERROR")).contains("no answer in time");
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles/v-slow"))))
                .as("not before the backoff")
                .isEqualTo(1);
        assertThat(SMARTCAR.count(subscribeCalls("v-slow"))).isZero();
        assertThat(BridgeHttp.metrics())
                .contains("bridge_smartcar_sync_failures_total{reason=\"permission\"}")
                .contains("bridge_smartcar_sync_failures_total{reason=\"timeout\"}");

        SMARTCAR.attributes("access-1", "v-slow", "VW", "ID.7", 2023);
        db().update(
                        "UPDATE vehicle SET next_attempt_at = ? WHERE next_attempt_at IS NOT NULL",
                        OffsetDateTime.now().minusSeconds(1));
        assertThat(runSync()).as("a timeout is tried again after its backoff").containsEntry("vehiclesSubscribed", 1);
        assertThat(status("v-slow")).isEqualTo("SUBSCRIBED");
        assertThat(status("v-permission")).as("a 403 is not").isEqualTo("FAILED");
    }

    @Test
    void aConnectionWhoseListingFailsBacksOffWithoutStoppingTheOthers() {
        SMARTCAR.connect(HTTP, "user-a", "customer-a", "access-a", "refresh-a");
        SMARTCAR.connect(HTTP, "user-b", "customer-b", "access-b", "refresh-b");
        SMARTCAR.stub(SmartcarDouble.vehiclesPage("access-a", 0)
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        SMARTCAR.owner("access-b", vehicles("v-b", "MG 4"), 2023);

        assertThat(runSync()).containsEntry("connectionsSynced", 1).containsEntry("vehiclesSubscribed", 1);

        Map<String, Object> failed = connection("user-a");
        assertThat(failed.get("FAILURE_COUNT")).isEqualTo(1);
        assertThat((String) failed.get("LAST_ERROR")).contains("vehicles");
        assertThat(instant(failed.get("NEXT_SYNC_AT")))
                .isCloseTo(Instant.now().plus(Duration.ofMinutes(1)), within(10, ChronoUnit.SECONDS));
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles"))
                        .withHeader("Authorization", equalTo("Bearer access-a"))))
                .as("no automatic resend after a reset connection")
                .isEqualTo(1);

        runSync();
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles"))
                        .withHeader("Authorization", equalTo("Bearer access-a"))))
                .as("backing off")
                .isEqualTo(1);
    }

    @Test
    void aMalformedOrEmptyAnswerIsLoggedAndSkippedAndNeverMarksVehiclesGone() {
        SMARTCAR.owner("access-a", vehicles("a-1", "SKODA Enyaq"), 2022);
        SMARTCAR.connect(HTTP, "user-a", "customer-a", "access-a", "refresh-a");
        runSync();
        assertThat(status("a-1")).isEqualTo("SUBSCRIBED");

        SMARTCAR.stub(SmartcarDouble.vehiclesPage("access-a", 0)
                .willReturn(aResponse().withStatus(200)));
        SMARTCAR.owner("access-b", vehicles("b-1", "CUPRA Born", "b-2", "SEAT Mii"), 2021);
        SMARTCAR.stub(SmartcarDouble.attributesOf("access-b", "b-1")
                .willReturn(okJson("{\"make\":\"CUPRA\",\"model\":\"Born\"}")));
        SMARTCAR.stub(SmartcarDouble.attributesOf("access-b", "b-2").willReturn(okJson("this is not json")));
        SMARTCAR.connect(HTTP, "user-b", "customer-b", "access-b", "refresh-b");

        Map<String, Object> summary = runSync();

        assertThat(summary).containsEntry("failures", 3).containsEntry("vehiclesSubscribed", 0);
        assertThat(status("a-1"))
                .as("an empty listing is no listing: nothing is gone")
                .isEqualTo("SUBSCRIBED");
        assertThat((String) connection("user-a").get("LAST_ERROR")).contains("malformed answer (empty body)");
        assertThat((String)
                        db().queryForObject("SELECT last_error FROM vehicle WHERE vehicle_id = 'b-1'", String.class))
                .contains("no year");
        assertThat((String)
                        db().queryForObject("SELECT last_error FROM vehicle WHERE vehicle_id = 'b-2'", String.class))
                .contains("not a JSON object");
        assertThat(SMARTCAR.count(subscribeCalls("b-1")))
                .as("not subscribed without its attributes")
                .isZero();
        assertThat(BridgeHttp.metrics()).contains("bridge_smartcar_sync_failures_total{reason=\"malformed_response\"}");
    }

    @Test
    void twoRunsAtOnceSubscribeEveryVehicleExactlyOnceEvenAVehicleTwoConnectionsShare() {
        SMARTCAR.owner("access-a", vehicles("a-1", "TESLA Model 3", "shared", "TESLA Model Y"), 2022);
        SMARTCAR.owner("access-b", vehicles("b-1", "BMW iX", "shared", "TESLA Model Y"), 2022);
        // slow subscriptions, so that the two runs overlap
        SMARTCAR.stub(post(urlPathMatching("/v2.0/vehicles/.*/webhooks/.*"))
                .willReturn(okJson("{}").withFixedDelay(200)));
        SMARTCAR.connect(HTTP, "user-a", "customer-a", "access-a", "refresh-a");
        SMARTCAR.connect(HTTP, "user-b", "customer-b", "access-b", "refresh-b");

        List<Map<String, Object>> summaries = twoRunsAtOnce();

        assertThat(total(summaries, "vehiclesSubscribed")).isEqualTo(3);
        assertThat(total(summaries, "connectionsSynced"))
                .as("each connection is claimed by one run")
                .isEqualTo(2);
        assertThat(SMARTCAR.count(subscribeCalls("shared"))).isEqualTo(1);
        assertThat(SMARTCAR.count(subscribeCalls("a-1"))).isEqualTo(1);
        assertThat(SMARTCAR.count(subscribeCalls("b-1"))).isEqualTo(1);
        assertThat(db().queryForList("SELECT DISTINCT subscription_status FROM vehicle", String.class))
                .containsExactly("SUBSCRIBED");
    }

    private void expireAccessTokenSoon(String userId) {
        db().update(
                        "UPDATE smartcar_connection SET access_expires_at = ? WHERE user_id = ?",
                        OffsetDateTime.now().plusMinutes(1),
                        userId);
    }

    private Map<String, Object> connection(String userId) {
        return db().queryForMap("SELECT * FROM smartcar_connection WHERE user_id = ?", userId);
    }

    private static RequestPatternBuilder subscribeCalls(String vehicleId) {
        return SMARTCAR.v2().subscriptionsOf(vehicleId);
    }

    /** Vehicle id, then "MAKE Model", alternately. */
    private static Map<String, String> vehicles(String... idsAndNames) {
        Map<String, String> vehicles = new LinkedHashMap<>();
        for (int i = 0; i < idsAndNames.length; i += 2) {
            vehicles.put(idsAndNames[i], idsAndNames[i + 1]);
        }
        return vehicles;
    }
}
