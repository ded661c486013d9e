package io.carbridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.Fixtures;
import io.carbridge.testing.TestPorts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

/**
 * The management port (health, metrics) as anyone who reaches it sees it: its unauthenticated readiness detail names an
 * unhealthy destination without its host and port. (That it listens where {@code MANAGEMENT_HOST} says is checked on
 * the packaged service, {@code ReadmeStartIT}.)
 */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = {
            "bridge.db.url=jdbc:h2:mem:management-port-test",
            "bridge.destinations=crm-down",
            "bridge.destination.crm-down.url=http://127.0.0.1:{{sys:test.sink.port}}/down",
            "bridge.destination.crm-down.retry.initial-delay=100ms",
            "bridge.destination.crm-down.retry.max-delay=200ms",
            "bridge.delivery.poll-interval=100ms",
            "bridge.admin.token=management-admin"
        })
class ManagementPortTest {

    @Test
    void readinessNamesAFailingDestinationButNotItsAddress() {
        // nothing listens on the sink port in this test: every attempt is refused
        for (int i = 0; i < 3; i++) {
            byte[] body = ("{\"eventId\":\"down-" + i + "\",\"eventType\":\"VEHICLE_STATE\",\"vehicleId\":\"veh-down-"
                            + i + "\",\"data\":{},\"meta\":{\"version\":\"4.0\",\"mode\":\"LIVE\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            BridgeHttp.bridge().deliver("/webhooks/smartcar", body, Fixtures.sign(body));
        }

        String readiness = await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> BridgeHttp.management()
                                .get("/observe/health/ready?data=true", Map.of())
                                .body(),
                        body -> body.contains("crm-down"));

        assertThat(readiness)
                .contains("failed attempts in a row")
                .doesNotContain(String.valueOf(TestPorts.SINK))
                .doesNotContain("127.0.0.1");
        // the admin API, behind its token, keeps the whole error
        String admin = BridgeHttp.bridge()
                .get("/admin/destinations", Map.of("Authorization", "Bearer management-admin"))
                .body();
        assertThat(admin).contains("crm-down", String.valueOf(TestPorts.SINK));
    }
}
