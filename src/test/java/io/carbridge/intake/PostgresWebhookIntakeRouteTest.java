package io.carbridge.intake;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.PostgresServer;
import org.apache.camel.test.main.junit5.CamelMainTest;

/** Every intake route test again, on PostgreSQL: the schema, the deduplication and the group commit are portable. */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = "bridge.db.url={{sys:test.postgres.intake.url}}")
class PostgresWebhookIntakeRouteTest extends WebhookIntakeRouteTest {

    static {
        PostgresServer.newDatabase("intake");
    }
}
