package io.carbridge.state;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.PostgresServer;
import org.apache.camel.test.main.junit5.CamelMainTest;

/** The state destination again, on PostgreSQL: there a claimed delivery is in flight when it is superseded. */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = {
            "bridge.db.url={{sys:test.postgres.statedestination.url}}",
            "bridge.admin.token=admin-test-token",
            "bridge.delivery.poll-interval=100ms",
            "bridge.destinations=crm,sink",
            "bridge.destination.crm.url=http://127.0.0.1:{{sys:test.sink.port}}/crm",
            "bridge.destination.crm.deliver=state",
            "bridge.destination.sink.url=http://127.0.0.1:{{sys:test.sink.port}}/sink"
        })
class PostgresStateDestinationTest extends StateDestinationTest {

    static {
        PostgresServer.newDatabase("statedestination");
    }
}
