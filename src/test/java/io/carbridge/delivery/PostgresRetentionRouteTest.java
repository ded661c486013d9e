package io.carbridge.delivery;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.PostgresServer;
import org.apache.camel.test.main.junit5.CamelMainTest;

/** The retention route's SQL on PostgreSQL. */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = {
            "bridge.db.url={{sys:test.postgres.retention.url}}",
            "bridge.retention.hours=168",
            "bridge.retention.batch-size=2"
        },
        replaceRouteFromWith = "retention=direct:retention")
class PostgresRetentionRouteTest extends RetentionRouteTest {

    static {
        PostgresServer.newDatabase("retention");
    }
}
