package io.carbridge.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.DestinationsDouble;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code bridge.intake.error-dedupe-window=0}: Smartcar's repeats of an error are forwarded like any other event. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            BridgeTest.TEST_PROPERTIES,
            BridgeTest.DESTINATIONS,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = {
            "bridge.db.url=jdbc:h2:mem:vehicle-state-error-repeat-off-test",
            "bridge.intake.error-dedupe-window=0"
        })
class VehicleStateErrorRepeatOffTest {

    private WireMockServer sink;

    @BeanInject
    CamelContext camel;

    @BeforeAll
    void startDestinations() {
        sink = DestinationsDouble.start();
        DestinationsDouble.answerEverythingWith200(sink);
    }

    @AfterAll
    void stopDestinations() {
        sink.stop();
    }

    @Test
    void withAWindowOfZeroBothCopiesAreForwarded() {
        Instant first = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(30);
        byte[] one = VehicleStateErrorRepeatTest.error(
                "off-first", "veh-off", first, "CONNECTED_SERVICES_ACCOUNT", "AUTHENTICATION_FAILED", "ERROR");
        byte[] two = VehicleStateErrorRepeatTest.error(
                "off-second",
                "veh-off",
                first.plusSeconds(30),
                "CONNECTED_SERVICES_ACCOUNT",
                "AUTHENTICATION_FAILED",
                "ERROR");

        assertThat(VehicleStateErrorRepeatTest.deliver(one)).isEqualTo(202);
        assertThat(VehicleStateErrorRepeatTest.deliver(two)).isEqualTo(202);

        for (String eventId : new String[] {"off-first", "off-second"}) {
            assertThat(BridgeTest.database(camel)
                            .queryForList(
                                    "SELECT destination FROM delivery WHERE event_id = ? ORDER BY destination",
                                    String.class,
                                    eventId))
                    .as(eventId)
                    .containsExactly("gone", "sink");
        }
        assertThat(VehicleStateErrorRepeatTest.listed("veh-off", "off-second")
                        .get("repeatOf")
                        .isNull())
                .isTrue();
        assertThat(BridgeTest.database(camel).queryForObject("SELECT COUNT(*) FROM error_repeat", Integer.class))
                .isZero();
        assertThat(BridgeHttp.bridge()
                        .get("/admin/events/off-second", Map.of("Authorization", "Bearer admin-test-token"))
                        .status())
                .isEqualTo(200);
    }
}
