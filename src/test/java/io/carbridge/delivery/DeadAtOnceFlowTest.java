package io.carbridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.Fixtures;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

/**
 * An error every sink has on its list of what another attempt cannot fix, through the real routes: a team's sink route
 * whose endpoint no component can make ({@code NoSuchEndpointException}, here from a {@code toD} naming a scheme no
 * component has) makes a dead letter at the first attempt, with the reason, and is counted as one.
 */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = {
            "bridge.db.url=jdbc:h2:mem:dead-at-once-flow-test",
            "bridge.delivery.poll-interval=100ms",
            "camel.main.routes-include-pattern=file:routes/*.camel.yaml,classpath:delivery/dynamic-sink.camel.yaml",
            "bridge.destinations=dynamic",
            "bridge.destination.dynamic.uri=direct:dynamic-sink",
            "bridge.destination.dynamic.retry.initial-delay=100ms"
        })
class DeadAtOnceFlowTest {

    private static final BridgeHttp HTTP = BridgeHttp.bridge();

    @BeanInject
    CamelContext camel;

    @Test
    void anEndpointNoComponentCanMakeIsADeadLetterAtTheFirstAttempt() {
        byte[] body = Fixtures.currentEvent("unresolvable", "VEHICLE_STATE", "veh-unresolvable", "");
        assertThat(HTTP.deliver("/webhooks/smartcar", body, Fixtures.sign(body)).status())
                .isEqualTo(202);

        List<Map<String, Object>> delivery = await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> BridgeTest.database(camel)
                                .queryForList(
                                        "SELECT status, attempts, last_error FROM delivery WHERE event_id = 'unresolvable'"),
                        rows -> rows.size() == 1 && "DEAD".equals(rows.get(0).get("STATUS")));
        assertThat(((Number) delivery.get(0).get("ATTEMPTS")).intValue())
                .as("not retried")
                .isEqualTo(1);
        assertThat((String) delivery.get(0).get("LAST_ERROR"))
                .contains("permanent failure", "NoSuchEndpointException", "nosuchscheme");
        assertThat(BridgeHttp.metric("bridge_delivery_dead_total{destination=\"dynamic\"}"))
                .isEqualTo(1);
    }
}
