package io.carbridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbridge.outbox.OutboxConstants;
import io.carbridge.testkit.BridgeRouteTestSupport;
import io.carbridge.testkit.Document;
import io.carbridge.testkit.Vehicle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/**
 * The README's "Adding a destination", as a team tests it with the bridge's test kit: the README's own settings block
 * (four destinations: a CRM over HTTP, a Kafka topic, a file drop and a sink route of the team's) is the team's
 * {@code application.properties}, with only the values it takes from the environment given here. Each destination is
 * shown what its sink gets. The team's sink route is tested on its own in {@link ExampleErpSinkRouteTest}.
 */
class AddingADestinationTest extends BridgeRouteTestSupport {

    private static final Path README = Path.of("README.md");
    private static final Path TEAM = Path.of("target", "readme-adding-a-destination");
    /** The first properties block after the README's heading "Adding a destination". */
    private static final Pattern SETTINGS_BLOCK =
            Pattern.compile("## Adding a destination\\n.*?```properties\\n(.*?)```", Pattern.DOTALL);

    private static final Vehicle TESLA = new Vehicle("TESLA", "Model 3", 2020, "CUST-1001");

    @Override
    protected Path teamDirectory() {
        try {
            Matcher block = SETTINGS_BLOCK.matcher(Files.readString(README));
            assertThat(block.find())
                    .as("the README's settings block of Adding a destination")
                    .isTrue();
            Files.createDirectories(TEAM);
            Files.writeString(TEAM.resolve("application.properties"), block.group(1));
            return TEAM;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected List<String> routeFiles() {
        return List.of(
                "file:routes/example-crm-contact-activity.camel.yaml", "file:routes/example-erp-sink.camel.yaml");
    }

    /** What the README's block takes from the environment ({@code {{env:...}}}), here. */
    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties environment = new Properties();
        environment.put("bridge.destination.crm.url", "https://crm.example.com/activities");
        environment.put(
                "bridge.destination.events.uri",
                "kafka:vehicle-events?brokers=kafka.example.com:9093&securityProtocol=SASL_SSL&saslMechanism=PLAIN"
                        + "&saslJaasConfig=RAW(org.apache.kafka.common.security.plain.PlainLoginModule required "
                        + "username=\"bridge\" password=\"s3cret\";)");
        return environment;
    }

    @Test
    void theCrmGetsAContactActivityOfTheEventsItAsks() throws Exception {
        Document activity = deliver("crm", smartcarDelivery("CHARGING_STARTED"), TESLA);

        JsonNode json = activity.json();
        assertThat(json.get("externalId").asText())
                .isEqualTo("smartcar-" + activity.headers().get(OutboxConstants.EVENT_ID));
        assertThat(json.get("contactReference").asText()).isEqualTo("CUST-1001");
        assertThat(json.get("subject").asText()).isEqualTo("Charging started: 2020 TESLA Model 3");
        assertThat(deliver("crm", smartcarDelivery("VEHICLE_STATE")).sent())
                .as("VEHICLE_STATE is not in its event-types")
                .isFalse();
    }

    @Test
    void theKafkaTopicGetsTheEnrichedEventKeyedByItsVehicle() throws Exception {
        Document record = deliver("events", smartcarDelivery("VEHICLE_STATE"), TESLA);

        JsonNode json = record.json();
        assertThat(json.get("eventType").asText()).isEqualTo("VEHICLE_STATE");
        assertThat(json.get("vehicle").get("make").asText()).isEqualTo("TESLA");
        // the Kafka sink keys the record by this header: the vehicle's events stay in order on one partition
        assertThat(record.headers().get(OutboxConstants.VEHICLE_ID))
                .isNotNull()
                .isEqualTo(json.get("vehicleId").asText());
    }

    @Test
    void theErpDropGetsOneFileNamedByTheEventId() throws Exception {
        Document file = deliver("erp-drop", smartcarDelivery("VEHICLE_ERROR"), TESLA);

        Exchange written = new DefaultExchange(context);
        written.getMessage().setHeaders(file.headers());
        String fileName = context.resolveLanguage("simple")
                .createExpression(context.getPropertiesComponent()
                        .resolveProperty("bridge.destination.erp-drop.uri")
                        .orElseThrow()
                        .replaceFirst(".*fileName=", ""))
                .evaluate(written, String.class);
        assertThat(fileName).isEqualTo(file.json().get("eventId").asText() + ".json");
        assertThat(file.json().get("eventType").asText()).isEqualTo("VEHICLE_ERROR");
    }

    @Test
    void theErpsSinkRouteGetsTheEnrichedEvent() throws Exception {
        Document document = deliver("erp", smartcarDelivery("CHARGING_STARTED"), TESLA);

        assertThat(document.json().get("customerReference").asText()).isEqualTo("CUST-1001");
        assertThat(context.getRoute("example-erp-sink"))
                .as("direct:example-erp-sink, the sink route it names")
                .isNotNull();
    }
}
