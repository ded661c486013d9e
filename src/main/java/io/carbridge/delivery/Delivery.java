package io.carbridge.delivery;

import io.carbridge.Settings;
import io.carbridge.delivery.http.HttpSinkSteps;
import io.carbridge.intake.IntakeSettings;
import io.carbridge.outbox.OutboxComponent;
import io.carbridge.state.VehicleStateStore;
import io.carbridge.storage.IntakeCounts;
import io.carbridge.storage.RetentionSettings;
import io.carbridge.storage.Storage;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;

/**
 * Forwarding, made from the settings: the destinations (Camel makes the routes of each from the {@code destination}
 * template and its sink's template with them), the {@code outbox} component those routes consume, and the templates'
 * steps, all bound by {@link io.carbridge.BridgeConfiguration}; and what runs beside the routes.
 */
public final class Delivery {

    private final Storage storage;
    private final Destinations destinations;
    private final OutboxComponent outbox;

    public Delivery(Settings settings, Storage storage, MeterRegistry meters) {
        // the retention route reads its settings itself ({{bridge.retention.*}}): checked here, before it runs
        settings.of(RetentionSettings.class);
        IntakeSettings intake = settings.of(IntakeSettings.class);
        DeliverySettings delivery = settings.of(DeliverySettings.class);
        this.storage = storage;
        this.destinations = Destinations.from(settings);
        this.outbox = new OutboxComponent(
                storage,
                settings.instanceId(),
                destinations,
                meters,
                new OutboxComponent.Settings(
                        intake.maxBatch(),
                        intake.commitTimeout(),
                        intake.minCommitInterval(),
                        delivery.pollInterval,
                        delivery.claimMargin,
                        delivery.minCommitInterval,
                        delivery.stopTimeout));
    }

    public Destinations destinations() {
        return destinations;
    }

    public OutboxComponent outbox() {
        return outbox;
    }

    /** The steps of the destination template around the transform; a state destination's events carry {@code state}. */
    public DeliverySteps steps(VehicleStateStore state) {
        return new DeliverySteps(
                name -> destinations.get(name) != null
                        && destinations.get(name).policy().latestState(),
                state);
    }

    /** The steps of the HTTP sink's template. */
    public HttpSinkSteps httpSinkSteps() {
        return new HttpSinkSteps(destinations::httpSink);
    }

    /** The admin calls on events, deliveries and destinations. */
    public DeliveryAdmin admin(CamelContext camel) {
        return new DeliveryAdmin(storage, outbox, destinations, new DestinationTrial(camel, outbox));
    }

    /** The admin call behind the console's overview; {@code counts}: this instance's intake counts. */
    public StatsAdmin statsAdmin(IntakeCounts counts) {
        return new StatsAdmin(storage, outbox.outbox(), destinations, counts);
    }

    /** The destinations' health detail, and the check that Camel can make every sink. */
    public void install(CamelContext camel) throws Exception {
        HealthCheckRegistry.get(camel).register(new DestinationsHealthCheck(outbox));
        destinations.checkSinks(camel);
    }
}
