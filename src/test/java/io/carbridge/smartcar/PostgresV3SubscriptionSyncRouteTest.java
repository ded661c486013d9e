package io.carbridge.smartcar;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.PostgresServer;
import io.carbridge.testing.SmartcarDouble;
import org.apache.camel.test.main.junit5.CamelMainTest;

/**
 * Every v3 subscription sync test again, on PostgreSQL: the listing claim, the upserts and the gone marking are
 * portable.
 */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            SmartcarDouble.V3_PROPERTIES,
            BridgeTest.TEST_PROPERTIES,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = "bridge.db.url={{sys:test.postgres.smartcar_v3_sync.url}}")
class PostgresV3SubscriptionSyncRouteTest extends V3SubscriptionSyncRouteTest {

    static {
        PostgresServer.newDatabase("smartcar_v3_sync");
    }
}
