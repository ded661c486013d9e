package io.carbridge.intake;

import io.carbridge.storage.IntakeCounts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The intake's Prometheus series, all prefixed {@code bridge_intake_}, and its outcomes per minute for the console's
 * charts. Every series exists from the start, at zero, so that a rate or an alert over it works before its first event.
 */
public final class IntakeMetrics {

    /** How a delivery ended: the {@code outcome} label. */
    static final List<String> OUTCOMES =
            List.of("accepted", "duplicate", "unrecognised", "challenge", "stale", "rejected");
    /** Why a delivery was refused: the {@code reason} label. */
    static final List<String> REJECTIONS = List.of(
            "method",
            "media_type",
            "empty_body",
            "too_large",
            "malformed_json",
            "malformed_event",
            "signature_missing",
            "signature_invalid",
            "storage_unavailable",
            "internal_error",
            "not_found",
            "shutting_down",
            "malformed_request",
            "malformed_uri",
            "body_read_timeout");

    private final MeterRegistry registry;
    private final Counter received;
    private final Counter verified;
    private final IntakeCounts perMinute;
    private final Map<String, Counter> outcomes;
    private final Map<String, Timer> durations;
    /** Epoch milliseconds of the last delivery whose signature matched; 0 before the first. */
    private final AtomicLong lastReceived = new AtomicLong();

    public IntakeMetrics(MeterRegistry registry, IntakeCounts perMinute) {
        this.registry = registry;
        this.perMinute = perMinute;
        this.received = Counter.builder("bridge.intake.received")
                .description("Deliveries received on the webhook path")
                .register(registry);
        this.verified = Counter.builder("bridge.intake.verified")
                .description("Deliveries whose SC-Signature matched")
                .register(registry);
        this.outcomes = byLabel(OUTCOMES, outcome -> Counter.builder("bridge.intake.outcome")
                .tag("outcome", outcome)
                .description("Deliveries by how they ended")
                .register(registry));
        this.durations = byLabel(OUTCOMES, outcome -> Timer.builder("bridge.intake.duration")
                .description("Time from arrival to the answer sent to Smartcar")
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(registry));
        REJECTIONS.forEach(this::rejectedCounter);
        Gauge.builder("bridge.intake.last.received.timestamp", lastReceived, last -> last.get() / 1000.0)
                .baseUnit("seconds")
                .description(
                        "When the last correctly signed delivery arrived (Unix time); alert when Smartcar goes silent")
                .register(registry);
    }

    public void received() {
        received.increment();
    }

    /** A delivery whose signature matched: Smartcar is sending. */
    public void verified() {
        verified.increment();
        lastReceived.accumulateAndGet(System.currentTimeMillis(), Math::max);
    }

    /** At start: when the newest stored event arrived, so that the gauge holds its value across restarts. */
    void lastReceivedAt(Instant instant) {
        lastReceived.accumulateAndGet(instant.toEpochMilli(), Math::max);
    }

    /**
     * Counts a finished delivery under its outcome ({@code accepted}, {@code duplicate}, {@code unrecognised},
     * {@code challenge}, {@code stale}, {@code rejected}) and times it from arrival to answer.
     */
    public void finished(String outcome, Duration elapsed) {
        outcomes.get(outcome).increment();
        perMinute.count(outcome);
        durations.get(outcome).record(elapsed);
    }

    /** A refused delivery, by reason ({@code signature_invalid}, {@code malformed_json}, {@code media_type}, ...). */
    public void rejected(String reason) {
        rejectedCounter(reason).increment();
    }

    private Counter rejectedCounter(String reason) {
        return Counter.builder("bridge.intake.rejected")
                .tag("reason", reason)
                .description("Deliveries refused, by reason")
                .register(registry);
    }

    private static <T> Map<String, T> byLabel(List<String> labels, Function<String, T> meter) {
        return labels.stream().collect(Collectors.toUnmodifiableMap(Function.identity(), meter));
    }
}
