package io.carbridge.state;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.DestinationsDouble;
import io.carbridge.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A destination that takes a vehicle's state ({@code deliver = state}) beside one that takes every event: 20 states of
 * one vehicle arrive while it is paused; once resumed it gets one delivery, the newest, carrying the newest values, and
 * the 19 others are superseded, kept and listed; a late state with older values is superseded too, never sent; an error
 * is always sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = {
            "bridge.db.url=jdbc:h2:mem:state-destination-test",
            "bridge.admin.token=admin-test-token",
            "bridge.delivery.poll-interval=100ms",
            "bridge.destinations=crm,sink",
            "bridge.destination.crm.url=http://127.0.0.1:{{sys:test.sink.port}}/crm",
            "bridge.destination.crm.deliver=state",
            "bridge.destination.sink.url=http://127.0.0.1:{{sys:test.sink.port}}/sink"
        })
class StateDestinationTest {

    private static final BridgeHttp HTTP = BridgeHttp.bridge();
    private static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer admin-test-token");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long BASE = 1_764_900_000_000L;
    private WireMockServer sink;

    @BeanInject
    CamelContext camel;

    @BeforeAll
    void startSink() {
        sink = DestinationsDouble.start();
        DestinationsDouble.answerEverythingWith200(sink);
    }

    @AfterAll
    void stopSink() {
        sink.stop();
    }

    @Test
    void aStateDestinationGetsTheNewestOfTheStatesWaitingNeverAnOlderOneAndEveryError() throws Exception {
        sink.stubFor(
                post(urlEqualTo("/crm")).atPriority(1).willReturn(aResponse().withStatus(200)));
        assertThat(HTTP.send("POST", "/admin/destinations/crm/pause", null, ADMIN)
                        .status())
                .isEqualTo(200);
        for (int i = 1; i <= 20; i++) {
            deliver(state("state-" + i, 50 + i, BASE + i * 60_000L));
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> sink.findAll(postRequestedFor(urlEqualTo("/sink"))).size() == 20);
        assertThat(sink.findAll(postRequestedFor(urlEqualTo("/crm"))))
                .as("paused")
                .isEmpty();

        assertThat(HTTP.send("POST", "/admin/destinations/crm/resume", null, ADMIN)
                        .status())
                .isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).until(() -> settled(statuses("crm")));
        List<LoggedRequest> received = sink.findAll(postRequestedFor(urlEqualTo("/crm")));
        assertThat(received).as("one delivery").hasSize(1);
        JsonNode document = JSON.readTree(received.get(0).getBody());
        assertThat(document.get("eventId").asText()).isEqualTo("state-20");
        JsonNode charge = signal(document, "tractionbattery-stateofcharge");
        assertThat(charge.get("value").get("value").asInt())
                .as("the newest value")
                .isEqualTo(70);
        List<Map<String, Object>> superseded = db().queryForList(
                        "SELECT event_id, superseded_by FROM delivery WHERE destination = 'crm' "
                                + "AND status = 'SUPERSEDED' ORDER BY id");
        assertThat(superseded).hasSize(19).allSatisfy(row -> assertThat(row.get("SUPERSEDED_BY"))
                .isEqualTo("state-20"));
        JsonNode listed = HTTP.get("/admin/deliveries?destination=crm&status=SUPERSEDED", ADMIN)
                .json();
        assertThat(listed).hasSize(19);
        assertThat(listed.get(0).get("supersededBy").asText()).isEqualTo("state-20");
        assertThat(BridgeHttp.metric("bridge_delivery_superseded_total{destination=\"crm\"}"))
                .isEqualTo(19);
        assertThat(sink.findAll(postRequestedFor(urlEqualTo("/sink"))))
                .as("the other destination has every event")
                .hasSize(20);

        // a late delivery with older values: nothing the state destination has not had
        deliver(state("state-late", 40, BASE + 5 * 60_000L));
        await().atMost(Duration.ofSeconds(20)).until(() -> statuses("crm").size() == 21 && settled(statuses("crm")));
        assertThat(db().queryForObject(
                                "SELECT status FROM delivery WHERE destination = 'crm' AND event_id = 'state-late'",
                                String.class))
                .isEqualTo("SUPERSEDED");
        assertThat(db().queryForObject(
                                "SELECT superseded_by FROM delivery WHERE destination = 'crm' AND event_id = 'state-late'",
                                String.class))
                .isEqualTo("state-20");
        assertThat(sink.findAll(postRequestedFor(urlEqualTo("/crm"))))
                .as("never back in time")
                .hasSize(1);

        // an error is news, and so is a newer value
        deliver(Fixtures.currentEvent("state-error", "VEHICLE_ERROR", "veh-state", ""));
        deliver(state("state-newer", 80, BASE + 30 * 60_000L));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> sink.findAll(postRequestedFor(urlEqualTo("/crm"))).size() == 3);
        assertThat(statuses("crm")).doesNotContain("PENDING", "IN_FLIGHT", "DEAD");
    }

    private static JsonNode signal(JsonNode document, String code) {
        for (JsonNode signal : document.get("state").get("signals")) {
            if (signal.get("code").asText().equals(code)) {
                return signal;
            }
        }
        throw new AssertionError("no signal " + code + " in " + document.get("state"));
    }

    /**
     * A 4.0 VEHICLE_STATE of vehicle veh-state with one signal, the state of charge, as the vehicle reported it then.
     */
    private static byte[] state(String eventId, int charge, long oemUpdatedAt) {
        return ("{\"eventId\":\"" + eventId
                        + "\",\"eventType\":\"VEHICLE_STATE\",\"vehicleId\":\"veh-state\",\"data\":{\"signals\":["
                        + "{\"code\":\"tractionbattery-stateofcharge\",\"body\":{\"unit\":\"percent\",\"value\":"
                        + charge + "},"
                        + "\"meta\":{\"oemUpdatedAt\":" + oemUpdatedAt + ",\"fetchedAt\":" + (oemUpdatedAt + 1_000)
                        + "}}]},"
                        + "\"meta\":{\"version\":\"4.0\",\"mode\":\"LIVE\",\"webhookId\":\"wh-test\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static void deliver(byte[] body) {
        assertThat(HTTP.deliver("/webhooks/smartcar", body, Fixtures.sign(body)).status())
                .isEqualTo(202);
    }

    private List<String> statuses(String destination) {
        return db().queryForList(
                        "SELECT status FROM delivery WHERE destination = ? ORDER BY id", String.class, destination);
    }

    /** Nothing waits or is in flight: every delivery has its outcome. */
    private static boolean settled(List<String> statuses) {
        return statuses.stream().noneMatch(status -> status.equals("PENDING") || status.equals("IN_FLIGHT"));
    }

    private JdbcTemplate db() {
        return BridgeTest.database(camel);
    }
}
