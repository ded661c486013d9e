package io.carbridge.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.Settings;
import io.carbridge.storage.Storage;
import io.carbridge.testing.PostgresServer;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** The outbox's claim on its own database. */
class OutboxTest {

    private final DefaultCamelContext camel = new DefaultCamelContext();

    @AfterEach
    void stop() {
        camel.stop();
    }

    /**
     * A dispatcher checks its destination's pause before it claims; a pause stored in between (a 410 answered by
     * another attempt, an operator) must still stop the claim, or one more delivery goes to a destination that is
     * paused.
     */
    @Test
    void aPausedDestinationHasNothingToClaimWhateverItsDispatcherBelieves() throws Exception {
        Storage storage = open("jdbc:h2:mem:outbox-paused;DB_CLOSE_DELAY=-1");
        Outbox outbox = new Outbox(storage, "instance-a");
        queue(storage, "e-1", "v-1");

        outbox.pause("crm", "by an operator", Instant.now());
        assertThat(outbox.claim("crm", 8, Instant.now(), Duration.ofMinutes(1), Set.of()))
                .isEmpty();

        outbox.resume("crm");
        assertThat(outbox.claim("crm", 8, Instant.now(), Duration.ofMinutes(1), Set.of()))
                .hasSize(1);
    }

    /**
     * On H2 a claim is held in memory. A replay or a backfill may commit a vehicle's delivery with a lower id than one
     * this process already holds: it is then the vehicle's first open delivery, and only leaving the vehicles held out
     * of the claim keeps one of its deliveries in flight at a time.
     */
    @Test
    void onH2AVehicleWhoseDeliveryIsHeldHereHasNothingElseToClaim() throws Exception {
        Storage storage = open("jdbc:h2:mem:outbox-held;DB_CLOSE_DELAY=-1");
        Outbox outbox = new Outbox(storage, "instance-a");
        queue(storage, "e-1", "v-1");
        queue(storage, "e-2", "v-2");

        List<ClaimedDelivery> claimed = outbox.claim("crm", 8, Instant.now(), Duration.ofMinutes(1), Set.of("v-1"));

        assertThat(claimed).extracting(ClaimedDelivery::eventId).containsExactly("e-2");
    }

    /**
     * On PostgreSQL a delivery may commit after one of its vehicle with a higher id was claimed (the intakes of two
     * instances, a replay or a backfill beside an intake): it is then the vehicle's first open delivery, and only the
     * check for one in flight keeps it from going out beside the other.
     */
    @Test
    void onPostgresqlADeliveryCommittedLateWaitsForItsVehiclesDeliveryInFlight() throws Exception {
        Storage storage = open(PostgresServer.newDatabase("outbox_late"));
        Outbox outbox = new Outbox(storage, "instance-a");
        queue(storage, "e-2", "v-1");
        ClaimedDelivery inFlight = outbox.claim("crm", 8, Instant.now(), Duration.ofMinutes(1), Set.of())
                .get(0);
        queue(storage, "e-1", "v-1", inFlight.id() - 1); // committed now, with the lower id

        assertThat(outbox.claim("crm", 8, Instant.now(), Duration.ofMinutes(1), Set.of()))
                .as("v-1 has a delivery in flight")
                .isEmpty();

        assertThat(outbox.record(List.of(delivered(inFlight)))).containsExactly(true);
        assertThat(outbox.claim("crm", 8, Instant.now(), Duration.ofMinutes(1), Set.of()))
                .extracting(ClaimedDelivery::eventId)
                .containsExactly("e-1");
    }

    /**
     * A claim that expired mid-attempt and was claimed again counted one more attempt: the late outcome of the first
     * attempt must not finish the delivery under the second one's feet (which would free the vehicle's next delivery
     * while an attempt is still in flight).
     */
    @Test
    void onPostgresqlTheOutcomeOfAnExpiredClaimChangesNothing() throws Exception {
        Storage storage = open(PostgresServer.newDatabase("outbox_expired"));
        Outbox outbox = new Outbox(storage, "instance-a");
        queue(storage, "e-1", "v-1");
        ClaimedDelivery first = outbox.claim("crm", 8, Instant.now(), Duration.ofMillis(1), Set.of())
                .get(0);
        Thread.sleep(5);
        assertThat(outbox.releaseClaims(Instant.now(), false)).isEqualTo(1);
        ClaimedDelivery second = outbox.claim("crm", 8, Instant.now(), Duration.ofMinutes(1), Set.of())
                .get(0);
        assertThat(second.attempt()).isEqualTo(first.attempt() + 1);

        assertThat(outbox.record(List.of(delivered(first)))).containsExactly(false);
        assertThat(outbox.record(List.of(delivered(second)))).containsExactly(true);
    }

    private Storage open(String url) {
        Properties properties = new Properties();
        properties.setProperty("bridge.db.url", url);
        if (url.startsWith("jdbc:postgresql:")) {
            properties.setProperty("bridge.db.user", "postgres");
        }
        camel.getPropertiesComponent().setInitialProperties(properties);
        return Storage.open(camel, new Settings(camel));
    }

    private static void queue(Storage storage, String eventId, String vehicleId) {
        queue(storage, eventId, vehicleId, null);
    }

    /** @param id the delivery's id, or null for the next of its identity */
    private static void queue(Storage storage, String eventId, String vehicleId, Long id) {
        JdbcTemplate db = new JdbcTemplate(storage.dataSource());
        Timestamp now = Timestamp.from(Instant.now().minusSeconds(1));
        db.update(
                "INSERT INTO webhook_event (event_id, event_type, recognised, vehicle_id, received_at, raw_body) "
                        + "VALUES (?, 'VEHICLE_STATE', TRUE, ?, ?, ?)",
                eventId,
                vehicleId,
                now,
                "{}".getBytes());
        if (id == null) {
            db.update(
                    "INSERT INTO delivery (event_id, destination, ordering_key, status, attempts, next_attempt_at, replay, received_at, "
                            + "created_at) VALUES (?, 'crm', ?, 'PENDING', 0, ?, FALSE, ?, ?)",
                    eventId,
                    vehicleId,
                    now,
                    now,
                    now);
        } else {
            db.update(
                    "INSERT INTO delivery (id, event_id, destination, ordering_key, status, attempts, next_attempt_at, replay, received_at, "
                            + "created_at) VALUES (?, ?, 'crm', ?, 'PENDING', 0, ?, FALSE, ?, ?)",
                    id,
                    eventId,
                    vehicleId,
                    now,
                    now,
                    now);
        }
    }

    private static AttemptOutcome delivered(ClaimedDelivery delivery) {
        Instant now = Instant.now();
        return new AttemptOutcome(
                delivery.id(), delivery.attempt(), now, now, 200, null, AttemptOutcome.Result.DELIVERED, null);
    }
}
