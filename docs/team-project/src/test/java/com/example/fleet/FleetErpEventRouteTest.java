package com.example.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbridge.testkit.BridgeRouteTestSupport;
import io.carbridge.testkit.Document;
import io.carbridge.testkit.Vehicle;
import org.junit.jupiter.api.Test;

/**
 * The fleet ERP's route and destination, with the bridge's test kit: this project's routes/ and application.properties
 * are loaded (the settings over the bridge's own), and events go through them as the bridge sends them.
 */
class FleetErpEventRouteTest extends BridgeRouteTestSupport {

    /** The transform alone, given the enriched event the bridge hands it. */
    @Test
    void shapesTheEnrichedEventAsTheErpsVehicleEvent() throws Exception {
        JsonNode event = transform("direct:fleet-erp-event", enrichedEvent("enriched-charging-started.json"))
                .json();

        assertThat(event.get("externalId").asText()).isEqualTo("smartcar-0b8f6c1e-3f7a-4d2b-9a55-1d2e3f4a5b6c");
        assertThat(event.get("eventType").asText()).isEqualTo("CHARGING_STARTED");
        assertThat(event.get("vehicle").get("model").asText()).isEqualTo("Model 3");
        assertThat(event.get("customer").asText()).isEqualTo("CUST-1001");
    }

    /** A delivery from Smartcar through the fleet-erp destination of application.properties: what the ERP gets. */
    @Test
    void aChargingEventFromSmartcarReachesTheErp() throws Exception {
        Document sent = deliver(
                "fleet-erp", smartcarDelivery("CHARGING_STARTED"), new Vehicle("TESLA", "Model 3", 2020, "CUST-1001"));

        assertThat(sent.json().get("externalId").asText()).isEqualTo("smartcar-0b8f6c1e-3f7a-4d2b-9a55-1d2e3f4a5b6c");
        assertThat(sent.json().get("occurredAt").asText()).isEqualTo("2026-11-27T08:15:02.120Z");
        assertThat(sent.json().get("vehicle").get("year").asInt()).isEqualTo(2020);
    }

    /** The destination's event-types: the ERP takes charging events and errors, not every state update. */
    @Test
    void theErpIsNotSentVehicleStates() throws Exception {
        Document state = deliver("fleet-erp", smartcarDelivery("VEHICLE_STATE"));

        assertThat(state.sent()).isFalse();
        assertThat(state.refusal()).contains("event-types");
    }
}
