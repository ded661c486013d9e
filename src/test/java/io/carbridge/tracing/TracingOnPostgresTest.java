package io.carbridge.tracing;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.InMemoryTraces;
import io.carbridge.testing.PostgresServer;
import org.apache.camel.test.main.junit5.CamelMainTest;

/**
 * Every tracing test again, on PostgreSQL: the context stored with the event (V11) in the intake's transaction, and
 * read with each delivery a claim takes (claims in the database there, not in memory).
 */
@CamelMainTest(
        configurationClasses = {BridgeConfiguration.class, InMemoryTraces.class},
        propertyPlaceholderLocations = {
            BridgeTest.TEST_PROPERTIES,
            BridgeTest.DESTINATIONS,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = {
            "bridge.db.url={{sys:test.postgres.tracing.url}}",
            TracingTest.DESTINATIONS,
            TracingTest.KEYED_URL,
            TracingTest.KEYED_TYPES
        })
class TracingOnPostgresTest extends TracingTest {

    static {
        PostgresServer.newDatabase("tracing");
    }
}
