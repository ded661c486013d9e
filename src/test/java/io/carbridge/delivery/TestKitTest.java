package io.carbridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.carbridge.Settings;
import io.carbridge.testkit.BridgeRouteTestSupport;
import io.carbridge.testkit.Document;
import io.carbridge.testkit.Vehicle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bridge's test kit itself, on a team directory of two destinations ({@code src/test/resources/testkit-team}): the
 * bridge's default document when a destination names no transform, a map a transform leaves made JSON, a secret stood
 * in for, a destination's settings checked as at start, and the kit's steps kept to the bridge's destination route
 * template. {@link ExampleTeamProjectTest} runs it on the example team project.
 */
class TestKitTest extends BridgeRouteTestSupport {

    @Override
    protected Path teamDirectory() {
        return Path.of("src", "test", "resources", "testkit-team");
    }

    @Test
    void aDestinationWithoutATransformGetsTheBridgesEnrichedEventAsJson() throws Exception {
        JsonNode document = deliver(
                        "plain", smartcarDelivery("VEHICLE_STATE"), new Vehicle("TESLA", "Model 3", 2020, "CUST-1001"))
                .json();

        assertThat(document.get("eventId").asText()).isEqualTo("550e8400-e29b-41d4-a716-446655440000");
        assertThat(document.get("eventType").asText()).isEqualTo("VEHICLE_STATE");
        assertThat(document.get("vehicle").get("model").asText()).isEqualTo("Model 3");
        assertThat(document.get("customerReference").asText()).isEqualTo("CUST-1001");
        assertThat(document.get("payload").get("meta").get("deliveryId").asText())
                .as("Smartcar's delivery as received")
                .isEqualTo("48b25f8f-0000-4111-8222-333344445555");
    }

    @Test
    void aMapTheTransformLeavesIsWrittenAsJsonWithTheHeadersTheDestinationRouteSets() throws Exception {
        // its HTTP sink's secret is named by auth-secret-env and not in this environment: the kit stands in for it
        Document document =
                deliver("mapped", smartcarDelivery("CHARGING_COMPLETED"), new Vehicle("BMW", "i3", 2019, null));

        assertThat(document.text())
                .isEqualTo("{\"id\":\"68f4179e-0648-4795-a4d8-0b553c2c635c\",\"attempt\":1,\"make\":\"BMW\"}");
        assertThat(transform("direct:as-map", enrichedEvent("enriched-charging-started.json"))
                        .json()
                        .get("make")
                        .asText())
                .isEqualTo("TESLA");
    }

    @Test
    void aDestinationsSettingsAreCheckedAsAtStart() {
        context.getPropertiesComponent().addOverrideProperty("bridge.destination.plain.event-type", "VEHICLE_STATE");

        assertThatThrownBy(() -> deliver("plain", smartcarDelivery("VEHICLE_STATE")))
                .isInstanceOf(Settings.InvalidSettingException.class)
                .hasMessageContaining("bridge.destination.plain.event-type")
                .hasMessageContaining("did you mean bridge.destination.plain.event-types?");
    }

    @Test
    void whatTheKitCannotDoIsSaid() {
        assertThatThrownBy(() -> deliver("crm", smartcarDelivery("VEHICLE_STATE")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("there is no destination 'crm' in bridge.destinations (plain,mapped)");
        assertThatThrownBy(
                        () -> deliver("plain", "{\"eventType\":\"VERIFY\",\"data\":{\"challenge\":\"x\"}}".getBytes()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the bridge forwards VEHICLE_STATE");
        context.getPropertiesComponent()
                .addOverrideProperty("bridge.destination.plain.transform", "direct:no-such-route");
        assertThatThrownBy(() -> deliver("plain", smartcarDelivery("VEHICLE_STATE")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("starts from direct:no-such-route, the transform of destination 'plain'");
    }

    /**
     * The kit does in Java what the bridge's destination route does before its sink: enrich, the transform, the
     * document. Should the template gain a step, the kit must follow it.
     */
    @Test
    void theKitsStepsAreTheBridgesDestinationTemplateBeforeItsSink() throws Exception {
        JsonNode template = new YAMLMapper()
                .readTree(Path.of("routes", "destination.camel.yaml").toFile())
                .get(0)
                .get("routeTemplate");
        List<String> steps = new ArrayList<>();
        for (JsonNode step : template.get("route").get("from").get("steps")) {
            String kind = step.fieldNames().next();
            JsonNode body = step.get(kind);
            steps.add(kind + " " + body.get("id").asText()
                    + (body.has("method")
                            ? " " + body.get("ref").asText() + "."
                                    + body.get("method").asText()
                            : " " + body.get("uri").asText()));
        }

        assertThat(steps)
                .containsExactly(
                        "bean enrich-{{name}} deliverySteps.enrich",
                        "to transform-{{name}} {{transform}}",
                        "bean document-{{name}} deliverySteps.document",
                        "to sink-{{name}} {{sink}}");
    }
}
