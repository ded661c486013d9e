package io.carbridge.delivery;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.PostgresServer;
import org.apache.camel.test.main.junit5.CamelMainTest;

/** The stats again on PostgreSQL: the counts' upsert, the sums per minute and the backlog queries are portable. */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = {
            "bridge.db.url={{sys:test.postgres.stats_admin.url}}",
            "bridge.admin.token=stats-admin-token",
            "bridge.intake.counts-flush-interval=100ms",
            "bridge.instance-id=this-instance",
            "bridge.destinations=crm",
            "bridge.destination.crm.url=http://127.0.0.1:9/crm",
            "bridge.destination.crm.event-types=CHARGING_*"
        })
class PostgresStatsAdminRouteTest extends StatsAdminRouteTest {

    static {
        PostgresServer.newDatabase("stats_admin");
    }
}
