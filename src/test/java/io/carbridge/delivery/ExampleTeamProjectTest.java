package io.carbridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbridge.outbox.OutboxConstants;
import io.carbridge.testkit.BridgeRouteTestSupport;
import io.carbridge.testkit.Document;
import io.carbridge.testkit.Vehicle;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The bridge's test kit on the example team project of {@code docs/team-project}, from the bridge's own build: its
 * route loaded, its settings layered over the bridge's, Smartcar's sample deliveries through its destination.
 * {@code TeamProjectIT} builds that project itself, with its own test, against the test artifact.
 */
class ExampleTeamProjectTest extends BridgeRouteTestSupport {

    @Override
    protected Path teamDirectory() {
        return Path.of("docs", "team-project");
    }

    @Test
    void aChargingEventReachesTheFleetErpAsTheTeamsRouteShapesIt() throws Exception {
        Document sent = deliver(
                "fleet-erp", smartcarDelivery("CHARGING_STARTED"), new Vehicle("TESLA", "Model 3", 2020, "CUST-1001"));

        JsonNode document = sent.json();
        assertThat(document.get("externalId").asText()).isEqualTo("smartcar-0b8f6c1e-3f7a-4d2b-9a55-1d2e3f4a5b6c");
        assertThat(document.get("eventType").asText()).isEqualTo("CHARGING_STARTED");
        assertThat(document.get("occurredAt").asText()).isEqualTo("2026-11-27T08:15:02.120Z");
        assertThat(document.get("vehicle").get("make").asText()).isEqualTo("TESLA");
        assertThat(document.get("customer").asText()).isEqualTo("CUST-1001");
        assertThat(sent.headers())
                .containsEntry(OutboxConstants.EVENT_ID, "0b8f6c1e-3f7a-4d2b-9a55-1d2e3f4a5b6c")
                .containsEntry(OutboxConstants.DESTINATION, "fleet-erp");
    }

    @Test
    void anErrorOfAVehicleTheBridgeDoesNotKnowGoesWithoutItsMakeOrCustomer() throws Exception {
        JsonNode document =
                deliver("fleet-erp", smartcarDelivery("VEHICLE_ERROR")).json();

        assertThat(document.get("eventType").asText()).isEqualTo("VEHICLE_ERROR");
        assertThat(document.get("vehicle").get("make").isNull()).isTrue();
        assertThat(document.get("customer").isNull()).isTrue();
    }

    @Test
    void theFleetErpIsNotSentTheEventTypesItDoesNotTake() throws Exception {
        Document state = deliver("fleet-erp", smartcarDelivery("VEHICLE_STATE"));

        assertThat(state.sent()).isFalse();
        assertThat(state.refusal()).isEqualTo("VEHICLE_STATE is not in event-types CHARGING_*,VEHICLE_ERROR");
        // a test-mode event: the destination does not include test events
        assertThat(deliver("fleet-erp", smartcarDelivery("CHARGING_COMPLETED")).refusal())
                .contains("include-test-events is false");
    }

    @Test
    void theTeamsSettingsWinOverTheBridgesAndTheBridgesFillTheRest() {
        assertThat(context.resolvePropertyPlaceholders("{{bridge.http.idle-timeout}}"))
                .as("the team's")
                .isEqualTo("75s");
        assertThat(context.resolvePropertyPlaceholders("{{bridge.destinations}}"))
                .as("the team's")
                .isEqualTo("fleet-erp");
        assertThat(context.resolvePropertyPlaceholders("{{bridge.http.body-read-timeout}}"))
                .as("the bridge's")
                .isEqualTo("10s");
    }
}
