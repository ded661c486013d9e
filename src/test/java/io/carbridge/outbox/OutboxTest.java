package io.carbridge.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;

import io.carbridge.Settings;
import io.carbridge.storage.Storage;
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
     * A dispatcher checks its destination's pause before it claims; a pause stored in between (a 410 answered by another
     * attempt, an operator) must still stop the claim, or one more delivery goes to a destination that is paused.
     */
    @Test
    void aPausedDestinationHasNothingToClaimWhateverItsDispatcherBelieves() throws Exception {
        Properties properties = new Properties();
        properties.setProperty("bridge.db.url", "jdbc:h2:mem:outbox-test;DB_CLOSE_DELAY=-1");
        camel.getPropertiesComponent().setInitialProperties(properties);
        Storage storage = Storage.open(camel, new Settings(camel));
        Outbox outbox = new Outbox(storage, "instance-a");
        JdbcTemplate db = new JdbcTemplate(storage.dataSource());
        Timestamp now = Timestamp.from(Instant.now());
        db.update("INSERT INTO webhook_event (event_id, event_type, recognised, received_at, raw_body) VALUES ('e-1', 'VEHICLE_STATE', TRUE, ?, ?)",
                now, "{}".getBytes());
        db.update("INSERT INTO delivery (event_id, destination, ordering_key, status, attempts, next_attempt_at, replay, received_at, created_at) "
                + "VALUES ('e-1', 'crm', 'v-1', 'PENDING', 0, ?, FALSE, ?, ?)", now, now, now);

        outbox.pause("crm", "by an operator", Instant.now());
        assertThat(outbox.claim("crm", 8, Instant.now(), Duration.ofMinutes(1), java.util.Set.of())).isEmpty();

        outbox.resume("crm");
        assertThat(outbox.claim("crm", 8, Instant.now(), Duration.ofMinutes(1), java.util.Set.of())).hasSize(1);
    }
}
