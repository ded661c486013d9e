package io.carbridge.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.DestinationsDouble;
import io.carbridge.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Destinations that are neither HTTP nor Kafka, through the real routes: a file drop, one file per event; a team's own
 * sink route (routes/example-erp-sink.camel.yaml) that says the outcome itself, here a pause while the ERP is locked;
 * and the HTTP destination's settings shown and tried from the admin API, secrets masked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = {
            "bridge.db.url=jdbc:h2:mem:endpoint-sinks-flow-test",
            "bridge.admin.token=admin-test-token",
            "bridge.delivery.poll-interval=100ms",
            "bridge.destinations=drop,erp,crm",
            "bridge.destination.drop.uri=file:target/endpoint-sinks-flow/drop?fileName=${header.CamelOutboxEventId}.json",
            "bridge.destination.drop.event-types=VEHICLE_STATE",
            "bridge.destination.erp.uri=direct:example-erp-sink",
            "bridge.destination.erp.event-types=VEHICLE_ERROR",
            "example.erp.import-url=http://127.0.0.1:{{sys:test.sink.port}}/erp",
            "bridge.destination.crm.url=http://127.0.0.1:{{sys:test.sink.port}}/crm",
            "bridge.destination.crm.auth=bearer",
            "bridge.destination.crm.auth-secret-env=CRM_TOKEN",
            "CRM_TOKEN=crm-s3cret",
            "bridge.destination.crm.transform=direct:crm-contact-activity",
            "bridge.destination.crm.event-types=CHARGING_*"
        })
class EndpointSinksFlowTest {

    private static final BridgeHttp HTTP = BridgeHttp.bridge();
    private static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer admin-test-token");
    private static final Path DROP = Path.of("target", "endpoint-sinks-flow", "drop");
    private static final ObjectMapper JSON = new ObjectMapper();
    private WireMockServer sink;

    @BeanInject
    CamelContext camel;

    @BeforeAll
    void startSink() throws IOException {
        sink = DestinationsDouble.start();
        DestinationsDouble.answerEverythingWith200(sink);
        if (Files.exists(DROP)) {
            try (Stream<Path> files = Files.list(DROP)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    @AfterAll
    void stopSink() {
        sink.stop();
    }

    @Test
    void aFileDestinationWritesOneFilePerEventNamedByItsId() throws Exception {
        for (int i = 0; i < 3; i++) {
            deliver(Fixtures.currentEvent("drop-" + i, "VEHICLE_STATE", "veh-drop", ""));
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(DROP) && fileCount() == 3);
        JsonNode document = JSON.readTree(Files.readAllBytes(DROP.resolve("drop-1.json")));
        assertThat(document.get("eventId").asText()).isEqualTo("drop-1");
        assertThat(document.get("vehicleId").asText()).isEqualTo("veh-drop");
        await().atMost(Duration.ofSeconds(5)).until(() -> statuses("drop-2").equals(List.of("DELIVERED")));
    }

    @Test
    void aTeamsSinkRouteSaysTheOutcomeItselfHerePausingTheDestinationUntilItIsResumed() {
        sink.stubFor(
                post(urlEqualTo("/erp")).atPriority(1).willReturn(aResponse().withStatus(423)));

        deliver(Fixtures.currentEvent("erp-locked", "VEHICLE_ERROR", "veh-erp", ""));

        await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> HTTP.get("/admin/destinations", ADMIN)
                                .json()
                                .toString()
                                .contains(
                                        "\"name\":\"erp\",\"paused\":true,\"healthy\":false,\"problem\":\"paused: the ERP is locked for its month-end close\""));
        assertThat(statuses("erp-locked")).as("waits, not dead").containsExactly("PENDING");
        sink.stubFor(
                post(urlEqualTo("/erp")).atPriority(1).willReturn(aResponse().withStatus(200)));

        assertThat(HTTP.send("POST", "/admin/destinations/erp/resume", null, ADMIN)
                        .status())
                .isEqualTo(200);

        await().atMost(Duration.ofSeconds(20))
                .until(() -> statuses("erp-locked").equals(List.of("DELIVERED")));
        assertThat(sink.findAll(postRequestedFor(urlEqualTo("/erp")))).hasSize(2);
    }

    @Test
    void theAdminApiShowsAnHttpDestinationWithoutItsSecretAndTriesItsTransform() {
        BridgeHttp.Response shown = HTTP.get("/admin/destinations/crm", ADMIN);
        assertThat(shown.body()).doesNotContain("crm-s3cret");
        assertThat(shown.json().get("sink").get("kind").asText()).isEqualTo("http");
        assertThat(shown.json().get("settings").get("auth-secret-env").asText()).isEqualTo("CRM_TOKEN");
        assertThat(shown.json().get("settings").get("transform").asText()).isEqualTo("direct:crm-contact-activity");

        JsonNode tried =
                HTTP.send("POST", "/admin/destinations/crm/try", null, ADMIN).json();
        assertThat(tried.get("document").get("activityType").asText())
                .as(tried.toString())
                .isEqualTo("VEHICLE_EVENT");
        assertThat(tried.get("eventType").asText()).isEqualTo("VEHICLE_STATE");
        assertThat(tried.get("wanted").asBoolean())
                .as("the destination takes CHARGING_* only, and says so")
                .isFalse();
        assertThat(sink.findAll(postRequestedFor(urlEqualTo("/crm"))))
                .as("not sent without send=true")
                .isEmpty();

        JsonNode sent = HTTP.send("POST", "/admin/destinations/crm/try?type=CHARGING_STARTED&send=true", null, ADMIN)
                .json();
        assertThat(sent.get("wanted").asBoolean()).isTrue();
        assertThat(sent.get("attempt").get("outcome").asText()).isEqualTo("DELIVERED");
        assertThat(sink.findAll(postRequestedFor(urlEqualTo("/crm")))).hasSize(1);
        assertThat(sink.findAll(postRequestedFor(urlEqualTo("/crm"))).get(0).getHeader("Authorization"))
                .isEqualTo("Bearer crm-s3cret");
        assertThat(HTTP.send("POST", "/admin/destinations/crm/try?type=NOTHING", null, ADMIN)
                        .status())
                .isEqualTo(400);
        assertThat(HTTP.send("POST", "/admin/destinations/crm/try", "not json".getBytes(), ADMIN)
                        .status())
                .isEqualTo(400);
    }

    private static long fileCount() throws IOException {
        try (Stream<Path> files = Files.list(DROP)) {
            return files.filter(file -> file.getFileName().toString().startsWith("drop-"))
                    .count();
        }
    }

    private static void deliver(byte[] body) {
        assertThat(HTTP.deliver("/webhooks/smartcar", body, Fixtures.sign(body)).status())
                .isEqualTo(202);
    }

    private List<String> statuses(String eventId) {
        return db().queryForList("SELECT status FROM delivery WHERE event_id = ? ORDER BY id", String.class, eventId);
    }

    private JdbcTemplate db() {
        return BridgeTest.database(camel);
    }
}
