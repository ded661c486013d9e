package io.carbridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.Fixtures;
import java.util.Map;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

/**
 * The console's "in the last hour" counts an event the moment it is answered, not at the next write of the counts to
 * the database (an hour away here): this instance adds what it has not written yet.
 */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = {
            "bridge.db.url=jdbc:h2:mem:stats-current-minute-test",
            "bridge.admin.token=stats-admin-token",
            "bridge.intake.counts-flush-interval=1h"
        })
class StatsOfTheCurrentMinuteTest {

    private static final BridgeHttp HTTP = BridgeHttp.bridge();

    @BeanInject
    CamelContext camel;

    @Test
    void anEventAnsweredAMomentAgoIsInTheLastHoursCountsBeforeTheCountsAreWritten() {
        byte[] event = Fixtures.currentEvent("stats-now", "VEHICLE_STATE", "veh-stats", "");
        assertThat(HTTP.deliver("/webhooks/smartcar", event, Fixtures.sign(event))
                        .status())
                .isEqualTo(202);
        assertThat(HTTP.deliver("/webhooks/smartcar", event, Fixtures.sign(event))
                        .status())
                .isEqualTo(200);

        BridgeHttp.Response answer = HTTP.get("/admin/stats", Map.of("Authorization", "Bearer stats-admin-token"));

        JsonNode totals = answer.json().get("intake").get("totals");
        assertThat(totals.get("accepted").asLong()).isEqualTo(1);
        assertThat(totals.get("duplicate").asLong()).isEqualTo(1);
        assertThat(BridgeTest.database(camel).queryForObject("SELECT COUNT(*) FROM intake_count", Integer.class))
                .as("nothing written to the database yet")
                .isZero();
    }
}
