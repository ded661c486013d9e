package io.carbridge.smartcar;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
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

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.SmartcarDouble;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * The subscription sync route (routes/subscription-sync.camel.yaml) against the Smartcar double, with connections made
 * through the real Connect flow. Each run is started explicitly on the route the timer starts, so every test knows how
 * many runs happened; the double counts every call, and the outcome is read back from the database. Time passing is
 * simulated by moving the stored due times into the past.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {SmartcarDouble.PROPERTIES, BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = "bridge.db.url=jdbc:h2:mem:subscription-sync-route-test")
class SubscriptionSyncRouteTest extends SmartcarRouteTestSupport {

    @Test
    void fromAnEmptyDatabaseOneConnectAndOneRunSubscribeEveryVehicleOnceEnrichedWithExactlyTheCallsNeeded() {
        double subscriptionsBefore = BridgeHttp.metric("bridge_smartcar_subscriptions_total");
        SMARTCAR.owner("access-1", vehicles("v-1", "TESLA Model 3", "v-2", "FORD Mustang Mach-E", "v-3", "BMW i4"), 2022);

        assertThat(SMARTCAR.connect(HTTP, "user-1", "customer-1", "access-1", "refresh-1").status()).isEqualTo(200);
        Map<String, Object> summary = runSync();

        assertThat(summary).containsEntry("connectionsSynced", 1).containsEntry("vehiclesSubscribed", 3).containsEntry("failures", 0);
        assertThat(db().query("SELECT * FROM vehicle ORDER BY vehicle_id", (rows, i) -> String.join(" | ", rows.getString("vehicle_id"),
                rows.getString("user_id"), rows.getString("make"), rows.getString("model"), rows.getString("model_year"),
                rows.getString("subscription_status")))).containsExactly(
                        "v-1 | user-1 | TESLA | Model 3 | 2022 | SUBSCRIBED",
                        "v-2 | user-1 | FORD | Mustang Mach-E | 2022 | SUBSCRIBED",
                        "v-3 | user-1 | BMW | i4 | 2022 | SUBSCRIBED");
        // Connect: one code exchange and one /user; the run: two pages of vehicles, then attributes and subscribe each
        assertThat(SMARTCAR.count(postRequestedFor(urlPathEqualTo("/oauth/token")))).isEqualTo(1);
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/user")))).isEqualTo(1);
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles")).withQueryParam("offset", equalTo("0")))).isEqualTo(1);
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles")).withQueryParam("offset", equalTo("2")))).isEqualTo(1);
        for (String vehicle : List.of("v-1", "v-2", "v-3")) {
            assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles/" + vehicle))
                    .withHeader("Authorization", equalTo("Bearer access-1")))).as(vehicle).isEqualTo(1);
            assertThat(SMARTCAR.count(subscribeCalls(vehicle).withHeader("Authorization", equalTo("Bearer access-1")))).as(vehicle).isEqualTo(1);
        }
        assertThat(SMARTCAR.requests()).isEqualTo(10);
        assertThat(SMARTCAR.server().findAllUnmatchedRequests()).isEmpty();
        assertThat(BridgeHttp.metric("bridge_smartcar_subscriptions_total")).isEqualTo(subscriptionsBefore + 3);
    }

    @Test
    void aSecondRunSubscribesNothingAndAVehicleAddedLaterIsSubscribedOnTheNextRun() {
        SMARTCAR.owner("access-1", vehicles("v-1", "TESLA Model Y", "v-2", "KIA EV6"), 2023);
        SMARTCAR.connect(HTTP, "user-1", "customer-1", "access-1", "refresh-1");
        runSync();

        Map<String, Object> second = runSync();

        assertThat(second).containsEntry("connectionsSynced", 1).containsEntry("vehiclesSubscribed", 0);
        assertThat(SMARTCAR.count(subscribeCalls("v-1"))).isEqualTo(1);
        assertThat(SMARTCAR.count(subscribeCalls("v-2"))).isEqualTo(1);
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles")))).as("each run lists the vehicles").isEqualTo(2);

        SMARTCAR.owner("access-1", vehicles("v-1", "TESLA Model Y", "v-2", "KIA EV6", "v-3", "VOLVO EX30"), 2024);
        Map<String, Object> third = runSync();

        assertThat(third).containsEntry("vehiclesSubscribed", 1);
        assertThat(SMARTCAR.count(subscribeCalls("v-1"))).isEqualTo(1);
        assertThat(SMARTCAR.count(subscribeCalls("v-3"))).isEqualTo(1);
        assertThat(status("v-3")).isEqualTo("SUBSCRIBED");
        assertThat(db().queryForObject("SELECT make FROM vehicle WHERE vehicle_id = 'v-3'", String.class)).isEqualTo("VOLVO");
    }

    @Test
    void pagingReadsEveryPageUntilThePagingCount() {
        SMARTCAR.owner("access-1", vehicles("p-1", "A a", "p-2", "B b", "p-3", "C c", "p-4", "D d", "p-5", "E e"), 2020);
        SMARTCAR.connect(HTTP, "user-1", "customer-1", "access-1", "refresh-1");

        assertThat(runSync()).containsEntry("vehiclesSubscribed", 5);

        for (int offset : new int[] {0, 2, 4}) {
            assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles")).withQueryParam("offset", equalTo(String.valueOf(offset)))
                    .withQueryParam("limit", equalTo("2")))).as("offset " + offset).isEqualTo(1);
        }
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles")))).isEqualTo(3);
    }

    @Test
    void aTokenAboutToExpireIsRefreshedFirstAndEachRotatedPairIsStored() {
        SMARTCAR.connect(HTTP, "user-1", "customer-1", "access-1", "refresh-1");
        expireAccessTokenSoon("user-1");
        SMARTCAR.refresh("refresh-1", "access-2", "refresh-2");
        SMARTCAR.owner("access-2", vehicles("v-1", "TESLA Model S"), 2021);

        assertThat(runSync()).containsEntry("vehiclesSubscribed", 1);

        assertThat(SMARTCAR.count(postRequestedFor(urlPathEqualTo("/oauth/token"))
                .withRequestBody(equalTo("grant_type=refresh_token&refresh_token=refresh-1")))).isEqualTo(1);
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles")).withHeader("Authorization", equalTo("Bearer access-1"))))
                .as("the expiring token is not used").isZero();
        Map<String, Object> stored = db().queryForMap("SELECT * FROM smartcar_connection WHERE user_id = 'user-1'");
        assertThat(CIPHER.decrypt((String) stored.get("ACCESS_TOKEN_ENC"), "user-1:access")).isEqualTo("access-2");
        assertThat(CIPHER.decrypt((String) stored.get("REFRESH_TOKEN_ENC"), "user-1:refresh")).isEqualTo("refresh-2");
        assertThat(instant(stored.get("ACCESS_EXPIRES_AT")))
                .isCloseTo(Instant.now().plus(Duration.ofHours(2)), within(1, ChronoUnit.MINUTES));

        // the next refresh uses the rotated refresh token, read back from the database
        expireAccessTokenSoon("user-1");
        SMARTCAR.refresh("refresh-2", "access-3", "refresh-3");
        SMARTCAR.vehicles("access-3", "v-1");
        runSync();

        assertThat(SMARTCAR.count(postRequestedFor(urlPathEqualTo("/oauth/token"))
                .withRequestBody(equalTo("grant_type=refresh_token&refresh_token=refresh-2")))).isEqualTo(1);
        assertThat(SMARTCAR.count(postRequestedFor(urlPathEqualTo("/oauth/token"))
                .withRequestBody(equalTo("grant_type=refresh_token&refresh_token=refresh-1")))).isEqualTo(1);
        assertThat(BridgeHttp.metrics()).contains("bridge_smartcar_token_refreshes_total{outcome=\"refreshed\"}");
    }

    @Test
    void a401RefreshesTheTokenAndRetriesTheCallOnce() {
        SMARTCAR.connect(HTTP, "user-1", "customer-1", "access-old", "refresh-1");
        SMARTCAR.stub(SmartcarDouble.vehiclesPage("access-old", 0).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json").withBody("{\"type\":\"AUTHENTICATION\",\"description\":\"expired\"}")));
        SMARTCAR.refresh("refresh-1", "access-new", "refresh-2");
        SMARTCAR.owner("access-new", vehicles("v-1", "AUDI Q4"), 2022);

        assertThat(runSync()).containsEntry("vehiclesSubscribed", 1).containsEntry("failures", 0);

        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles")))).isEqualTo(2);
        assertThat(SMARTCAR.count(postRequestedFor(urlPathEqualTo("/oauth/token")).withRequestBody(equalTo(
                "grant_type=refresh_token&refresh_token=refresh-1")))).isEqualTo(1);
        assertThat(SMARTCAR.count(subscribeCalls("v-1").withHeader("Authorization", equalTo("Bearer access-new")))).isEqualTo(1);
    }

    @Test
    void a401AfterTheRefreshIsRecordedOnTheConnectionAndNotRetriedAgain() {
        SMARTCAR.connect(HTTP, "user-1", "customer-1", "access-old", "refresh-1");
        SMARTCAR.refresh("refresh-1", "access-new", "refresh-2");
        SMARTCAR.stub(get(urlPathEqualTo("/v2.0/vehicles"))
                .willReturn(aResponse().withStatus(401)));

        assertThat(runSync()).containsEntry("failures", 1);

        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles")))).isEqualTo(2);
        assertThat(SMARTCAR.count(postRequestedFor(urlPathEqualTo("/oauth/token")).withRequestBody(equalTo(
                "grant_type=refresh_token&refresh_token=refresh-1")))).isEqualTo(1);
        Map<String, Object> connection = connection("user-1");
        assertThat(connection.get("STATUS")).isEqualTo("ACTIVE");
        assertThat(connection.get("FAILURE_COUNT")).isEqualTo(1);
        assertThat((String) connection.get("LAST_ERROR")).contains("HTTP 401");
        assertThat(instant(connection.get("NEXT_SYNC_AT"))).isCloseTo(Instant.now().plus(Duration.ofMinutes(1)), within(10, ChronoUnit.SECONDS));
        assertThat(connection.get("CLAIMED_BY")).as("the claim is released").isNull();
    }

    @Test
    void aRefusedRefreshTokenFlagsTheConnectionWhichIsThenSkippedWhileTheOthersGoOn() {
        SMARTCAR.connect(HTTP, "user-a", "customer-a", "access-a", "refresh-a");
        SMARTCAR.connect(HTTP, "user-b", "customer-b", "access-b", "refresh-b");
        SMARTCAR.stub(SmartcarDouble.vehiclesPage("access-a", 0).willReturn(aResponse().withStatus(401)));
        SMARTCAR.stub(post(urlPathEqualTo("/oauth/token")).withRequestBody(equalTo("grant_type=refresh_token&refresh_token=refresh-a"))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":\"invalid_grant\",\"error_description\":\"refresh token revoked\"}")));
        SMARTCAR.owner("access-b", vehicles("v-b", "NISSAN Leaf"), 2019);

        Map<String, Object> summary = runSync();

        assertThat(summary).containsEntry("connectionsSynced", 1).containsEntry("vehiclesSubscribed", 1).containsEntry("failures", 1);
        Map<String, Object> flagged = connection("user-a");
        assertThat(flagged.get("STATUS")).isEqualTo("NEEDS_REAUTHORIZATION");
        assertThat((String) flagged.get("STATUS_REASON")).contains("invalid_grant");
        assertThat(status("v-b")).isEqualTo("SUBSCRIBED");
        assertThat(BridgeHttp.metrics()).contains("bridge_smartcar_connections_needing_reauthorization 1.0")
                .contains("bridge_smartcar_sync_failures_total{reason=\"refresh_refused\"}");

        runSync();

        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles")).withHeader("Authorization", equalTo("Bearer access-a"))))
                .as("a flagged connection is not called again").isEqualTo(1);
        assertThat(SMARTCAR.count(postRequestedFor(urlPathEqualTo("/oauth/token")).withRequestBody(equalTo(
                "grant_type=refresh_token&refresh_token=refresh-a")))).isEqualTo(1);
    }

    @Test
    void aRefreshTokenPastItsSixtyDaysFlagsTheConnectionWithoutCallingSmartcar() {
        SMARTCAR.connect(HTTP, "user-1", "customer-1", "access-1", "refresh-1");
        db().update("UPDATE smartcar_connection SET access_expires_at = ?, refresh_expires_at = ?",
                OffsetDateTime.now().minusHours(1), OffsetDateTime.now().minusMinutes(1));
        int before = SMARTCAR.requests();

        runSync();

        assertThat(connection("user-1").get("STATUS")).isEqualTo("NEEDS_REAUTHORIZATION");
        assertThat(SMARTCAR.requests()).isEqualTo(before);
    }

    @Test
    void a429HonoursRetryAfterOnEveryInstanceAndLeavesTheRestOfTheWorkToTheNextRun() {
        SMARTCAR.owner("access-a", vehicles("a-1", "TESLA Model 3", "a-2", "TESLA Model Y", "a-3", "TESLA Model X"), 2021);
        SMARTCAR.owner("access-b", vehicles("b-1", "KIA Niro"), 2020);
        SMARTCAR.stub(SmartcarDouble.subscription("access-a", "a-1").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "120")
                .withHeader("Content-Type", "application/json").withBody("{\"type\":\"RATE_LIMIT\",\"code\":\"VEHICLE\"}")));
        SMARTCAR.connect(HTTP, "user-a", "customer-a", "access-a", "refresh-a");
        SMARTCAR.connect(HTTP, "user-b", "customer-b", "access-b", "refresh-b");

        Map<String, Object> summary = runSync();

        Instant pausedUntil = Instant.parse(String.valueOf(summary.get("pausedUntil")));
        assertThat(pausedUntil).isCloseTo(Instant.now().plusSeconds(120), within(10, ChronoUnit.SECONDS));
        assertThat(SMARTCAR.count(subscribeCalls("a-1"))).as("a 429 is not retried by the HTTP client either").isEqualTo(1);
        assertThat(SMARTCAR.count(subscribeCalls("a-2"))).isZero();
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles/a-2")))).isZero();
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles")).withHeader("Authorization", equalTo("Bearer access-b"))))
                .as("the next connection waits for the next run").isZero();
        Map<String, Object> limited = db().queryForMap("SELECT * FROM vehicle WHERE vehicle_id = 'a-1'");
        assertThat(limited.get("SUBSCRIPTION_STATUS")).isEqualTo("NONE");
        assertThat((String) limited.get("LAST_ERROR")).contains("HTTP 429");
        assertThat(instant(limited.get("NEXT_ATTEMPT_AT"))).isCloseTo(pausedUntil, within(1, ChronoUnit.MILLIS));
        assertThat(instant(db().queryForObject("SELECT paused_until FROM smartcar_rate_limit", OffsetDateTime.class)))
                .isCloseTo(pausedUntil, within(1, ChronoUnit.MILLIS));

        int calls = SMARTCAR.requests();
        assertThat(runSync()).containsEntry("connectionsSynced", 0);
        assertThat(SMARTCAR.requests()).as("no call at all before retry-after has passed").isEqualTo(calls);

        // retry-after has passed
        db().update("UPDATE smartcar_rate_limit SET paused_until = ?", OffsetDateTime.now().minusSeconds(1));
        db().update("UPDATE vehicle SET next_attempt_at = ?", OffsetDateTime.now().minusSeconds(1));
        SMARTCAR.subscribe("access-a", "a-1");
        Map<String, Object> next = runSync();

        assertThat(next).containsEntry("connectionsSynced", 2).containsEntry("vehiclesSubscribed", 4);
        assertThat(db().queryForList("SELECT DISTINCT subscription_status FROM vehicle", String.class)).containsExactly("SUBSCRIBED");
        assertThat(SMARTCAR.count(subscribeCalls("a-1"))).isEqualTo(2);
        assertThat(SMARTCAR.count(subscribeCalls("a-2"))).isEqualTo(1);
    }

    @Test
    void a430OrA403IsRecordedOnTheVehicleAndNeverRetriedWhileTheOtherVehiclesAreSubscribed() {
        SMARTCAR.owner("access-1", vehicles("v-billing", "FORD F-150", "v-ok", "FORD Puma", "v-permission", "FORD Kuga"), 2022);
        SMARTCAR.stub(SmartcarDouble.subscription("access-1", "v-billing").willReturn(aResponse().withStatus(430)
                .withHeader("Content-Type", "application/json").withBody("{\"type\":\"BILLING\",\"code\":\"VEHICLE_LIMIT\","
                        + "\"description\":\"The vehicle limit of your plan is reached.\"}")));
        SMARTCAR.stub(SmartcarDouble.attributesOf("access-1", "v-permission").willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "application/json").withBody("{\"type\":\"PERMISSION\",\"description\":\"read_vehicle_info\"}")));
        SMARTCAR.connect(HTTP, "user-1", "customer-1", "access-1", "refresh-1");

        assertThat(runSync()).containsEntry("vehiclesSubscribed", 1).containsEntry("failures", 2);
        runSync();

        assertThat(status("v-ok")).isEqualTo("SUBSCRIBED");
        Map<String, Object> billing = db().queryForMap("SELECT * FROM vehicle WHERE vehicle_id = 'v-billing'");
        assertThat(billing.get("SUBSCRIPTION_STATUS")).isEqualTo("FAILED");
        assertThat((String) billing.get("LAST_ERROR")).contains("HTTP 430 BILLING VEHICLE_LIMIT");
        Map<String, Object> permission = db().queryForMap("SELECT * FROM vehicle WHERE vehicle_id = 'v-permission'");
        assertThat(permission.get("SUBSCRIPTION_STATUS")).isEqualTo("FAILED");
        assertThat((String) permission.get("LAST_ERROR")).contains("HTTP 403 PERMISSION");
        assertThat(SMARTCAR.count(subscribeCalls("v-billing"))).as("not retried by the second run").isEqualTo(1);
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles/v-permission")))).isEqualTo(1);
        assertThat(SMARTCAR.count(subscribeCalls("v-permission"))).isZero();
        assertThat(BridgeHttp.metrics()).contains("bridge_smartcar_sync_failures_total{reason=\"billing\"}")
                .contains("bridge_smartcar_sync_failures_total{reason=\"permission\"}");
    }

    @Test
    void a5xxOrATimeoutIsTriedAgainByALaterRunAfterABackoffThatDoubles() {
        SMARTCAR.owner("access-1", vehicles("v-5xx", "VW ID.3", "v-ok", "VW ID.4", "v-slow", "VW ID.7"), 2023);
        SMARTCAR.stub(SmartcarDouble.subscription("access-1", "v-5xx").willReturn(aResponse().withStatus(503)));
        SMARTCAR.stub(SmartcarDouble.attributesOf("access-1", "v-slow").willReturn(okJson("{\"make\":\"VW\",\"model\":\"ID.7\",\"year\":2023}")
                .withFixedDelay(3_000)));
        SMARTCAR.connect(HTTP, "user-1", "customer-1", "access-1", "refresh-1");

        assertThat(runSync()).containsEntry("vehiclesSubscribed", 1).containsEntry("failures", 2);

        assertThat(status("v-ok")).isEqualTo("SUBSCRIBED");
        Map<String, Object> failing = db().queryForMap("SELECT * FROM vehicle WHERE vehicle_id = 'v-5xx'");
        assertThat(failing.get("SUBSCRIPTION_STATUS")).isEqualTo("NONE");
        assertThat(failing.get("FAILURE_COUNT")).isEqualTo(1);
        assertThat((String) failing.get("LAST_ERROR")).contains("HTTP 503");
        assertThat(instant(failing.get("NEXT_ATTEMPT_AT"))).isCloseTo(Instant.now().plus(Duration.ofMinutes(1)), within(10, ChronoUnit.SECONDS));
        Map<String, Object> slow = db().queryForMap("SELECT * FROM vehicle WHERE vehicle_id = 'v-slow'");
        assertThat(slow.get("SUBSCRIPTION_STATUS")).isEqualTo("NONE");
        assertThat((String) slow.get("LAST_ERROR")).contains("no answer in time");
        assertThat(SMARTCAR.count(subscribeCalls("v-5xx"))).as("a 503 is not retried by the HTTP client").isEqualTo(1);
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles/v-slow")))).isEqualTo(1);

        runSync();
        assertThat(SMARTCAR.count(subscribeCalls("v-5xx"))).as("not before the backoff has passed").isEqualTo(1);

        SMARTCAR.attributes("access-1", "v-slow", "VW", "ID.7", 2023);
        db().update("UPDATE vehicle SET next_attempt_at = ? WHERE next_attempt_at IS NOT NULL", OffsetDateTime.now().minusSeconds(1));
        runSync();
        Map<String, Object> again = db().queryForMap("SELECT * FROM vehicle WHERE vehicle_id = 'v-5xx'");
        assertThat(again.get("FAILURE_COUNT")).isEqualTo(2);
        assertThat(instant(again.get("NEXT_ATTEMPT_AT"))).isCloseTo(Instant.now().plus(Duration.ofMinutes(2)), within(10, ChronoUnit.SECONDS));

        SMARTCAR.subscribe("access-1", "v-5xx");
        db().update("UPDATE vehicle SET next_attempt_at = ? WHERE next_attempt_at IS NOT NULL", OffsetDateTime.now().minusSeconds(1));
        runSync();

        assertThat(db().queryForList("SELECT DISTINCT subscription_status FROM vehicle", String.class)).containsExactly("SUBSCRIBED");
        assertThat(db().queryForObject("SELECT failure_count FROM vehicle WHERE vehicle_id = 'v-5xx'", Integer.class)).isZero();
        assertThat(BridgeHttp.metrics()).contains("bridge_smartcar_sync_failures_total{reason=\"server_error\"}")
                .contains("bridge_smartcar_sync_failures_total{reason=\"timeout\"}");
    }

    @Test
    void aConnectionWhoseListingFailsBacksOffWithoutStoppingTheOthers() {
        SMARTCAR.connect(HTTP, "user-a", "customer-a", "access-a", "refresh-a");
        SMARTCAR.connect(HTTP, "user-b", "customer-b", "access-b", "refresh-b");
        SMARTCAR.stub(SmartcarDouble.vehiclesPage("access-a", 0).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        SMARTCAR.owner("access-b", vehicles("v-b", "MG 4"), 2023);

        assertThat(runSync()).containsEntry("connectionsSynced", 1).containsEntry("vehiclesSubscribed", 1);

        Map<String, Object> failed = connection("user-a");
        assertThat(failed.get("FAILURE_COUNT")).isEqualTo(1);
        assertThat((String) failed.get("LAST_ERROR")).contains("vehicles");
        assertThat(instant(failed.get("NEXT_SYNC_AT"))).isCloseTo(Instant.now().plus(Duration.ofMinutes(1)), within(10, ChronoUnit.SECONDS));
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles")).withHeader("Authorization", equalTo("Bearer access-a"))))
                .as("no automatic resend after a reset connection").isEqualTo(1);

        runSync();
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo("/v2.0/vehicles")).withHeader("Authorization", equalTo("Bearer access-a"))))
                .as("backing off").isEqualTo(1);
    }

    @Test
    void aMalformedOrEmptyAnswerIsLoggedAndSkippedAndNeverMarksVehiclesGone() {
        SMARTCAR.owner("access-a", vehicles("a-1", "SKODA Enyaq"), 2022);
        SMARTCAR.connect(HTTP, "user-a", "customer-a", "access-a", "refresh-a");
        runSync();
        assertThat(status("a-1")).isEqualTo("SUBSCRIBED");

        SMARTCAR.stub(SmartcarDouble.vehiclesPage("access-a", 0).willReturn(aResponse().withStatus(200)));
        SMARTCAR.owner("access-b", vehicles("b-1", "CUPRA Born", "b-2", "SEAT Mii"), 2021);
        SMARTCAR.stub(SmartcarDouble.attributesOf("access-b", "b-1").willReturn(okJson("{\"make\":\"CUPRA\",\"model\":\"Born\"}")));
        SMARTCAR.stub(SmartcarDouble.attributesOf("access-b", "b-2").willReturn(okJson("this is not json")));
        SMARTCAR.connect(HTTP, "user-b", "customer-b", "access-b", "refresh-b");

        Map<String, Object> summary = runSync();

        assertThat(summary).containsEntry("failures", 3).containsEntry("vehiclesSubscribed", 0);
        assertThat(status("a-1")).as("an empty listing is no listing: nothing is gone").isEqualTo("SUBSCRIBED");
        assertThat((String) connection("user-a").get("LAST_ERROR")).contains("malformed answer (empty body)");
        assertThat((String) db().queryForObject("SELECT last_error FROM vehicle WHERE vehicle_id = 'b-1'", String.class)).contains("no year");
        assertThat((String) db().queryForObject("SELECT last_error FROM vehicle WHERE vehicle_id = 'b-2'", String.class)).contains("not a JSON object");
        assertThat(SMARTCAR.count(subscribeCalls("b-1"))).as("not subscribed without its attributes").isZero();
        assertThat(BridgeHttp.metrics()).contains("bridge_smartcar_sync_failures_total{reason=\"malformed_response\"}");
    }

    @Test
    void aVehicleGoneFromItsConnectionIsMarkedGoneAndUnsubscribedWithTheManagementToken() {
        double unsubscriptionsBefore = BridgeHttp.metric("bridge_smartcar_unsubscriptions_total");
        SMARTCAR.owner("access-1", vehicles("v-stays", "HYUNDAI Ioniq 5", "v-sold", "HYUNDAI Kona"), 2022);
        SMARTCAR.unsubscribe("v-sold");
        SMARTCAR.connect(HTTP, "user-1", "customer-1", "access-1", "refresh-1");
        runSync();

        SMARTCAR.vehicles("access-1", "v-stays");
        assertThat(runSync()).containsEntry("vehiclesGone", 1);
        runSync();

        assertThat(status("v-stays")).isEqualTo("SUBSCRIBED");
        Map<String, Object> gone = db().queryForMap("SELECT * FROM vehicle WHERE vehicle_id = 'v-sold'");
        assertThat(gone.get("SUBSCRIPTION_STATUS")).isEqualTo("GONE");
        assertThat(gone.get("GONE_AT")).isNotNull();
        assertThat(SMARTCAR.count(deleteRequestedFor(urlPathEqualTo("/v2.0/vehicles/v-sold/webhooks/" + SmartcarDouble.WEBHOOK_ID))
                .withHeader("Authorization", equalTo("Bearer " + SmartcarDouble.MANAGEMENT_TOKEN)))).isEqualTo(1);
        assertThat(SMARTCAR.count(deleteRequestedFor(anyUrl()))).isEqualTo(1);
        assertThat(BridgeHttp.metric("bridge_smartcar_unsubscriptions_total")).isEqualTo(unsubscriptionsBefore + 1);
    }

    @Test
    void twoRunsAtOnceSubscribeEveryVehicleExactlyOnceEvenAVehicleTwoConnectionsShare() throws Exception {
        SMARTCAR.owner("access-a", vehicles("a-1", "TESLA Model 3", "shared", "TESLA Model Y"), 2022);
        SMARTCAR.owner("access-b", vehicles("b-1", "BMW iX", "shared", "TESLA Model Y"), 2022);
        // slow subscriptions, so that the two runs overlap
        SMARTCAR.stub(post(urlPathMatching("/v2.0/vehicles/.*/webhooks/.*")).willReturn(okJson("{}").withFixedDelay(200)));
        SMARTCAR.connect(HTTP, "user-a", "customer-a", "access-a", "refresh-a");
        SMARTCAR.connect(HTTP, "user-b", "customer-b", "access-b", "refresh-b");

        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<Map<String, Object>>> runs = List.of(
                    CompletableFuture.supplyAsync(() -> await(start, this::runSync), pool),
                    CompletableFuture.supplyAsync(() -> await(start, this::runSync), pool));
            start.countDown();
            List<Map<String, Object>> summaries = runs.stream().map(CompletableFuture::join).toList();

            assertThat(summaries.stream().mapToInt(summary -> (Integer) summary.get("vehiclesSubscribed")).sum()).isEqualTo(3);
            assertThat(summaries.stream().mapToInt(summary -> (Integer) summary.get("connectionsSynced")).sum())
                    .as("each connection is claimed by one run").isEqualTo(2);
        } finally {
            pool.shutdownNow();
        }
        assertThat(SMARTCAR.count(subscribeCalls("shared"))).isEqualTo(1);
        assertThat(SMARTCAR.count(subscribeCalls("a-1"))).isEqualTo(1);
        assertThat(SMARTCAR.count(subscribeCalls("b-1"))).isEqualTo(1);
        assertThat(db().queryForList("SELECT DISTINCT subscription_status FROM vehicle", String.class)).containsExactly("SUBSCRIBED");
    }

    @Test
    void ofManyClaimsOnOneVehicleExactlyOneWinsAndAnExpiredClaimCanBeTakenOver() throws Exception {
        db().update("INSERT INTO vehicle (vehicle_id, updated_at) VALUES ('contended', CURRENT_TIMESTAMP)");
        VehicleStore store = new VehicleStore(new NamedParameterJdbcTemplate(db().getDataSource()));
        Instant now = Instant.now();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<Boolean>> claims = IntStream.range(0, 8)
                    .mapToObj(i -> CompletableFuture.supplyAsync(() -> await(start,
                            () -> store.claim("contended", "instance-" + i, now, now.plusSeconds(60)).isPresent()), pool))
                    .toList();
            start.countDown();

            assertThat(claims.stream().map(CompletableFuture::join).filter(Boolean::booleanValue)).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.claim("contended", "late", now.plusSeconds(30), now.plusSeconds(90))).as("the claim still runs").isEmpty();
        assertThat(store.claim("contended", "late", now.plusSeconds(61), now.plusSeconds(120))).as("the claim ran out").isPresent();
    }

    private Map<String, Object> runSync() {
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = camel.createProducerTemplate().requestBody(Smartcar.SYNC_ENDPOINT, null, Map.class);
        return summary;
    }

    private void expireAccessTokenSoon(String userId) {
        db().update("UPDATE smartcar_connection SET access_expires_at = ? WHERE user_id = ?", OffsetDateTime.now().plusMinutes(1), userId);
    }

    private String status(String vehicleId) {
        return db().queryForObject("SELECT subscription_status FROM vehicle WHERE vehicle_id = ?", String.class, vehicleId);
    }

    private Map<String, Object> connection(String userId) {
        return db().queryForMap("SELECT * FROM smartcar_connection WHERE user_id = ?", userId);
    }

    private static RequestPatternBuilder subscribeCalls(String vehicleId) {
        return postRequestedFor(urlPathEqualTo("/v2.0/vehicles/" + vehicleId + "/webhooks/" + SmartcarDouble.WEBHOOK_ID));
    }

    /** Vehicle id, then "MAKE Model", alternately. */
    private static Map<String, String> vehicles(String... idsAndNames) {
        Map<String, String> vehicles = new LinkedHashMap<>();
        for (int i = 0; i < idsAndNames.length; i += 2) {
            vehicles.put(idsAndNames[i], idsAndNames[i + 1]);
        }
        return vehicles;
    }

    /** A timestamp column of a queried row: H2 gives an OffsetDateTime, PostgreSQL a Timestamp. */
    private static Instant instant(Object timestamp) {
        return timestamp instanceof OffsetDateTime offset ? offset.toInstant() : ((Timestamp) timestamp).toInstant();
    }

    private static <T> T await(CountDownLatch start, Supplier<T> work) {
        try {
            start.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return work.get();
    }

}
