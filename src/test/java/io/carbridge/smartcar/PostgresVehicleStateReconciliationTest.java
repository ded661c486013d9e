package io.carbridge.smartcar;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.PostgresServer;
import io.carbridge.testing.SmartcarDouble;
import org.apache.camel.test.main.junit5.CamelMainTest;

/** Gap filling again on PostgreSQL: the run's claim and figures, the heartbeat, the reconciled events and the state. */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            SmartcarDouble.V3_PROPERTIES,
            BridgeTest.TEST_PROPERTIES,
            BridgeTest.DESTINATIONS,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = {"bridge.db.url={{sys:test.postgres.reconciliation.url}}", "bridge.admin.token=test-admin-token"})
class PostgresVehicleStateReconciliationTest extends VehicleStateReconciliationTest {

    static {
        PostgresServer.newDatabase("reconciliation");
    }
}
