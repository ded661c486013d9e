package io.carbridge.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.Fixtures;
import io.carbridge.testing.TestPorts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The only destination takes 30 s per request: Smartcar's answers must not wait for it. The intake only writes the
 * outbox; the destination's slowness stays with the delivery engine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = {
            "bridge.db.url=jdbc:h2:mem:hanging-destination-test",
            "bridge.delivery.stop-timeout=1s",
            "bridge.destinations=crm",
            "bridge.destination.crm.url=http://127.0.0.1:{{sys:test.sink.port}}/crm",
            "bridge.destination.crm.timeout=60s",
            "bridge.destination.crm.concurrency=4"
        })
class HangingDestinationTest {

    private static final BridgeHttp HTTP = BridgeHttp.bridge();
    private static final WireMockServer CRM =
            new WireMockServer(options().port(TestPorts.SINK).asynchronousResponseEnabled(true));
    private static final Duration HANG = Duration.ofSeconds(30);

    static {
        CRM.start();
        CRM.stubFor(
                post(urlEqualTo("/crm")).willReturn(aResponse().withStatus(200).withFixedDelay((int) HANG.toMillis())));
    }

    @BeanInject
    CamelContext camel;

    @AfterAll
    void stopCrm() {
        CRM.stop();
    }

    @Test
    void smartcarIsAnsweredWithoutWaitingForAHangingDestination() {
        List<Long> answerMillis = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] body = ("{\"eventId\":\"hang-" + i + "\",\"eventType\":\"VEHICLE_STATE\",\"vehicleId\":\"veh-"
                            + (i % 10) + "\",\"data\":{},\"meta\":{\"version\":\"4.0\",\"mode\":\"LIVE\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            long started = System.nanoTime();
            assertThat(HTTP.deliver("/webhooks/smartcar", body, Fixtures.sign(body))
                            .status())
                    .isEqualTo(202);
            answerMillis.add((System.nanoTime() - started) / 1_000_000);
            if (i == 0) {
                // from here on, every answer is given while the destination holds requests
                await().atMost(Duration.ofSeconds(10)).until(() -> !CRM.findAll(postRequestedFor(urlEqualTo("/crm")))
                        .isEmpty());
            }
        }

        assertThat(CRM.findAll(postRequestedFor(urlEqualTo("/crm"))))
                .as("attempts held by the destination")
                .hasSize(4);
        assertThat(answerMillis)
                .as("each answer, in ms, against a destination taking %s", HANG)
                .allMatch(millis -> millis < HANG.toMillis() / 10);
        JdbcTemplate db = BridgeTest.database(camel);
        assertThat(db.queryForObject(
                        "SELECT COUNT(*) FROM delivery WHERE status IN ('PENDING', 'IN_FLIGHT')", Integer.class))
                .as("nothing delivered, nothing lost: all queued")
                .isEqualTo(40);
    }
}
