package io.carbridge.delivery;

import java.time.Duration;

import io.carbridge.Settings;
import io.carbridge.admin.AdminAccess;
import io.carbridge.storage.Storage;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;

/**
 * Sets up forwarding: reads the destinations, makes Camel create one route per destination from the
 * {@code http-destination} template, and starts the delivery engine with Camel.
 */
public final class Delivery {

    private final Destinations destinations;
    private final DeliveryEngine engine;

    private Delivery(Destinations destinations, DeliveryEngine engine) {
        this.destinations = destinations;
        this.engine = engine;
    }

    public static Delivery install(CamelContext camel, Settings settings, Storage storage, MeterRegistry meters, AdminAccess admin)
            throws Exception {
        // event ids are Smartcar's deduplication keys: keep them at least the 7 days Smartcar advises
        settings.integer("bridge.retention.hours", 720, 168, 87_600);
        settings.timerPeriod("bridge.retention.interval", Duration.ofHours(1));
        settings.integer("bridge.retention.batch-size", 500, 1, 100_000);
        Destinations destinations = Destinations.from(settings);
        camel.getRegistry().bind("bridgeDestinations", destinations);
        camel.getRegistry().bind("prepareOutboundRequest", new OutboundRequest());

        Outbox outbox = new Outbox(storage, settings.instanceId());
        DeliveryEngine engine = new DeliveryEngine(camel, destinations, outbox, new EventEnricher(storage),
                new DeliveryMetrics(meters, destinations.all()),
                settings.duration("bridge.delivery.poll-interval", Duration.ofSeconds(1)),
                settings.duration("bridge.delivery.claim-margin", Duration.ofSeconds(60)),
                settings.duration("bridge.delivery.min-commit-interval", Duration.ofMillis(5)),
                settings.duration("bridge.delivery.stop-timeout", Duration.ofSeconds(20)));
        camel.addService(engine);
        camel.addStartupListener(engine);
        HealthCheckRegistry.get(camel).register(new DestinationsHealthCheck(engine));
        camel.addRoutes(new DeliveryAdminRoutes(admin, storage, outbox, engine, destinations));
        camel.addRoutes(new StatsAdminRoutes(admin, storage, outbox, destinations));
        return new Delivery(destinations, engine);
    }

    public Destinations destinations() {
        return destinations;
    }

    /** Wakes the dispatchers after the intake committed new outbox rows. */
    public Runnable wakeup() {
        return engine::wakeAll;
    }
}
