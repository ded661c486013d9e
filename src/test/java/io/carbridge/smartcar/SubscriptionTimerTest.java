package io.carbridge.smartcar;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.SmartcarDouble;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** The timer of routes/subscription-sync.camel.yaml runs the sync by itself, every bridge.sync.period. */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            SmartcarDouble.PROPERTIES,
            BridgeTest.TEST_PROPERTIES,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = {"bridge.db.url=jdbc:h2:mem:subscription-timer-test", "bridge.sync.period=200ms"})
class SubscriptionTimerTest {

    private static final BridgeHttp HTTP = BridgeHttp.bridge();
    private static final SmartcarDouble SMARTCAR = new SmartcarDouble();

    @BeanInject
    CamelContext camel;

    @Test
    void aConnectedVehicleIsSubscribedByTheTimerOnceAndNotAgainByTheRunsAfter() {
        SMARTCAR.reset();
        SMARTCAR.owner("access-1", Map.of("v-1", "POLESTAR 2"), 2023);
        JdbcTemplate db = BridgeTest.database(camel);

        SMARTCAR.connect(HTTP, "user-1", "customer-1", "access-1", "refresh-1");

        await().atMost(Duration.ofSeconds(10)).until(() -> "SUBSCRIBED"
                .equals(db.queryForObject("SELECT MAX(subscription_status) FROM vehicle", String.class)));
        NotifyBuilder twoMoreRuns = new NotifyBuilder(camel)
                .fromRoute("subscription-sync-timer")
                .whenDone(2)
                .create();
        assertThat(twoMoreRuns.matches(10, TimeUnit.SECONDS)).isTrue();
        assertThat(SMARTCAR.count(
                        postRequestedFor(urlPathEqualTo("/v2.0/vehicles/v-1/webhooks/" + SmartcarDouble.WEBHOOK_ID))))
                .isEqualTo(1);
    }
}
