package io.carbridge.smartcar;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.PostgresServer;
import io.carbridge.testing.SmartcarDouble;
import org.apache.camel.test.main.junit5.CamelMainTest;

/** The admin API's queries (filters, limits, vehicle counts) again, on PostgreSQL. */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            SmartcarDouble.PROPERTIES,
            BridgeTest.TEST_PROPERTIES,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = "bridge.db.url={{sys:test.postgres.smartcar_admin.url}}")
class PostgresV2SmartcarAdminRouteTest extends V2SmartcarAdminRouteTest {

    static {
        PostgresServer.newDatabase("smartcar_admin");
    }
}
