package io.carbridge.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.BridgeConfiguration;
import io.carbridge.storage.CanonicalEvent;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.PostgresServer;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

/**
 * The vehicle state tests again on PostgreSQL, and what only PostgreSQL has: two instances writing the same signal at
 * the same moment, each in its own transaction (two writers, two connections). The later transaction waits for the
 * earlier one's row and compares with what it committed, so an older time never wins, whichever commits first.
 */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            BridgeTest.TEST_PROPERTIES,
            BridgeTest.DESTINATIONS,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = "bridge.db.url={{sys:test.postgres.state.url}}")
class PostgresVehicleStateTest extends VehicleStateTest {

    static {
        PostgresServer.newDatabase("state");
    }

    @Test
    void twoInstancesWritingTheSameSignalAtOnceKeepTheNewerWhicheverCommitsFirst() throws Exception {
        Instant older = now().minus(Duration.ofHours(8));
        Instant newer = older.plusSeconds(60);
        CanonicalEvent newerEvent =
                event(state("race-newer", "veh-race", value(CHARGE, "{\"value\":70}", newer, null)));
        CanonicalEvent olderEvent =
                event(state("race-older", "veh-race", value(CHARGE, "{\"value\":60}", older, null)));
        CanonicalEvent newerAgain =
                event(state("race-2-newer", "veh-race-2", value(CHARGE, "{\"value\":70}", newer, null)));
        CanonicalEvent olderAgain =
                event(state("race-2-older", "veh-race-2", value(CHARGE, "{\"value\":60}", older, null)));

        // the newer one holds the new row when the older one comes; then the other way round
        race(newerEvent, olderEvent);
        race(olderAgain, newerAgain);

        for (String vehicle : List.of("veh-race", "veh-race-2")) {
            assertThat(db().queryForObject(
                                    "SELECT value_json FROM vehicle_signal WHERE vehicle_id = ? AND code = ?",
                                    String.class,
                                    vehicle,
                                    CHARGE))
                    .as(vehicle)
                    .contains("70");
        }
    }

    /**
     * {@code first} is written and not committed yet when {@code second}, on another instance, is written: it waits.
     */
    private void race(CanonicalEvent first, CanonicalEvent second) throws Exception {
        VehicleStateWriter one = new VehicleStateWriter(true, Duration.ofMinutes(5));
        VehicleStateWriter other = new VehicleStateWriter(true, Duration.ofMinutes(5));
        try (Connection firstConnection = dataSource().getConnection();
                Connection secondConnection = dataSource().getConnection()) {
            firstConnection.setAutoCommit(false);
            secondConnection.setAutoCommit(false);
            one.write(firstConnection, List.of(first), Instant.now());
            CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
                try {
                    other.write(secondConnection, List.of(second), Instant.now());
                    secondConnection.commit();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(500);
            assertThat(waiting)
                    .as("the second transaction waits for the first one's row")
                    .isNotDone();
            firstConnection.commit();
            waiting.get(10, TimeUnit.SECONDS);
        }
    }
}
