package io.carbridge.state;

import io.carbridge.storage.Storage;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.apache.camel.CamelContext;

/**
 * The vehicles' state, made from the settings: what the intake writes of it in the events' own transaction (bound to
 * the outbox by {@link io.carbridge.BridgeConfiguration}), how it is read, its admin call and its metrics.
 */
public final class VehicleState {

    private final VehicleStateWriter writer;
    private final VehicleStateStore store;
    private final StateAdmin admin;

    /**
     * @param errorDedupeWindow within it a VEHICLE_ERROR that repeats one received before is stored and not forwarded;
     *     zero: every error is forwarded ({@code bridge.intake.error-dedupe-window})
     */
    public VehicleState(CamelContext camel, Duration errorDedupeWindow, Storage storage, MeterRegistry meters) {
        this.writer = new VehicleStateWriter(!storage.isEmbedded(), errorDedupeWindow);
        this.store = new VehicleStateStore(storage.jdbc());
        this.admin = new StateAdmin(store);
        try {
            camel.addService(new StateMetrics(store, meters, camel.getExecutorServiceManager()));
        } catch (Exception e) {
            throw new IllegalStateException("could not start the vehicle state's metrics", e);
        }
    }

    public VehicleStateWriter writer() {
        return writer;
    }

    public VehicleStateStore store() {
        return store;
    }

    public StateAdmin admin() {
        return admin;
    }
}
