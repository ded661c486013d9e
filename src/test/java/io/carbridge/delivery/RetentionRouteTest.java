package io.carbridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeTest;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** The retention route ({@code routes/retention.camel.yaml}), run on demand instead of by its timer. */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = {
            "bridge.db.url=jdbc:h2:mem:retention-route-test",
            "bridge.retention.hours=168",
            "bridge.retention.batch-size=2"
        },
        replaceRouteFromWith = "retention=direct:retention")
class RetentionRouteTest {

    @BeanInject
    CamelContext camel;

    @Test
    void purgesFinishedEventsAndIntakeCountsPastTheRetentionAndKeepsDeadLettersAndPendingWork() {
        JdbcTemplate db = BridgeTest.database(camel);
        Instant old = Instant.now().minus(Duration.ofDays(8));
        Instant recent = Instant.now().minus(Duration.ofDays(6));
        event(db, "old-delivered", old, true, "DELIVERED");
        event(db, "old-replayed-then-delivered", old, true, "REPLAYED", "DELIVERED");
        event(db, "old-unrecognised", old, false);
        event(db, "old-dead", old, true, "DEAD");
        event(db, "old-pending", old, true, "PENDING");
        event(db, "recent-delivered", recent, true, "DELIVERED");
        db.update("INSERT INTO delivery_attempt (delivery_id, attempt, started_at, duration_ms, outcome) "
                + "SELECT id, 1, CURRENT_TIMESTAMP, 5, 'DELIVERED' FROM delivery WHERE event_id = 'old-delivered'");
        for (Instant minute : new Instant[] {old, recent}) {
            db.update(
                    "INSERT INTO intake_count (minute_start, instance_id, accepted, duplicate, rejected, unrecognised) "
                            + "VALUES (?, 'instance', 1, 0, 0, 0)",
                    Timestamp.from(minute.truncatedTo(ChronoUnit.MINUTES)));
        }

        try (ProducerTemplate producer = camel.createProducerTemplate()) {
            producer.sendBody("direct:retention", null);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }

        assertThat(db.queryForList("SELECT event_id FROM webhook_event ORDER BY event_id", String.class))
                .containsExactly("old-dead", "old-pending", "recent-delivered");
        assertThat(db.queryForObject("SELECT COUNT(*) FROM delivery", Integer.class))
                .isEqualTo(3);
        assertThat(db.queryForObject("SELECT COUNT(*) FROM delivery_attempt", Integer.class))
                .isZero();
        assertThat(db.queryForList("SELECT minute_start FROM intake_count", Timestamp.class))
                .as("the console's counts go after the same period")
                .singleElement()
                .satisfies(minute -> assertThat(minute.toInstant()).isAfter(old));
    }

    private static void event(
            JdbcTemplate db, String eventId, Instant receivedAt, boolean recognised, String... deliveryStatuses) {
        Timestamp at = Timestamp.from(receivedAt);
        db.update(
                "INSERT INTO webhook_event (event_id, event_type, recognised, received_at, raw_body) VALUES (?, 'VEHICLE_STATE', ?, ?, ?)",
                eventId,
                recognised,
                at,
                "{}".getBytes());
        for (String status : deliveryStatuses) {
            db.update(
                    "INSERT INTO delivery (event_id, destination, ordering_key, status, attempts, next_attempt_at, replay, received_at, "
                            + "created_at) VALUES (?, 'crm', ?, ?, 1, ?, FALSE, ?, ?)",
                    eventId,
                    eventId,
                    status,
                    at,
                    at,
                    at);
        }
    }
}
