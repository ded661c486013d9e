package io.carbridge.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Per-destination Prometheus series, prefixed {@code bridge_delivery_} and tagged {@code destination}. */
final class DeliveryMetrics {

    private final MeterRegistry registry;
    private final Map<String, PerDestination> byDestination = new ConcurrentHashMap<>();

    DeliveryMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A destination's series, at zero until its first attempt; registered once per destination. */
    void register(String destination) {
        byDestination.computeIfAbsent(destination, name -> new PerDestination(registry, name));
    }

    /**
     * Counts the outcome of an attempt; a delivery's latency is from receipt by the bridge (or the replay request) to
     * the destination's 2xx.
     */
    void attempted(String destination, AttemptOutcome outcome, Instant queuedAt) {
        PerDestination metrics = byDestination.get(destination);
        switch (outcome.result()) {
            case DELIVERED -> {
                metrics.delivered.increment();
                metrics.latency.record(Duration.between(queuedAt, outcome.finishedAt()));
            }
            case RETRY -> metrics.retried.increment();
            case DEAD -> metrics.dead.increment();
            case PAUSED -> {}
        }
    }

    /** State deliveries were superseded rather than attempted. */
    void superseded(String destination, int deliveries) {
        byDestination.get(destination).superseded.increment(deliveries);
    }

    /** The backlog as last counted in the database. */
    void backlog(String destination, long pending, Duration oldestPendingAge, boolean paused) {
        PerDestination metrics = byDestination.get(destination);
        metrics.pending.set(pending);
        metrics.oldestPendingSeconds.set(oldestPendingAge.toSeconds());
        metrics.paused.set(paused ? 1 : 0);
    }

    private static final class PerDestination {
        final Counter delivered;
        final Counter retried;
        final Counter dead;
        final Counter superseded;
        final Timer latency;
        final AtomicLong pending = new AtomicLong();
        final AtomicLong oldestPendingSeconds = new AtomicLong();
        final AtomicLong paused = new AtomicLong();

        PerDestination(MeterRegistry registry, String name) {
            delivered = Counter.builder("bridge.delivery.delivered")
                    .tag("destination", name)
                    .description("Deliveries the destination answered with 2xx")
                    .register(registry);
            retried = Counter.builder("bridge.delivery.retried")
                    .tag("destination", name)
                    .description("Failed attempts that will be tried again")
                    .register(registry);
            dead = Counter.builder("bridge.delivery.dead")
                    .tag("destination", name)
                    .description("Deliveries dead-lettered (permanent failure or no attempts left)")
                    .register(registry);
            superseded = Counter.builder("bridge.delivery.superseded")
                    .tag("destination", name)
                    .description(
                            "State deliveries not attempted: a later state of the vehicle, or the state the destination had, made them needless")
                    .register(registry);
            latency = Timer.builder("bridge.delivery.latency")
                    .tag("destination", name)
                    .description("From receipt by the bridge to the destination's 2xx")
                    .publishPercentileHistogram()
                    .register(registry);
            Gauge.builder("bridge.delivery.pending", pending, AtomicLong::get)
                    .tag("destination", name)
                    .description("Deliveries waiting or in flight")
                    .register(registry);
            Gauge.builder("bridge.delivery.oldest.pending.age.seconds", oldestPendingSeconds, AtomicLong::get)
                    .tag("destination", name)
                    .description("Age of the oldest delivery still waiting")
                    .register(registry);
            Gauge.builder("bridge.delivery.paused", paused, AtomicLong::get)
                    .tag("destination", name)
                    .description("1 while the destination is paused (410 Gone or an operator)")
                    .register(registry);
        }
    }
}
