package io.carbridge.state;

import java.time.Duration;

import io.carbridge.Settings;
import io.carbridge.storage.Storage;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;

/**
 * The vehicles' state, made from the settings: what the intake writes of it in the events' own transaction (bound to
 * the outbox by {@link io.carbridge.BridgeConfiguration}), how it is read, its admin call and its metrics.
 */
public final class VehicleState {

    /** The window within which a VEHICLE_ERROR that repeats one received before is stored and not forwarded; 0: off. */
    public static final String ERROR_DEDUPE_WINDOW = "bridge.intake.error-dedupe-window";

    private final VehicleStateWriter writer;
    private final VehicleStateStore store;
    private final StateAdmin admin;

    /** {@value #ERROR_DEDUPE_WINDOW}, read and checked: 0 (or 0s) turns folding off. */
    public static Duration errorDedupeWindow(Settings settings) {
        Duration window = "0".equals(settings.optional(ERROR_DEDUPE_WINDOW).orElse("").trim()) ? Duration.ZERO
                : settings.duration(ERROR_DEDUPE_WINDOW, Duration.ofMinutes(5));
        if (window.isNegative()) {
            throw new Settings.InvalidSettingException(ERROR_DEDUPE_WINDOW, "must be a duration such as 5m, or 0 to forward every error");
        }
        return window;
    }

    public VehicleState(CamelContext camel, Settings settings, Storage storage, MeterRegistry meters) {
        Duration window = errorDedupeWindow(settings);
        this.writer = new VehicleStateWriter(!storage.isEmbedded(), window);
        this.store = new VehicleStateStore(storage.jdbc());
        this.admin = new StateAdmin(store, storage.jdbc());
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
