package io.carbridge.state;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state's metrics, read from the database (so the same on every instance) every {@value #REFRESH_SECONDS} s on a
 * thread of their own, never on a scrape: {@code bridge_state_vehicles}, the vehicles with a state, and
 * {@code bridge_state_freshest_signal_age_seconds}, how long ago the freshest value of any of them was updated at the
 * vehicle (its {@code oemUpdatedAt}); both 0 until a vehicle has a state.
 */
public final class StateMetrics extends ServiceSupport {

    static final long REFRESH_SECONDS = 15;
    private static final Logger LOG = LoggerFactory.getLogger(StateMetrics.class);

    private final VehicleStateStore store;
    private final ExecutorServiceManager executors;
    private final AtomicLong vehicles = new AtomicLong();
    /** The freshest value's time, epoch milliseconds; 0 without one. */
    private final AtomicLong freshest = new AtomicLong();

    private ScheduledExecutorService refresher;

    StateMetrics(VehicleStateStore store, MeterRegistry meters, ExecutorServiceManager executors) {
        this.store = store;
        this.executors = executors;
        Gauge.builder("bridge.state.vehicles", vehicles, AtomicLong::get)
                .description("Vehicles with a state: the latest value or error of at least one signal")
                .register(meters);
        Gauge.builder("bridge.state.freshest.signal.age.seconds", this, StateMetrics::freshestAgeSeconds)
                .description(
                        "Seconds since the freshest signal value of any vehicle was updated at the vehicle (oemUpdatedAt); 0 without one")
                .register(meters);
    }

    @Override
    protected void doStart() {
        refresher = executors.newSingleThreadScheduledExecutor(this, "vehicle-state-metrics");
        refresher.scheduleWithFixedDelay(this::refresh, 0, REFRESH_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    protected void doStop() {
        if (refresher != null) {
            executors.shutdown(refresher);
        }
    }

    void refresh() {
        try {
            VehicleStateStore.Summary summary = store.summary();
            vehicles.set(summary.vehicles());
            freshest.set(summary.freshest() == null ? 0 : summary.freshest().toEpochMilli());
        } catch (RuntimeException e) {
            LOG.debug("could not read the vehicle state's metrics: {}", e.getMessage());
        }
    }

    private double freshestAgeSeconds() {
        long at = freshest.get();
        return at == 0
                ? 0
                : Math.max(
                        0,
                        Duration.between(Instant.ofEpochMilli(at), Instant.now())
                                        .toMillis()
                                / 1000.0);
    }
}
