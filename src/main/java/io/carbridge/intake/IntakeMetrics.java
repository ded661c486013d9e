package io.carbridge.intake;

import java.time.Duration;

import io.carbridge.storage.IntakeCounts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The intake's Prometheus series, all prefixed {@code bridge_intake_}, and its outcomes per minute for the console's charts. */
public final class IntakeMetrics {

    private final MeterRegistry registry;
    private final Counter received;
    private final Counter verified;
    private final IntakeCounts perMinute;

    public IntakeMetrics(MeterRegistry registry, IntakeCounts perMinute) {
        this.registry = registry;
        this.perMinute = perMinute;
        this.received = Counter.builder("bridge.intake.received").description("Deliveries received on the webhook path").register(registry);
        this.verified = Counter.builder("bridge.intake.verified").description("Deliveries whose SC-Signature matched").register(registry);
    }

    public void received() {
        received.increment();
    }

    public void verified() {
        verified.increment();
    }

    /**
     * Counts a finished delivery under its outcome ({@code accepted}, {@code duplicate}, {@code unrecognised},
     * {@code challenge}, {@code rejected}) and times it from arrival to answer.
     */
    public void finished(String outcome, Duration elapsed) {
        registry.counter("bridge.intake.outcome", "outcome", outcome).increment();
        perMinute.count(outcome);
        Timer.builder("bridge.intake.duration")
                .description("Time from arrival to the answer sent to Smartcar")
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(registry)
                .record(elapsed);
    }

    /** A refused delivery, by reason ({@code signature}, {@code malformed_json}, {@code media_type}, {@code too_large}, ...). */
    public void rejected(String reason) {
        registry.counter("bridge.intake.rejected", "reason", reason).increment();
    }
}
