package io.carbridge.smartcar;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.carbridge.testing.SmartcarDouble.connection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.github.tomakehurst.wiremock.http.Request;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.SmartcarDouble;
import io.carbridge.testing.SmartcarDouble.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * The subscription sync (routes/subscription-sync.camel.yaml), what both Smartcar API versions do, against the double
 * answering as the version of the subclass ({@link V2SubscriptionSyncRouteTest}, {@link V3SubscriptionSyncRouteTest},
 * each with what only its version does, and each again on PostgreSQL). Each run is started explicitly on the route the
 * timer starts, so every test knows how many runs happened; the double counts every call, and the outcome is read back
 * from the database. Time passing is simulated by moving the stored due times into the past.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SubscriptionSyncRouteTest extends SmartcarRouteTestSupport {

    /** The double, answering as the API version under test. */
    final SmartcarDouble.Version smartcar;

    SubscriptionSyncRouteTest(SmartcarDouble.Version smartcar) {
        this.smartcar = smartcar;
    }

    @Test
    void oneRunSubscribesEveryConnectedVehicleOnceWithItsMakeModelAndYear() {
        double subscriptionsBefore = BridgeHttp.metric("bridge_smartcar_subscriptions_total");
        smartcar.connected(
                HTTP,
                connection("v-1", "user-1", "TESLA Model 3", 2022),
                connection("v-2", "user-1", "FORD Mustang", 2023),
                connection("v-3", "user-2", "BMW i4", 2024));

        Map<String, Object> summary = runSync();

        assertThat(summary).containsEntry("vehiclesSubscribed", 3).containsEntry("failures", 0);
        assertThat(db().query(
                                "SELECT * FROM vehicle ORDER BY vehicle_id",
                                (rows, i) -> String.join(
                                        " | ",
                                        rows.getString("vehicle_id"),
                                        rows.getString("user_id"),
                                        rows.getString("make"),
                                        rows.getString("model"),
                                        rows.getString("model_year"),
                                        rows.getString("subscription_status"),
                                        rows.getString("subscribed_by"))))
                .containsExactly(
                        "v-1 | user-1 | TESLA | Model 3 | 2022 | SUBSCRIBED | BRIDGE",
                        "v-2 | user-1 | FORD | Mustang | 2023 | SUBSCRIBED | BRIDGE",
                        "v-3 | user-2 | BMW | i4 | 2024 | SUBSCRIBED | BRIDGE");
        for (String vehicle : List.of("v-1", "v-2", "v-3")) {
            assertThat(SMARTCAR.count(smartcar.subscriptionsOf(vehicle)))
                    .as(vehicle)
                    .isEqualTo(1);
        }
        assertThat(BridgeHttp.metric("bridge_smartcar_subscriptions_total")).isEqualTo(subscriptionsBefore + 3);
        assertThat(SMARTCAR.server().findAllUnmatchedRequests()).isEmpty();
    }

    @Test
    void aSecondRunSubscribesNothingAndAVehicleConnectedLaterIsSubscribedByTheNextRun() {
        Connection[] two = {
            connection("v-1", "user-1", "KIA EV6", 2023), connection("v-2", "user-1", "TESLA Model Y", 2023)
        };
        smartcar.connected(HTTP, two);
        runSync();

        Map<String, Object> second = runSync();

        assertThat(second)
                .containsEntry("connectionsSynced", smartcar.connectionsOf(two))
                .containsEntry("vehiclesSubscribed", 0);
        assertThat(SMARTCAR.count(smartcar.subscriptionsOf("v-1"))).isEqualTo(1);
        assertThat(SMARTCAR.count(smartcar.subscriptionsOf("v-2"))).isEqualTo(1);
        assertThat(SMARTCAR.count(smartcar.listings()))
                .as("each run lists the vehicles")
                .isEqualTo(2);

        smartcar.lists(two[0], two[1], connection("v-3", "user-1", "VOLVO EX30", 2024));
        assertThat(runSync()).containsEntry("vehiclesSubscribed", 1);

        assertThat(SMARTCAR.count(smartcar.subscriptionsOf("v-1"))).isEqualTo(1);
        assertThat(SMARTCAR.count(smartcar.subscriptionsOf("v-3"))).isEqualTo(1);
        assertThat(vehicle("v-3"))
                .containsEntry("USER_ID", "user-1")
                .containsEntry("MAKE", "VOLVO")
                .containsEntry("SUBSCRIPTION_STATUS", "SUBSCRIBED");
    }

    @Test
    void aVehicleGoneFromItsListingIsMarkedGoneUnsubscribedOnceAndSubscribedAgainWhenItIsBack() {
        double unsubscriptionsBefore = BridgeHttp.metric("bridge_smartcar_unsubscriptions_total");
        Connection stays = connection("v-stays", "user-1", "HYUNDAI Ioniq 5", 2022);
        Connection sold = connection("v-sold", "user-1", "HYUNDAI Kona", 2021);
        smartcar.connected(HTTP, stays, sold);
        smartcar.unsubscribable("v-sold");
        runSync();

        smartcar.lists(stays);
        assertThat(runSync()).containsEntry("vehiclesGone", 1).containsEntry("failures", 0);
        runSync();

        assertThat(status("v-stays")).isEqualTo("SUBSCRIBED");
        Map<String, Object> gone = vehicle("v-sold");
        assertThat(gone).containsEntry("SUBSCRIPTION_STATUS", "GONE").containsEntry("LAST_ERROR", null);
        assertThat(gone.get("GONE_AT")).isNotNull();
        assertThat(SMARTCAR.count(smartcar.unsubscriptionsOf("v-sold"))).isEqualTo(1);
        assertThat(SMARTCAR.count(deleteRequestedFor(anyUrl())))
                .as("nothing else deleted, nothing deleted twice")
                .isEqualTo(1);
        assertThat(BridgeHttp.metric("bridge_smartcar_unsubscriptions_total")).isEqualTo(unsubscriptionsBefore + 1);

        smartcar.lists(stays, sold);
        assertThat(runSync()).as("a vehicle listed again is subscribed again").containsEntry("vehiclesSubscribed", 1);
        assertThat(status("v-sold")).isEqualTo("SUBSCRIBED");
    }

    @Test
    void a429HonoursRetryAfterOnEveryInstanceStopsTheRunAndTheNextRunGoesOn() {
        Connection[] four = {
            connection("a-1", "user-a", "TESLA Model 3", 2021),
            connection("a-2", "user-a", "TESLA Model Y", 2021),
            connection("a-3", "user-a", "TESLA Model X", 2021),
            connection("b-1", "user-b", "KIA Niro", 2020)
        };
        smartcar.connected(HTTP, four);
        SMARTCAR.stub(smartcar.subscription(four[0])
                .willReturn(SmartcarDouble.v3Error(
                                429, "RATE_LIMIT", "VEHICLE", "Too many requests", "Retry later", "RETRY_LATER")
                        .withHeader("Retry-After", "120")));

        Map<String, Object> summary = runSync();

        Instant pausedUntil = Instant.parse(String.valueOf(summary.get("pausedUntil")));
        assertThat(pausedUntil).isCloseTo(Instant.now().plusSeconds(120), within(10, ChronoUnit.SECONDS));
        assertThat(SMARTCAR.count(smartcar.subscriptionsOf("a-1")))
                .as("a 429 is not retried by the HTTP client")
                .isEqualTo(1);
        assertThat(SMARTCAR.count(smartcar.subscriptionsOf("a-2"))).isZero();
        assertThat(SMARTCAR.count(anyRequestedFor(urlPathMatching(".*/vehicles/a-2(/.*)?"))))
                .as("nothing read of the next vehicle")
                .isZero();
        assertThat(SMARTCAR.count(smartcar.listings()))
                .as("the next listing waits for the next run")
                .isEqualTo(1);
        assertThat(smartcar.subscriptionsOf("a-1").build().match(lastRequest()).isExactMatch())
                .as("the run stops: nothing more is called, not even the next connection's listing")
                .isTrue();
        Map<String, Object> limited = vehicle("a-1");
        assertThat(limited.get("SUBSCRIPTION_STATUS")).isEqualTo("NONE");
        assertThat((String) limited.get("LAST_ERROR")).contains("HTTP 429 RATE_LIMIT VEHICLE Too many requests");
        assertThat(instant(limited.get("NEXT_ATTEMPT_AT"))).isCloseTo(pausedUntil, within(1, ChronoUnit.MILLIS));
        assertThat(instant(db().queryForObject("SELECT paused_until FROM smartcar_rate_limit", OffsetDateTime.class)))
                .isCloseTo(pausedUntil, within(1, ChronoUnit.MILLIS));

        int calls = SMARTCAR.requests();
        assertThat(runSync()).containsEntry("connectionsSynced", 0);
        assertThat(SMARTCAR.requests())
                .as("no call at all before retry-after has passed")
                .isEqualTo(calls);

        // retry-after has passed
        db().update(
                        "UPDATE smartcar_rate_limit SET paused_until = ?",
                        OffsetDateTime.now().minusSeconds(1));
        db().update(
                        "UPDATE vehicle SET next_attempt_at = ?",
                        OffsetDateTime.now().minusSeconds(1));
        SMARTCAR.stub(smartcar.subscription(four[0]).willReturn(aResponse().withStatus(202)));
        Map<String, Object> next = runSync();

        assertThat(next)
                .containsEntry("connectionsSynced", smartcar.connectionsOf(four))
                .containsEntry("vehiclesSubscribed", 4);
        assertThat(db().queryForList("SELECT DISTINCT subscription_status FROM vehicle", String.class))
                .containsExactly("SUBSCRIBED");
        assertThat(SMARTCAR.count(smartcar.subscriptionsOf("a-1"))).isEqualTo(2);
        assertThat(SMARTCAR.count(smartcar.subscriptionsOf("a-2"))).isEqualTo(1);
    }

    @Test
    void a430OrA403MarksTheVehicleFailedWithTheReasonOfEitherErrorBodyAndIsNeverRetried() {
        Connection billing = connection("v-billing", "user-1", "FORD F-150", 2022);
        Connection permission = connection("v-permission", "user-2", "FORD Kuga", 2022);
        smartcar.connected(HTTP, billing, connection("v-ok", "user-1", "FORD Puma", 2022), permission);
        SMARTCAR.stub(smartcar.subscription(billing)
                .willReturn(SmartcarDouble.v2Error(
                        430, "BILLING", "VEHICLE_LIMIT", "The vehicle limit of your plan is reached.")));
        SMARTCAR.stub(smartcar.subscription(permission)
                .willReturn(SmartcarDouble.v3Error(
                        403,
                        "PERMISSION",
                        null,
                        "Permission denied",
                        "The connection lacks read_vehicle_info",
                        "REAUTHENTICATE")));

        assertThat(runSync()).containsEntry("vehiclesSubscribed", 1).containsEntry("failures", 2);
        runSync();

        assertThat(status("v-ok")).isEqualTo("SUBSCRIBED");
        assertThat(vehicle("v-billing")).containsEntry("SUBSCRIPTION_STATUS", "FAILED");
        assertThat((String) vehicle("v-billing").get("LAST_ERROR"))
                .contains(
                        "HTTP 430 BILLING VEHICLE_LIMIT The vehicle limit of your plan is reached. resolution=CONTACT_SUPPORT");
        assertThat(vehicle("v-permission")).containsEntry("SUBSCRIPTION_STATUS", "FAILED");
        assertThat((String) vehicle("v-permission").get("LAST_ERROR"))
                .contains(
                        "HTTP 403 PERMISSION Permission denied The connection lacks read_vehicle_info resolution=REAUTHENTICATE");
        assertThat(SMARTCAR.count(smartcar.subscriptionsOf("v-billing")))
                .as("not retried by the second run")
                .isEqualTo(1);
        assertThat(SMARTCAR.count(smartcar.subscriptionsOf("v-permission"))).isEqualTo(1);
        assertThat(BridgeHttp.metrics())
                .contains("bridge_smartcar_sync_failures_total{reason=\"billing\"}")
                .contains("bridge_smartcar_sync_failures_total{reason=\"permission\"}");
    }

    @Test
    void a5xxOrATimeoutIsTriedAgainByALaterRunAfterABackoffThatDoubles() {
        Connection failing = connection("v-5xx", "user-1", "VW ID.3", 2023);
        Connection slow = connection("v-slow", "user-1", "VW ID.7", 2023);
        smartcar.connected(HTTP, failing, connection("v-ok", "user-1", "VW ID.4", 2023), slow);
        SMARTCAR.stub(smartcar.subscription(failing).willReturn(aResponse().withStatus(503)));
        SMARTCAR.stub(smartcar.subscription(slow)
                .willReturn(aResponse().withStatus(202).withFixedDelay(5_000)));

        assertThat(runSync()).containsEntry("vehiclesSubscribed", 1).containsEntry("failures", 2);

        assertThat(status("v-ok")).isEqualTo("SUBSCRIBED");
        for (String vehicle : List.of("v-5xx", "v-slow")) {
            assertThat(vehicle(vehicle))
                    .as(vehicle)
                    .containsEntry("SUBSCRIPTION_STATUS", "NONE")
                    .containsEntry("FAILURE_COUNT", 1);
            assertThat(instant(vehicle(vehicle).get("NEXT_ATTEMPT_AT")))
                    .as(vehicle)
                    .isCloseTo(Instant.now().plus(Duration.ofMinutes(1)), within(10, ChronoUnit.SECONDS));
        }
        assertThat((String) vehicle("v-5xx").get("LAST_ERROR")).contains("HTTP 503");
        assertThat((String) vehicle("v-slow").get("LAST_ERROR")).contains("no answer in time");
        assertThat(SMARTCAR.count(smartcar.subscriptionsOf("v-5xx")))
                .as("a 503 is not retried by the HTTP client")
                .isEqualTo(1);
        assertThat(SMARTCAR.count(smartcar.subscriptionsOf("v-slow")))
                .as("nor a timeout")
                .isEqualTo(1);

        runSync();
        assertThat(SMARTCAR.count(smartcar.subscriptionsOf("v-5xx")))
                .as("not before the backoff has passed")
                .isEqualTo(1);

        SMARTCAR.stub(smartcar.subscription(slow).willReturn(aResponse().withStatus(202)));
        db().update(
                        "UPDATE vehicle SET next_attempt_at = ? WHERE next_attempt_at IS NOT NULL",
                        OffsetDateTime.now().minusSeconds(1));
        assertThat(runSync()).as("the slow one").containsEntry("vehiclesSubscribed", 1);
        Map<String, Object> again = vehicle("v-5xx");
        assertThat(again.get("FAILURE_COUNT")).isEqualTo(2);
        assertThat(instant(again.get("NEXT_ATTEMPT_AT")))
                .isCloseTo(Instant.now().plus(Duration.ofMinutes(2)), within(10, ChronoUnit.SECONDS));

        SMARTCAR.stub(smartcar.subscription(failing).willReturn(aResponse().withStatus(202)));
        db().update(
                        "UPDATE vehicle SET next_attempt_at = ? WHERE next_attempt_at IS NOT NULL",
                        OffsetDateTime.now().minusSeconds(1));
        assertThat(runSync()).containsEntry("vehiclesSubscribed", 1);

        assertThat(db().queryForList("SELECT DISTINCT subscription_status FROM vehicle", String.class))
                .containsExactly("SUBSCRIBED");
        assertThat(vehicle("v-5xx").get("FAILURE_COUNT")).isEqualTo(0);
        assertThat(BridgeHttp.metrics())
                .contains("bridge_smartcar_sync_failures_total{reason=\"server_error\"}")
                .contains("bridge_smartcar_sync_failures_total{reason=\"timeout\"}");
    }

    @Test
    void twoRunsAtOnceClaimEachListingOnceAndSubscribeEveryVehicleExactlyOnce() {
        Connection[] three = {
            connection("c-1", "user-1", "TESLA Model 3", 2022),
            connection("c-2", "user-1", "TESLA Model Y", 2022),
            connection("c-3", "user-2", "BMW iX", 2022)
        };
        smartcar.connected(HTTP, three);
        // slow subscriptions, so that the two runs overlap
        for (Connection vehicle : three) {
            SMARTCAR.stub(smartcar.subscription(vehicle)
                    .willReturn(aResponse().withStatus(202).withFixedDelay(200)));
        }

        List<Map<String, Object>> summaries = twoRunsAtOnce();

        assertThat(total(summaries, "vehiclesSubscribed")).isEqualTo(3);
        assertThat(total(summaries, "connectionsSynced"))
                .as("each listing is claimed by one run")
                .isEqualTo(smartcar.connectionsOf(three));
        for (Connection vehicle : three) {
            assertThat(SMARTCAR.count(smartcar.subscriptionsOf(vehicle.vehicleId())))
                    .as(vehicle.vehicleId())
                    .isEqualTo(1);
        }
        assertThat(SMARTCAR.count(smartcar.listings()))
                .as("one run holds each listing")
                .isEqualTo(smartcar.listingsOf(three));
        assertThat(db().queryForList("SELECT DISTINCT subscription_status FROM vehicle", String.class))
                .containsExactly("SUBSCRIBED");
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
                    .mapToObj(i -> CompletableFuture.supplyAsync(
                            () -> afterLatch(
                                    start, () -> store.claim("contended", "instance-" + i, now, now.plusSeconds(60))
                                            .isPresent()),
                            pool))
                    .toList();
            start.countDown();

            assertThat(claims.stream().map(CompletableFuture::join).filter(Boolean::booleanValue))
                    .hasSize(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.claim("contended", "late", now.plusSeconds(30), now.plusSeconds(90)))
                .as("the claim still runs")
                .isEmpty();
        assertThat(store.claim("contended", "late", now.plusSeconds(61), now.plusSeconds(120)))
                .as("the claim ran out")
                .isPresent();
    }

    /** Two sync runs started at once, on two threads; their summaries. */
    List<Map<String, Object>> twoRunsAtOnce() {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<Map<String, Object>>> runs = List.of(
                    CompletableFuture.supplyAsync(() -> afterLatch(start, this::runSync), pool),
                    CompletableFuture.supplyAsync(() -> afterLatch(start, this::runSync), pool));
            start.countDown();
            return runs.stream().map(CompletableFuture::join).toList();
        } finally {
            pool.shutdownNow();
        }
    }

    /** A count of the runs' summaries added up. */
    static int total(List<Map<String, Object>> summaries, String count) {
        return summaries.stream()
                .mapToInt(summary -> (Integer) summary.get(count))
                .sum();
    }

    /** The last request the double received. */
    static Request lastRequest() {
        return SMARTCAR.server().getAllServeEvents().get(0).getRequest();
    }
}
