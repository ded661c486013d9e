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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

/**
 * Smartcar's repeats folded on PostgreSQL, and received by two instances at once: the second transaction waits for the
 * first one's row of the same error, then sees it, so the two copies still fold into one forwarded event.
 */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            BridgeTest.TEST_PROPERTIES,
            BridgeTest.DESTINATIONS,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = "bridge.db.url={{sys:test.postgres.repeats.url}}")
class PostgresVehicleStateErrorRepeatTest extends VehicleStateErrorRepeatTest {

    static {
        PostgresServer.newDatabase("repeats");
    }

    @Test
    void twoCopiesReceivedByTwoInstancesAtOnceFoldIntoOne() throws Exception {
        Instant at = now().minus(Duration.ofHours(2));
        CanonicalEvent one = event(error("race-one", "veh-race-repeat", at, "VEHICLE_STATE", "ASLEEP", "ERROR"));
        CanonicalEvent two =
                event(error("race-two", "veh-race-repeat", at.plusSeconds(1), "VEHICLE_STATE", "ASLEEP", "ERROR"));
        VehicleStateWriter instance = new VehicleStateWriter(true, Duration.ofMinutes(5));
        VehicleStateWriter otherInstance = new VehicleStateWriter(true, Duration.ofMinutes(5));

        try (Connection first = dataSource().getConnection();
                Connection second = dataSource().getConnection()) {
            first.setAutoCommit(false);
            second.setAutoCommit(false);
            assertThat(instance.repeats(first, List.of(one))).isEmpty();
            CompletableFuture<Map<String, String>> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    Map<String, String> repeats = otherInstance.repeats(second, List.of(two));
                    second.commit();
                    return repeats;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(500);
            assertThat(waiting)
                    .as("the other instance waits for the first one's row")
                    .isNotDone();
            first.commit();

            assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo(Map.of("race-two", "race-one"));
        }
    }
}
