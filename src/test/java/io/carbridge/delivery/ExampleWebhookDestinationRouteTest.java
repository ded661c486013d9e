package io.carbridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbridge.testkit.BridgeRouteTestSupport;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The generic webhook example route on its own, with the bridge's test kit. */
class ExampleWebhookDestinationRouteTest extends BridgeRouteTestSupport {

    @Override
    protected List<String> routeFiles() {
        return List.of("file:routes/example-webhook-destination.camel.yaml");
    }

    private JsonNode shape(String sample) throws Exception {
        return transform("direct:example-webhook-event", enrichedEvent(sample)).json();
    }

    @Test
    void wrapsALegacyChargingEventAsAGenericWebhookEvent() throws Exception {
        JsonNode event = shape("enriched-charging-started.json");

        assertThat(event.get("id").asText()).isEqualTo("0b8f6c1e-3f7a-4d2b-9a55-1d2e3f4a5b6c");
        assertThat(event.get("type").asText()).isEqualTo("smartcar.charging_started");
        assertThat(event.get("occurredAt").asText()).isEqualTo("2026-11-27T08:15:02.120Z");
        assertThat(event.get("subject").get("make").asText()).isEqualTo("TESLA");
        assertThat(event.get("subject").get("customerReference").asText()).isEqualTo("CUST-1001");
        assertThat(event.get("test").asBoolean()).isFalse();
        assertThat(event.get("data").get("eventType").asText()).isEqualTo("CHARGING_STARTED");
    }

    @Test
    void carriesTheCurrentFormatDataBlockAndMarksTestEvents() throws Exception {
        JsonNode event = shape("enriched-vehicle-error-unknown-vehicle.json");

        assertThat(event.get("type").asText()).isEqualTo("smartcar.vehicle_error");
        assertThat(event.get("test").asBoolean()).isTrue();
        assertThat(event.get("replay").asBoolean()).isTrue();
        assertThat(event.get("data").get("errors").get(0).get("code").asText()).isEqualTo("AUTHENTICATION_FAILED");
        assertThat(event.get("subject").get("make").isNull()).isTrue();
    }
}
