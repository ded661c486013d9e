package io.carbridge.smartcar;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.PostgresServer;
import io.carbridge.testing.SmartcarDouble;
import org.apache.camel.test.main.junit5.CamelMainTest;

/** Every v2.0 subscription sync test again, on PostgreSQL: the claims, upserts and conditional updates are portable. */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            SmartcarDouble.PROPERTIES,
            BridgeTest.TEST_PROPERTIES,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = "bridge.db.url={{sys:test.postgres.smartcar_sync.url}}")
class PostgresV2SubscriptionSyncRouteTest extends V2SubscriptionSyncRouteTest {

    static {
        PostgresServer.newDatabase("smartcar_sync");
    }
}
