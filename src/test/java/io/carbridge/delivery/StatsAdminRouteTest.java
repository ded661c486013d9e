package io.carbridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.Fixtures;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code GET /admin/stats}, which the console's overview draws: everything read from the database. The one destination
 * wants charging events only, so the events these tests post queue nothing; its deliveries are written directly, due in
 * a day, so that the engine leaves them alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = {
            "bridge.db.url=jdbc:h2:mem:stats-admin-route-test",
            "bridge.admin.token=stats-admin-token",
            "bridge.intake.counts-flush-interval=100ms",
            "bridge.instance-id=this-instance",
            "bridge.destinations=crm",
            "bridge.destination.crm.url=http://127.0.0.1:9/crm",
            "bridge.destination.crm.event-types=CHARGING_*"
        })
class StatsAdminRouteTest {

    private static final BridgeHttp HTTP = BridgeHttp.bridge();
    private static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer stats-admin-token");

    @BeanInject
    CamelContext camel;

    @BeforeEach
    void emptyTables() {
        for (String table : new String[] {"intake_count", "delivery", "webhook_event", "destination_state"}) {
            db().update("DELETE FROM " + table);
        }
    }

    @Test
    void countsTheIntakesOutcomesPerMinuteInTheDatabase() {
        byte[] event = Fixtures.currentEvent("stats-accepted", "VEHICLE_STATE", "veh-stats", "");
        deliver(event);
        deliver(event);
        deliver(Fixtures.currentEvent("stats-unknown", "VEHICLE_SOMETHING_NEW", "veh-stats", ""));
        HTTP.deliver("/webhooks/smartcar", event, "0".repeat(64));
        HTTP.deliver("/webhooks/smartcar", Fixtures.bytes("v4-verify.json"), null);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> sum("accepted") == 1
                        && sum("duplicate") == 1
                        && sum("rejected") == 1
                        && sum("unrecognised") == 1);
        assertThat(db().queryForList("SELECT DISTINCT instance_id FROM intake_count", String.class))
                .containsExactly("this-instance");

        JsonNode intake = stats("").get("intake");
        assertThat(intake.get("time")).hasSize(60);
        assertThat(intake.get("totals").toString())
                .isEqualTo("{\"accepted\":1,\"duplicate\":1,\"rejected\":1,\"unrecognised\":1}");
        long currentMinute = Instant.now().getEpochSecond() / 60 * 60;
        assertThat(intake.get("time").get(59).asLong())
                .as("the last point is the minute now running")
                .isIn(currentMinute, currentMinute - 60);
        assertThat(intake.get("time").get(58).asLong())
                .isEqualTo(intake.get("time").get(59).asLong() - 60);
    }

    @Test
    void sumsTheInstancesAndStepsOverTheWindowFromTheTableAlone() {
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(12));
        count(minute, "this-instance", 5, 1, 0, 0);
        count(minute, "other-instance", 7, 0, 2, 1);
        count(minute.plus(Duration.ofMinutes(1)), "other-instance", 3, 0, 0, 0);
        count(minute.minus(Duration.ofHours(2)), "other-instance", 1000, 0, 0, 0);

        JsonNode perMinute = stats("?window=1h&step=1m").get("intake");
        long start = minute.getEpochSecond();
        int index = indexOf(perMinute.get("time"), start);
        assertThat(perMinute.get("accepted").get(index).asLong()).isEqualTo(12);
        assertThat(perMinute.get("accepted").get(index + 1).asLong()).isEqualTo(3);
        assertThat(perMinute.get("rejected").get(index).asLong()).isEqualTo(2);
        assertThat(perMinute.get("unrecognised").get(index).asLong()).isEqualTo(1);
        assertThat(perMinute.get("totals").get("accepted").asLong())
                .as("the row of two hours ago is outside the window")
                .isEqualTo(15);

        JsonNode perFiveMinutes = stats("?window=1h&step=5m").get("intake");
        assertThat(perFiveMinutes.get("time")).hasSize(12);
        int bucket = indexOf(perFiveMinutes.get("time"), start - Math.floorMod(start, 300));
        long sameBucket = (start + 60) / 300 == start / 300 ? 15 : 12;
        assertThat(perFiveMinutes.get("accepted").get(bucket).asLong()).isEqualTo(sameBucket);

        assertThat(stats("?window=3h")
                        .get("intake")
                        .get("totals")
                        .get("accepted")
                        .asLong())
                .isEqualTo(1015);
    }

    @Test
    void showsEachDestinationsBacklogOldestPendingDeadLettersAndPauseAndTheLastEventReceived() {
        Instant now = Instant.now();
        event("stats-old", now.minus(Duration.ofMinutes(30)));
        event("stats-new", now.minus(Duration.ofMinutes(2)));
        delivery("stats-old", "crm", "PENDING", now.minus(Duration.ofMinutes(30)));
        delivery("stats-new", "crm", "IN_FLIGHT", now.minus(Duration.ofMinutes(2)));
        delivery("stats-old", "crm", "DEAD", now.minus(Duration.ofMinutes(30)));
        delivery("stats-old", "retired", "PENDING", now.minus(Duration.ofMinutes(30)));
        delivery("stats-new", "crm", "DELIVERED", now.minus(Duration.ofMinutes(2)));
        assertThat(HTTP.send("POST", "/admin/destinations/crm/pause", null, ADMIN)
                        .status())
                .isEqualTo(200);

        JsonNode stats = stats("?window=1m&step=1m");

        JsonNode crm = stats.get("destinations").get(0);
        assertThat(crm.get("name").asText()).isEqualTo("crm");
        assertThat(crm.get("configured").asBoolean()).isTrue();
        assertThat(crm.get("backlog").asLong()).as("pending and in flight").isEqualTo(2);
        assertThat(crm.get("oldestPendingAgeSeconds").asLong()).isBetween(30 * 60L, 32 * 60L);
        assertThat(crm.get("deadLetters").asLong()).isEqualTo(1);
        assertThat(crm.get("paused").asBoolean()).isTrue();
        assertThat(crm.get("pausedReason").asText()).isEqualTo("by an operator");
        JsonNode retired = stats.get("destinations").get(1);
        assertThat(retired.get("name").asText())
                .as("still has deliveries waiting")
                .isEqualTo("retired");
        assertThat(retired.get("configured").asBoolean()).isFalse();
        assertThat(stats.get("deadLetters").asLong()).isEqualTo(1);
        assertThat(stats.get("pausedDestinations").toString()).isEqualTo("[\"crm\"]");
        assertThat(Instant.parse(stats.get("lastEventReceivedAt").asText()))
                .isCloseTo(now.minus(Duration.ofMinutes(2)), within(1, ChronoUnit.SECONDS));

        HTTP.send("POST", "/admin/destinations/crm/resume", null, ADMIN);
        assertThat(stats("").get("pausedDestinations")).isEmpty();
    }

    @Test
    void refusesAWindowOrStepItCannotChartAndCallsWithoutTheToken() {
        for (String query : new String[] {
            "?step=30s", "?step=90s", "?window=30s", "?window=8d", "?window=2d&step=1m", "?window=soon"
        }) {
            BridgeHttp.Response answer = HTTP.get("/admin/stats" + query, ADMIN);
            assertThat(answer.status()).as(query).isEqualTo(400);
            assertThat(answer.json().get("error").asText()).as(query).isNotBlank();
        }
        assertThat(HTTP.get("/admin/stats", Map.of()).status()).isEqualTo(401);
        assertThat(HTTP.get("/admin/stats", Map.of("Authorization", "Bearer wrong"))
                        .json()
                        .get("reason")
                        .asText())
                .isEqualTo("unauthorized");
    }

    // --- helpers

    private JsonNode stats(String query) {
        BridgeHttp.Response answer = HTTP.get("/admin/stats" + query, ADMIN);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json();
    }

    private static int indexOf(JsonNode times, long epochSecond) {
        for (int i = 0; i < times.size(); i++) {
            if (times.get(i).asLong() == epochSecond) {
                return i;
            }
        }
        throw new AssertionError(epochSecond + " is not a point of " + times);
    }

    private long sum(String outcome) {
        Long sum = db().queryForObject("SELECT SUM(" + outcome + ") FROM intake_count", Long.class);
        return sum == null ? 0 : sum;
    }

    private void count(
            Instant minute, String instance, long accepted, long duplicate, long rejected, long unrecognised) {
        db().update(
                        "INSERT INTO intake_count (minute_start, instance_id, accepted, duplicate, rejected, unrecognised) VALUES (?, ?, ?, ?, ?, ?)",
                        Timestamp.from(minute),
                        instance,
                        accepted,
                        duplicate,
                        rejected,
                        unrecognised);
    }

    private void event(String eventId, Instant receivedAt) {
        db().update(
                        "INSERT INTO webhook_event (event_id, event_type, recognised, vehicle_id, received_at, raw_body) "
                                + "VALUES (?, 'CHARGING_STARTED', TRUE, 'veh-stats', ?, ?)",
                        eventId,
                        Timestamp.from(receivedAt),
                        "{}".getBytes());
    }

    /** A delivery due in a day: the engine does not claim it during the test. */
    private void delivery(String eventId, String destination, String status, Instant receivedAt) {
        Timestamp at = Timestamp.from(receivedAt);
        db().update(
                        "INSERT INTO delivery (event_id, destination, ordering_key, status, attempts, next_attempt_at, replay, received_at, "
                                + "created_at, finished_at) VALUES (?, ?, ?, ?, 1, ?, FALSE, ?, ?, ?)",
                        eventId,
                        destination,
                        eventId + status,
                        status,
                        Timestamp.from(Instant.now().plus(Duration.ofDays(1))),
                        at,
                        at,
                        "DEAD".equals(status) || "DELIVERED".equals(status) ? at : null);
    }

    private static void deliver(byte[] body) {
        HTTP.deliver("/webhooks/smartcar", body, Fixtures.sign(body));
    }

    private JdbcTemplate db() {
        return BridgeTest.database(camel);
    }
}
