package io.carbridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbridge.testkit.BridgeRouteTestSupport;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CRM example route on its own, with the bridge's test kit as a team uses it (here the team's directory is the
 * bridge's own, and one of its route files is loaded).
 */
class CrmContactActivityRouteTest extends BridgeRouteTestSupport {

    @Override
    protected List<String> routeFiles() {
        return List.of("file:routes/example-crm-contact-activity.camel.yaml");
    }

    private JsonNode shape(String sample) throws Exception {
        return transform("direct:crm-contact-activity", enrichedEvent(sample)).json();
    }

    @Test
    void makesAContactActivityFromAChargingEvent() throws Exception {
        JsonNode activity = shape("enriched-charging-started.json");

        assertThat(activity.get("externalId").asText()).isEqualTo("smartcar-0b8f6c1e-3f7a-4d2b-9a55-1d2e3f4a5b6c");
        assertThat(activity.get("contactReference").asText()).isEqualTo("CUST-1001");
        assertThat(activity.get("activityType").asText()).isEqualTo("VEHICLE_EVENT");
        assertThat(activity.get("subject").asText()).isEqualTo("Charging started: 2020 TESLA Model 3");
        assertThat(activity.get("occurredAt").asText()).isEqualTo("2026-11-27T08:15:02.120Z");
        assertThat(activity.get("vehicle").get("id").asText()).isEqualTo("9af13248-5b5c-4f4b-8b52-1c2d3e4f5a6b");
        assertThat(activity.get("description").isNull()).isTrue();
        assertThat(activity.get("replay").asBoolean()).isFalse();
    }

    @Test
    void describesAVehicleErrorWithWhatToTellTheOwnerEvenForAnUnknownVehicle() throws Exception {
        JsonNode activity = shape("enriched-vehicle-error-unknown-vehicle.json");

        assertThat(activity.get("subject").asText())
                .isEqualTo("Vehicle needs attention: 9af13248-5b5c-4f4b-8b52-1c2d3e4f5a6b");
        assertThat(activity.get("description").asText()).isEqualTo("Please reconnect your vehicle.");
        assertThat(activity.get("contactReference").isNull()).isTrue();
        assertThat(activity.get("replay").asBoolean()).isTrue();
    }
}
