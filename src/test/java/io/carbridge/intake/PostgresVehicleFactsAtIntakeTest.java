package io.carbridge.intake;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.PostgresServer;
import org.apache.camel.test.main.junit5.CamelMainTest;

/** The vehicle facts and the subscription confirmation written at intake, on PostgreSQL. */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = {"bridge.db.url={{sys:test.postgres.facts.url}}", "bridge.admin.token=facts-admin"})
class PostgresVehicleFactsAtIntakeTest extends VehicleFactsAtIntakeTest {

    static {
        PostgresServer.newDatabase("facts");
    }
}
