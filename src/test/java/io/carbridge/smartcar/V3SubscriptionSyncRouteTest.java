package io.carbridge.smartcar;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.carbridge.testing.SmartcarDouble.MANAGEMENT_API;
import static io.carbridge.testing.SmartcarDouble.VEHICLE_API;
import static io.carbridge.testing.SmartcarDouble.connection;
import static io.carbridge.testing.SmartcarDouble.subscriptionsRequestedFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.LogCapture;
import io.carbridge.testing.SmartcarDouble;
import io.carbridge.testing.SmartcarDouble.Connection;
import io.carbridge.testing.SmartcarDouble.Paging;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The subscription sync on Smartcar API v3: what both versions do ({@link SubscriptionSyncRouteTest}), and what only v3
 * does: one application token (a token left from an earlier test is refused once, as Smartcar refuses an expired one),
 * one listing of every connection of the application in every paging shape Smartcar's sources show, claimed by one run
 * at a time; the webhook that may subscribe every vehicle by itself; a Management API subscription per new vehicle (409
 * counts), an unsubscribe by subscription id per vehicle whose connection is gone.
 */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            SmartcarDouble.V3_PROPERTIES,
            BridgeTest.TEST_PROPERTIES,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = "bridge.db.url=jdbc:h2:mem:v3-subscription-sync-route-test")
class V3SubscriptionSyncRouteTest extends SubscriptionSyncRouteTest {

    private static final RequestPatternBuilder TOKEN_REQUESTS =
            postRequestedFor(urlPathEqualTo(SmartcarDouble.IAM_TOKEN));

    V3SubscriptionSyncRouteTest() {
        super(SMARTCAR.v3());
    }

    @Test
    void oneRunMakesExactlyTheCallsNeededWithOneTokenAndRecordsEachVehiclesConnection() {
        application(
                connection("v-1", "user-1", "TESLA Model 3", 2022),
                connection("v-2", "user-1", "FORD Mustang", 2023),
                connection("v-3", "user-2", "BMW i4", 2024));
        // user-1 connected through the bridge; user-2 through another front end, and is subscribed all the same
        assertThat(SMARTCAR.connectV3(HTTP, "user-1", "customer-1").status()).isEqualTo(200);

        Map<String, Object> summary = runSync();

        assertThat(summary)
                .containsEntry("connectionsSynced", 3)
                .containsEntry("vehiclesSubscribed", 3)
                .containsEntry("failures", 0)
                .containsEntry("webhookSubscribesEveryVehicle", false);
        assertThat(db().queryForList(
                                "SELECT vehicle_id || ' | ' || user_id || ' | ' || connection_id FROM vehicle ORDER BY vehicle_id",
                                String.class))
                .containsExactly(
                        "v-1 | user-1 | conn-v-1-user-1",
                        "v-2 | user-1 | conn-v-2-user-1",
                        "v-3 | user-2 | conn-v-3-user-2");
        // one token (form body, client credentials), the webhook, two pages of connections, one subscription per
        // vehicle
        assertThat(SMARTCAR.count(TOKEN_REQUESTS)).isEqualTo(1);
        assertThat(SMARTCAR.count(withToken(
                        getRequestedFor(urlPathEqualTo(MANAGEMENT_API + "/webhooks/" + SmartcarDouble.WEBHOOK_ID)))))
                .isEqualTo(1);
        assertThat(SMARTCAR.count(withToken(connectionsPage(1)))).isEqualTo(1);
        assertThat(SMARTCAR.count(withToken(connectionsPage(2)))).isEqualTo(1);
        for (String[] vehicleAndUser : new String[][] {{"v-1", "user-1"}, {"v-2", "user-1"}, {"v-3", "user-2"}}) {
            assertThat(SMARTCAR.count(withToken(postRequestedFor(urlPathEqualTo(MANAGEMENT_API + "/subscriptions")))
                            .withHeader("Content-Type", equalTo("application/json"))
                            .withRequestBody(
                                    equalToJson("{\"data\":{\"attributes\":{\"webhookId\":\"wh-test-1\",\"userId\":\""
                                            + vehicleAndUser[1] + "\",\"vehicleId\":\"" + vehicleAndUser[0]
                                            + "\"}}}"))))
                    .as(vehicleAndUser[0])
                    .isEqualTo(1);
        }
        assertThat(SMARTCAR.count(withToken(anyRequestedFor(anyUrl()))))
                .as("every API call with the one token")
                .isEqualTo(6);
        assertThat(SMARTCAR.count(getRequestedFor(urlPathMatching(VEHICLE_API + "/vehicles.*"))))
                .as("make, model, year come with the listing")
                .isZero();
        assertThat(SMARTCAR.server().findAllUnmatchedRequests()).isEmpty();
    }

    @Test
    void theTokenIsKeptBetweenRunsAndAVehicleANewUserConnectedIsSubscribedByTheNextRun() {
        String token = application(connection("v-1", "user-1", "KIA EV6", 2023));
        runSync();
        runSync();

        assertThat(SMARTCAR.count(TOKEN_REQUESTS))
                .as("the token is kept between runs")
                .isEqualTo(1);

        SMARTCAR.connections(
                connection("v-1", "user-1", "KIA EV6", 2023), connection("v-2", "user-3", "VOLVO EX30", 2024));
        assertThat(runSync()).containsEntry("vehiclesSubscribed", 1);

        assertThat(SMARTCAR.count(subscriptionsRequestedFor("v-1"))).isEqualTo(1);
        assertThat(SMARTCAR.count(subscriptionsRequestedFor("v-2"))).isEqualTo(1);
        assertThat(vehicle("v-2"))
                .containsEntry("USER_ID", "user-3")
                .containsEntry("MAKE", "VOLVO")
                .containsEntry("SUBSCRIPTION_STATUS", "SUBSCRIBED");
        assertThat(SMARTCAR.count(TOKEN_REQUESTS)).isEqualTo(1);
        assertThat(SMARTCAR.count(anyRequestedFor(anyUrl()).withHeader("Authorization", equalTo("Bearer " + token))))
                .as("webhook, listing and subscriptions of three runs")
                .isEqualTo(8);
    }

    @ParameterizedTest
    @EnumSource(Paging.class)
    void pagingIsFollowedToTheEndInEveryShapeSmartcarsSourcesShow(Paging paging) {
        Connection[] five = {
            connection("p-1", "user-1", "A a", 2020),
            connection("p-2", "user-1", "B b", 2020),
            connection("p-3", "user-2", "C c", 2021),
            connection("p-4", "user-2", "D d", 2021),
            connection("p-5", "user-3", "E e", 2022)
        };
        application(five);
        SMARTCAR.connections(paging, five);

        assertThat(runSync())
                .containsEntry("connectionsSynced", 5)
                .containsEntry("vehiclesSubscribed", 5)
                .containsEntry("failures", 0);

        int pages = paging == Paging.BARE_ARRAY ? 4 : 3;
        for (int number = 1; number <= pages; number++) {
            assertThat(SMARTCAR.count(withToken(connectionsPage(number))))
                    .as("page " + number)
                    .isEqualTo(1);
        }
        assertThat(SMARTCAR.count(withToken(getRequestedFor(urlPathEqualTo(VEHICLE_API + "/connections")))))
                .isEqualTo(pages);
        assertThat(listing().get("LAST_ERROR")).as("a complete listing").isNull();

        SMARTCAR.connections(paging, five[0], five[1], five[2], five[3]);
        SMARTCAR.subscriptionsOf("p-5", "sub-p-5");
        SMARTCAR.subscriptionDeleted("sub-p-5", false);
        assertThat(runSync())
                .as("a complete listing in this shape marks the missing vehicle gone")
                .containsEntry("vehiclesGone", 1);
        assertThat(status("p-5")).isEqualTo("GONE");
    }

    @Test
    void aVehicleWhoseConnectionIsRemovedIsUnsubscribedByItsSubscriptionIdAndA404MeansAlreadyGone() {
        double unsubscriptionsBefore = BridgeHttp.metric("bridge_smartcar_unsubscriptions_total");
        Connection stays = connection("v-stays", "user-1", "HYUNDAI Ioniq 5", 2022);
        application(
                stays,
                connection("v-sold", "user-1", "HYUNDAI Kona", 2021),
                connection("v-gone", "user-2", "MG 4", 2023),
                connection("v-never", "user-3", "FIAT 500e", 2024));
        runSync();
        SMARTCAR.subscriptionsOf("v-sold", "sub-sold");
        SMARTCAR.subscriptionDeleted("sub-sold", false);
        SMARTCAR.subscriptionsOf("v-gone", "sub-gone");
        SMARTCAR.subscriptionDeleted("sub-gone", true);
        SMARTCAR.subscriptionsOf("v-never");
        SMARTCAR.connections(stays);

        Map<String, Object> summary = runSync();
        runSync();

        assertThat(summary).containsEntry("vehiclesGone", 3).containsEntry("failures", 0);
        assertThat(status("v-stays")).isEqualTo("SUBSCRIBED");
        for (String gone : List.of("v-sold", "v-gone", "v-never")) {
            assertThat(vehicle(gone))
                    .as(gone)
                    .containsEntry("SUBSCRIPTION_STATUS", "GONE")
                    .containsEntry("LAST_ERROR", null);
            assertThat(SMARTCAR.count(withToken(getRequestedFor(urlPathEqualTo(MANAGEMENT_API + "/subscriptions"))
                            .withQueryParam("filter[vehicleId]", equalTo(gone))
                            .withQueryParam("filter[webhookId]", equalTo(SmartcarDouble.WEBHOOK_ID)))))
                    .as(gone)
                    .isEqualTo(1);
        }
        assertThat(SMARTCAR.count(
                        withToken(deleteRequestedFor(urlPathEqualTo(MANAGEMENT_API + "/subscriptions/sub-sold")))))
                .isEqualTo(1);
        assertThat(SMARTCAR.count(
                        withToken(deleteRequestedFor(urlPathEqualTo(MANAGEMENT_API + "/subscriptions/sub-gone")))))
                .isEqualTo(1);
        assertThat(SMARTCAR.count(deleteRequestedFor(anyUrl())))
                .as("nothing else deleted, nothing deleted twice")
                .isEqualTo(2);
        assertThat(BridgeHttp.metric("bridge_smartcar_unsubscriptions_total")).isEqualTo(unsubscriptionsBefore + 3);

        SMARTCAR.connections(stays, connection("v-sold", "user-4", "HYUNDAI Kona", 2021));
        assertThat(runSync())
                .as("a vehicle connected again is subscribed again")
                .containsEntry("vehiclesSubscribed", 1);
        assertThat(vehicle("v-sold"))
                .containsEntry("SUBSCRIPTION_STATUS", "SUBSCRIBED")
                .containsEntry("USER_ID", "user-4");
    }

    @Test
    void aListingThatCannotBeReadInFullNeverMarksAVehicleGone() {
        Connection[] three = {
            connection("m-1", "user-1", "SKODA Enyaq", 2022),
            connection("m-2", "user-1", "CUPRA Born", 2021),
            connection("m-3", "user-2", "SEAT Mii", 2020)
        };
        application(three);
        runSync();

        // an empty 2xx page: the listing fails, with a backoff
        SMARTCAR.stub(SMARTCAR.connectionsPage(2).willReturn(aResponse().withStatus(200)));
        assertThat(runSync()).containsEntry("failures", 1).containsEntry("vehiclesGone", 0);
        Map<String, Object> failed = listing();
        assertThat((String) failed.get("LAST_ERROR")).contains("malformed answer (empty body)");
        assertThat(failed.get("FAILURE_COUNT")).isEqualTo(1);
        assertThat(instant(failed.get("NEXT_SYNC_AT")))
                .isCloseTo(Instant.now().plus(Duration.ofMinutes(1)), within(10, ChronoUnit.SECONDS));
        int listings = SMARTCAR.count(getRequestedFor(urlPathEqualTo(VEHICLE_API + "/connections")));
        runSync();
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo(VEHICLE_API + "/connections"))))
                .as("backing off")
                .isEqualTo(listings);

        // a connection without a vehicle id: the rest is recorded and subscribed, nothing is gone
        db().update("UPDATE connection_listing SET next_sync_at = NULL");
        SMARTCAR.stub(
                SMARTCAR.connectionsPage(2)
                        .willReturn(
                                okJson(
                                        "{\"data\":[{\"id\":\"conn-broken\",\"type\":\"connection\","
                                                + "\"attributes\":{},\"relationships\":{}}],\"meta\":{\"totalCount\":3},\"links\":{\"next\":null}}")));
        SMARTCAR.stub(SMARTCAR.connectionsPage(1)
                .willReturn(okJson("{\"data\":[" + SmartcarDouble.connectionJson(three[0]) + ","
                        + SmartcarDouble.connectionJson(connection("m-4", "user-3", "DACIA Spring", 2023))
                        + "],\"meta\":{\"totalCount\":3},"
                        + "\"links\":{\"next\":\"/v3/connections?page[number]=2&page[size]=2\"}}")));
        Map<String, Object> incomplete = runSync();

        assertThat(incomplete)
                .containsEntry("vehiclesGone", 0)
                .containsEntry("vehiclesSubscribed", 1)
                .containsEntry("failures", 1);
        assertThat(List.of(status("m-2"), status("m-3"))).containsOnly("SUBSCRIBED");
        assertThat(status("m-4")).isEqualTo("SUBSCRIBED");
        assertThat((String) listing().get("LAST_ERROR"))
                .contains("listing incomplete")
                .contains("conn-broken");
        assertThat(listing().get("NEXT_SYNC_AT"))
                .as("what could be read was handled: no backoff")
                .isNull();

        // fewer connections than meta.totalCount announced
        SMARTCAR.connections(three[0]);
        SMARTCAR.stub(SMARTCAR.connectionsPage(1)
                .willReturn(okJson("{\"data\":[" + SmartcarDouble.connectionJson(three[0])
                        + "],\"meta\":{\"totalCount\":4},\"links\":{\"next\":null}}")));
        assertThat(runSync()).containsEntry("vehiclesGone", 0);
        assertThat(db().queryForList("SELECT DISTINCT subscription_status FROM vehicle", String.class))
                .containsExactly("SUBSCRIBED");
        assertThat((String) listing().get("LAST_ERROR")).contains("read 1 connections of the 4");
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo(MANAGEMENT_API + "/subscriptions"))))
                .isZero();
        assertThat(BridgeHttp.metrics()).contains("bridge_smartcar_sync_failures_total{reason=\"malformed_response\"}");

        // links.next pointing back at a page already read, one of whose items cannot be read: a paging loop, caught at
        // once
        db().update("UPDATE connection_listing SET next_sync_at = NULL");
        String looping = "{\"data\":[" + SmartcarDouble.connectionJson(three[0])
                + ",{\"id\":\"conn-broken\"}],\"meta\":{\"totalCount\":9},"
                + "\"links\":{\"next\":\"/v3/connections?page[number]=1&page[size]=2\"}}";
        SMARTCAR.stub(SMARTCAR.connectionsPage(1).willReturn(okJson(looping)));
        int before = SMARTCAR.count(getRequestedFor(urlPathEqualTo(VEHICLE_API + "/connections")));
        assertThat(runSync()).containsEntry("failures", 1).containsEntry("vehiclesGone", 0);
        assertThat(SMARTCAR.count(getRequestedFor(urlPathEqualTo(VEHICLE_API + "/connections"))))
                .isEqualTo(before + 2);
        assertThat((String) listing().get("LAST_ERROR")).contains("page 2 repeats the connections already read");
    }

    @Test
    void a401FetchesANewApplicationTokenOnceAndTheCallIsMadeAgainWithIt() {
        String first = application(connection("v-1", "user-1", "AUDI Q4", 2022));
        runSync();
        assertThat(SMARTCAR.count(TOKEN_REQUESTS)).isEqualTo(1);

        // Smartcar no longer takes the first token: the next run is refused once, fetches a second and goes on with it
        String second =
                application(connection("v-1", "user-1", "AUDI Q4", 2022), connection("v-2", "user-1", "AUDI Q6", 2025));
        Map<String, Object> summary = runSync();

        assertThat(summary).containsEntry("vehiclesSubscribed", 1).containsEntry("failures", 0);
        assertThat(SMARTCAR.count(TOKEN_REQUESTS)).isEqualTo(2);
        assertThat(SMARTCAR.count(anyRequestedFor(anyUrl()).withHeader("Authorization", equalTo("Bearer " + first))))
                .as("3 calls of the first run, then one refused")
                .isEqualTo(4);
        assertThat(SMARTCAR.count(postRequestedFor(urlPathEqualTo(MANAGEMENT_API + "/subscriptions"))
                        .withHeader("Authorization", equalTo("Bearer " + second))))
                .isEqualTo(1);
        assertThat(second).isNotEqualTo(first);
    }

    @Test
    void a401ToTheNewTokenTooIsRecordedOnTheListingWithABackoff() {
        application(connection("v-1", "user-1", "AUDI Q4", 2022));
        runSync();
        SMARTCAR.stub(SMARTCAR.webhookRequest()
                .willReturn(SmartcarDouble.v3Error(401, "AUTHENTICATION", null, "Unauthorized", "no", null)));
        int tokensBefore = SMARTCAR.count(TOKEN_REQUESTS);
        int webhookReadsBefore =
                SMARTCAR.count(withToken(getRequestedFor(urlPathMatching(MANAGEMENT_API + "/webhooks/.*"))));

        assertThat(runSync()).containsEntry("failures", 1);

        assertThat(SMARTCAR.count(TOKEN_REQUESTS)).as("one new token, once").isEqualTo(tokensBefore + 1);
        assertThat(SMARTCAR.count(withToken(getRequestedFor(urlPathMatching(MANAGEMENT_API + "/webhooks/.*")))))
                .as("the refused call and its one retry")
                .isEqualTo(webhookReadsBefore + 2);
        Map<String, Object> listing = listing();
        assertThat((String) listing.get("LAST_ERROR")).contains("HTTP 401 AUTHENTICATION Unauthorized");
        assertThat(listing.get("FAILURE_COUNT")).isEqualTo(1);
        assertThat(instant(listing.get("NEXT_SYNC_AT")))
                .isCloseTo(Instant.now().plus(Duration.ofMinutes(1)), within(10, ChronoUnit.SECONDS));
        assertThat(listing.get("CLAIMED_BY")).as("the claim is released").isNull();
        assertThat(SMARTCAR.count(withToken(getRequestedFor(urlPathEqualTo(VEHICLE_API + "/connections")))))
                .as("only the first run listed")
                .isEqualTo(1);
        assertThat(BridgeHttp.metrics()).contains("bridge_smartcar_sync_failures_total{reason=\"unauthorized\"}");
    }

    @Test
    void credentialsTheTokenEndpointRefusesAreRecordedWithABackoffAndTheTokenIsNeverShownAnywhere() {
        String token = application(connection("v-1", "user-1", "NISSAN Leaf", 2019));
        SMARTCAR.stub(SmartcarDouble.applicationTokenRequest()
                .willReturn(aResponse()
                        .withStatus(401)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":\"invalid_client\",\"error_description\":\"bad secret\"}")));

        try (LogCapture logs = LogCapture.start()) {
            assertThat(runSync()).containsEntry("failures", 1).containsEntry("vehiclesSubscribed", 0);

            Map<String, Object> listing = listing();
            assertThat((String) listing.get("LAST_ERROR")).contains("HTTP 401 invalid_client bad secret");
            assertThat(instant(listing.get("NEXT_SYNC_AT")))
                    .isCloseTo(Instant.now().plus(Duration.ofMinutes(1)), within(10, ChronoUnit.SECONDS));
            assertThat(BridgeHttp.metrics())
                    .contains("bridge_smartcar_sync_failures_total{reason=\"credentials_refused\"}")
                    .contains("bridge_smartcar_application_tokens_total{outcome=\"failed\"}");

            // the credentials are fixed: the token is fetched and used, and appears in no record, answer, metric or log
            // line
            SMARTCAR.v3Application();
            SMARTCAR.webhook(false, true);
            SMARTCAR.connections(connection("v-1", "user-1", "NISSAN Leaf", 2019));
            SMARTCAR.subscriptionsAccepted();
            SMARTCAR.stub(SMARTCAR.subscriptionOf("v-1")
                    .willReturn(SmartcarDouble.v3Error(503, "SERVER", "INTERNAL", "Server error", "x", "RETRY_LATER")));
            db().update("UPDATE connection_listing SET next_sync_at = NULL");
            String used = SMARTCAR.applicationToken();
            assertThat(runSync()).containsEntry("failures", 1);

            assertThat(SMARTCAR.count(anyRequestedFor(anyUrl()).withHeader("Authorization", equalTo("Bearer " + used))))
                    .isEqualTo(3);
            for (String secret : List.of(token, used, SmartcarDouble.V3_CLIENT_SECRET)) {
                assertThat(logs.lines()).as("log lines").noneMatch(line -> line.contains(secret));
                assertThat(HTTP.get("/admin/connections", ADMIN).body()).doesNotContain(secret);
                assertThat(HTTP.get("/admin/vehicles", ADMIN).body()).doesNotContain(secret);
                assertThat(BridgeHttp.metrics()).doesNotContain(secret);
                assertThat(db().queryForList(
                                        "SELECT last_error FROM vehicle UNION ALL SELECT last_error FROM connection_listing",
                                        String.class))
                        .noneMatch(error -> error != null && error.contains(secret));
            }
            assertThat(logs.containing("application token fetched")).isNotEmpty();
        }
    }

    @Test
    void a429ToTheListingPausesWithoutABackoffOfItsOwn() {
        application(connection("r-1", "user-1", "TESLA Model 3", 2021));
        SMARTCAR.stub(SMARTCAR.connectionsPage(1)
                .willReturn(SmartcarDouble.v2Error(429, "RATE_LIMIT", "SMARTCAR_API", "Too many")
                        .withHeader("Retry-After", "60")));

        Map<String, Object> summary = runSync();

        assertThat(Instant.parse(String.valueOf(summary.get("pausedUntil"))))
                .isCloseTo(Instant.now().plusSeconds(60), within(10, ChronoUnit.SECONDS));
        Map<String, Object> listing = listing();
        assertThat(listing.get("FAILURE_COUNT")).isEqualTo(0);
        assertThat(listing.get("NEXT_SYNC_AT")).isNull();
        assertThat((String) listing.get("LAST_ERROR")).contains("HTTP 429 RATE_LIMIT SMARTCAR_API");
    }

    @Test
    void a409ToASubscriptionCountsAsSubscribed() {
        application(connection("v-409", "user-1", "VW ID.4", 2023));
        SMARTCAR.stub(SMARTCAR.subscriptionOf("v-409")
                .willReturn(SmartcarDouble.v3Error(
                        409,
                        "CONFLICT",
                        "SUBSCRIPTION_EXISTS",
                        "Conflict",
                        "The vehicle is already subscribed to the webhook",
                        null)));

        assertThat(runSync()).containsEntry("vehiclesSubscribed", 1).containsEntry("failures", 0);

        assertThat(vehicle("v-409"))
                .containsEntry("SUBSCRIPTION_STATUS", "SUBSCRIBED")
                .containsEntry("SUBSCRIBED_BY", "BRIDGE");
    }

    @ParameterizedTest(name = "webhook resource wrapped in data: {0}")
    @ValueSource(booleans = {true, false})
    void aWebhookThatSubscribesEveryVehicleItselfIsLeftToItAndSaidSoOnce(boolean wrapped) {
        application(
                connection("a-1", "user-1", "POLESTAR 2", 2023),
                connection("a-2", "user-2", "POLESTAR 3", 2025),
                connection("a-refused", "user-2", "POLESTAR 4", 2025));
        SMARTCAR.webhook(true, wrapped);
        db().update(
                        "INSERT INTO vehicle (vehicle_id, user_id, connection_id, subscription_status, last_error, updated_at) "
                                + "VALUES ('a-refused', 'user-2', 'conn-a-refused-user-2', 'FAILED', 'HTTP 430 BILLING', CURRENT_TIMESTAMP)");

        try (LogCapture logs = LogCapture.start()) {
            Map<String, Object> first = runSync();
            Map<String, Object> second = runSync();

            assertThat(first)
                    .containsEntry("webhookSubscribesEveryVehicle", true)
                    .containsEntry("vehiclesSubscribedBySmartcar", 2)
                    .containsEntry("vehiclesSubscribed", 0);
            assertThat((String) first.get("note")).contains("subscribes every vehicle by itself");
            assertThat(second).containsEntry("vehiclesSubscribedBySmartcar", 0);
            assertThat(SMARTCAR.count(postRequestedFor(urlPathEqualTo(MANAGEMENT_API + "/subscriptions"))))
                    .as("the bridge subscribes none")
                    .isZero();
            assertThat(db().queryForList(
                                    "SELECT subscription_status || ' ' || subscribed_by FROM vehicle WHERE vehicle_id <> 'a-refused'",
                                    String.class))
                    .containsOnly("SUBSCRIBED SMARTCAR");
            assertThat(vehicle("a-refused"))
                    .as("a refusal stays visible")
                    .containsEntry("SUBSCRIPTION_STATUS", "FAILED");
            assertThat(logs.containing("automatically subscribe all vehicles"))
                    .as("said once")
                    .hasSize(1);
            assertThat(HTTP.get("/admin/connections", ADMIN)
                            .json()
                            .get("connectionListing")
                            .get("webhookSubscribesEveryVehicle")
                            .asBoolean())
                    .isTrue();
            assertThat(HTTP.get("/admin/vehicles", ADMIN)
                            .json()
                            .get("vehicles")
                            .get(0)
                            .get("subscribedBy")
                            .asText())
                    .isEqualTo("SMARTCAR");
        }

        // switched off in the Dashboard: the bridge subscribes them itself (409: Smartcar kept them)
        SMARTCAR.webhook(false, wrapped);
        SMARTCAR.stub(SMARTCAR.subscriptionOf("a-1")
                .willReturn(SmartcarDouble.v3Error(409, "CONFLICT", null, "Conflict", "exists", null)));
        assertThat(runSync()).containsEntry("vehiclesSubscribed", 2);
        assertThat(db().queryForList(
                                "SELECT subscription_status || ' ' || subscribed_by FROM vehicle WHERE vehicle_id <> 'a-refused'",
                                String.class))
                .containsOnly("SUBSCRIBED BRIDGE");
    }

    @Test
    void theClaimsOfAnInstanceThatDiedAreTakenOverOnceTheyExpireAndNotBefore() {
        application(connection("d-1", "user-1", "RENAULT 5", 2025), connection("d-2", "user-1", "RENAULT 4", 2025));
        runSync();
        db().update("UPDATE vehicle SET subscription_status = 'NONE'");
        // a run of an instance that died held the listing and was subscribing d-1
        OffsetDateTime later = OffsetDateTime.now().plusMinutes(4);
        db().update(
                        "UPDATE connection_listing SET claimed_by = 'dead/1', claimed_until = ?, last_synced_at = NULL",
                        later);
        db().update(
                        "UPDATE vehicle SET subscription_status = 'SUBSCRIBING', claimed_by = 'dead/1', claimed_until = ? WHERE vehicle_id = 'd-1'",
                        later);

        assertThat(runSync()).as("the claims still run").containsEntry("connectionsSynced", 0);
        assertThat(SMARTCAR.count(subscriptionsRequestedFor("d-2"))).isEqualTo(1);

        OffsetDateTime expired = OffsetDateTime.now().minusSeconds(1);
        db().update("UPDATE connection_listing SET claimed_until = ?", expired);
        db().update("UPDATE vehicle SET claimed_until = ? WHERE vehicle_id = 'd-1'", expired);
        assertThat(runSync()).containsEntry("connectionsSynced", 2).containsEntry("vehiclesSubscribed", 2);

        assertThat(SMARTCAR.count(subscriptionsRequestedFor("d-1")))
                .as("sent again: the dead instance had claimed it")
                .isEqualTo(2);
        assertThat(db().queryForList("SELECT DISTINCT subscription_status FROM vehicle", String.class))
                .containsExactly("SUBSCRIBED");
    }

    /**
     * A v3 application with these connections, a webhook that does not subscribe by itself, 202 to every subscription.
     */
    private String application(Connection... connections) {
        smartcar.connected(HTTP, connections);
        return SMARTCAR.applicationToken();
    }

    private static RequestPatternBuilder withToken(RequestPatternBuilder request) {
        return request.withHeader("Authorization", equalTo("Bearer " + SMARTCAR.applicationToken()));
    }

    private static RequestPatternBuilder connectionsPage(int number) {
        return getRequestedFor(urlPathEqualTo(VEHICLE_API + "/connections"))
                .withQueryParam("page[number]", equalTo(String.valueOf(number)))
                .withQueryParam("page[size]", equalTo(String.valueOf(SmartcarDouble.PAGE_SIZE)));
    }

    private Map<String, Object> listing() {
        return db().queryForMap("SELECT * FROM connection_listing");
    }
}
