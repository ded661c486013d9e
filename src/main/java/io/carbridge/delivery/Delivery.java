package io.carbridge.delivery;

import java.time.Duration;

import io.carbridge.Settings;
import io.carbridge.admin.AdminAccess;
import io.carbridge.outbox.OutboxComponent;
import io.carbridge.storage.Storage;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;

/**
 * Sets up forwarding: reads the destinations (Camel makes one route per destination from the {@code http-destination}
 * template with them), adds the {@code outbox} component those routes consume, and binds the template's steps.
 */
public final class Delivery {

    private Delivery() {
    }

    public static void install(CamelContext camel, Settings settings, Storage storage, MeterRegistry meters, AdminAccess admin)
            throws Exception {
        // event ids are Smartcar's deduplication keys: keep them at least the 7 days Smartcar advises
        settings.integer("bridge.retention.hours", 720, 168, 87_600);
        settings.timerPeriod("bridge.retention.interval", Duration.ofHours(1));
        settings.integer("bridge.retention.batch-size", 500, 1, 100_000);
        Destinations destinations = Destinations.from(settings);
        camel.getRegistry().bind("bridgeDestinations", destinations);
        camel.getRegistry().bind("eventEnricher", new EventEnricher());
        camel.getRegistry().bind("outboundRequest", new OutboundRequest(destinations));

        OutboxComponent outbox = new OutboxComponent(storage, settings.instanceId(), destinations, meters, destinations::secretsOf,
                new OutboxComponent.Settings(
                        settings.integer("bridge.intake.max-batch", 256, 1, 10_000),
                        settings.duration("bridge.intake.commit-timeout", Duration.ofSeconds(10)),
                        settings.duration("bridge.intake.min-commit-interval", Duration.ofMillis(5)),
                        settings.duration("bridge.delivery.poll-interval", Duration.ofSeconds(1)),
                        settings.duration("bridge.delivery.claim-margin", Duration.ofSeconds(60)),
                        settings.duration("bridge.delivery.min-commit-interval", Duration.ofMillis(5)),
                        settings.duration("bridge.delivery.stop-timeout", Duration.ofSeconds(20))));
        camel.addComponent("outbox", outbox);
        HealthCheckRegistry.get(camel).register(new DestinationsHealthCheck(outbox));
        camel.addRoutes(new DeliveryAdminRoutes(admin, storage, outbox, destinations));
        camel.addRoutes(new StatsAdminRoutes(admin, storage, outbox.outbox(), destinations));
        destinations.checkTransformsExistAtStart(camel);
    }
}
