package io.carbridge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.carbridge.testing.Fixtures;
import io.carbridge.testing.ServiceProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The packaged service with {@code LOG_FORMAT=json}, as an operator starts it: every line of its log, from the first to
 * the last, is one JSON object (ECS), and the lines about events carry their fields: the intake's line per delivery
 * from Smartcar, an accepted one and a rejected one, and the outbox's line per failed attempt.
 */
class JsonLogIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyLineOfTheLogIsOneJsonObjectAndTheEventsLinesCarryTheirFields() throws Exception {
        WireMockServer crm = new WireMockServer(options().dynamicPort());
        crm.start();
        // the first attempt fails (a line at WARN), the second is delivered
        crm.stubFor(post(urlEqualTo("/crm"))
                .inScenario("json")
                .whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("up")
                .willReturn(aResponse().withStatus(503).withBody("down for maintenance")));
        crm.stubFor(post(urlEqualTo("/crm"))
                .inScenario("json")
                .whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200)));
        String output;
        try (ServiceProcess service = ServiceProcess.start(
                        "json-log",
                        ServiceProcess.newDatabaseUrl("json-log"),
                        Map.of("LOG_FORMAT", "json"),
                        List.of(
                                "-Dbridge.destinations=crm",
                                "-Dbridge.destination.crm.url=http://127.0.0.1:" + crm.port() + "/crm",
                                "-Dbridge.destination.crm.retry.initial-delay=100ms",
                                "-Dbridge.delivery.poll-interval=100ms"))
                .awaitReady(Duration.ofSeconds(90))) {
            byte[] accepted = Fixtures.currentEvent("json-log-1", "VEHICLE_STATE", "veh-json-1", "");
            assertThat(service.http()
                            .deliver("/webhooks/smartcar", accepted, Fixtures.sign(accepted))
                            .status())
                    .isEqualTo(202);
            byte[] forged = Fixtures.currentEvent("json-log-forged", "VEHICLE_STATE", "veh-json-2", "");
            assertThat(service.http()
                            .deliver("/webhooks/smartcar", forged, "0".repeat(64))
                            .status())
                    .isEqualTo(401);
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            crm.findAll(postRequestedFor(urlEqualTo("/crm"))).size() == 2);
            service.stop(Duration.ofSeconds(60));
            output = service.output();
        } finally {
            crm.stop();
        }

        List<JsonNode> lines = new ArrayList<>();
        for (String line : output.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            JsonNode object = JSON.readTree(line);
            assertThat(object.isObject()).as(line).isTrue();
            assertThat(object.has("@timestamp") && object.has("log.level") && object.has("message"))
                    .as(line)
                    .isTrue();
            lines.add(object);
        }
        assertThat(lines).as("the service's log, from start to stop").hasSizeGreaterThan(5);
        assertThat(lines)
                .anySatisfy(line -> assertThat(line.get("message").asText()).contains("started"));

        JsonNode intake = one(lines, "io.carbridge.intake", "json-log-1");
        assertThat(intake.get("message").asText())
                .startsWith("outcome=accepted status=202 eventId=json-log-1 type=VEHICLE_STATE vehicleId=veh-json-1");
        assertThat(intake.get("outcome").asText()).isEqualTo("accepted");
        assertThat(intake.get("vehicleId").asText()).isEqualTo("veh-json-1");
        assertThat(intake.get("eventType").asText()).isEqualTo("VEHICLE_STATE");
        assertThat(intake.get("log.level").asText()).isEqualTo("INFO");

        JsonNode rejected = lines.stream()
                .filter(line -> line.get("log.logger").asText().equals("io.carbridge.intake")
                        && line.path("outcome").asText().equals("rejected"))
                .findFirst()
                .orElseThrow();
        assertThat(rejected.get("message").asText()).startsWith("outcome=rejected status=401 reason=signature_invalid");
        assertThat(rejected.get("log.level").asText()).isEqualTo("WARN");
        assertThat(rejected.has("eventId"))
                .as("a refused delivery names no event")
                .isFalse();

        JsonNode attempt = one(lines, "io.carbridge.outbox.OutboxConsumer", "json-log-1");
        assertThat(attempt.get("message").asText())
                .startsWith("delivery destination=crm eventId=json-log-1 attempt=1 outcome=RETRY");
        assertThat(attempt.get("destination").asText()).isEqualTo("crm");
        assertThat(attempt.get("vehicleId").asText()).isEqualTo("veh-json-1");
        assertThat(attempt.get("attempt").asText()).isEqualTo("1");
        assertThat(attempt.get("outcome").asText()).isEqualTo("RETRY");
        assertThat(attempt.get("log.level").asText()).isEqualTo("WARN");
    }

    /** The one line of this logger with this event id as a field. */
    private static JsonNode one(List<JsonNode> lines, String logger, String eventId) {
        List<JsonNode> found = lines.stream()
                .filter(line -> line.get("log.logger").asText().equals(logger)
                        && line.path("eventId").asText().equals(eventId))
                .toList();
        assertThat(found).as(logger + " about " + eventId).hasSize(1);
        return found.get(0);
    }
}
