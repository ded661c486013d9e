package io.carbridge.delivery;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.PostgresServer;
import org.apache.camel.test.main.junit5.CamelMainTest;

/** Every delivery flow test again, on PostgreSQL: the outbox claims, replays and admin queries are portable. */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            BridgeTest.TEST_PROPERTIES,
            DeliveryFlowTest.DESTINATIONS,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = "bridge.db.url={{sys:test.postgres.delivery.url}}")
class PostgresDeliveryFlowTest extends DeliveryFlowTest {

    static {
        PostgresServer.newDatabase("delivery");
    }
}
