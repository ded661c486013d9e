package io.carbridge.smartcar;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One run of the reconciliation of the subscribed vehicles' signals with Smartcar: what started it, what it did, and
 * whether it goes on (the route's split checks {@link #isActive()} before each vehicle; a run stops when the bridge
 * stops, or when another instance holds the reconciliation).
 */
public final class ReconciliationRun {

    /** What starts a run: the bridge was down longer than Smartcar's retries cover, or an operator asked. */
    public enum Trigger {
        DOWNTIME,
        OPERATOR
    }

    /** The body a run starts from (the admin call's and the start-up check's). */
    public record Request(Trigger trigger, Instant downSince) {}

    private final String claimedBy;
    private final Request request;
    private final Instant startedAt;
    private final AtomicInteger vehiclesRead = new AtomicInteger();
    private final AtomicInteger signalsNewer = new AtomicInteger();
    private final AtomicInteger eventsStored = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private volatile int vehiclesTotal;
    private volatile String lastError;
    private volatile String stoppedBecause;
    private volatile boolean claimed;

    ReconciliationRun(String instance, Request request, Instant startedAt) {
        this.claimedBy = instance + "/" + UUID.randomUUID().toString().substring(0, 8);
        this.request = request;
        this.startedAt = startedAt;
    }

    String claimedBy() {
        return claimedBy;
    }

    Request request() {
        return request;
    }

    /** This run holds the reconciliation (its claim in the database). */
    boolean claimed() {
        return claimed;
    }

    void claimed(boolean claimed) {
        this.claimed = claimed;
    }

    public boolean isActive() {
        return stoppedBecause == null;
    }

    void stop(String because) {
        stoppedBecause = because;
    }

    String stoppedBecause() {
        return stoppedBecause;
    }

    void vehiclesTotal(int total) {
        vehiclesTotal = total;
    }

    int vehiclesTotal() {
        return vehiclesTotal;
    }

    void vehicleRead() {
        vehiclesRead.incrementAndGet();
    }

    int vehiclesRead() {
        return vehiclesRead.get();
    }

    void signalsNewer(int count) {
        signalsNewer.addAndGet(count);
    }

    int signalsNewer() {
        return signalsNewer.get();
    }

    void eventStored() {
        eventsStored.incrementAndGet();
    }

    int eventsStored() {
        return eventsStored.get();
    }

    void failed(String error) {
        failures.incrementAndGet();
        lastError = error;
    }

    int failures() {
        return failures.get();
    }

    String lastError() {
        return lastError;
    }

    /** What the log line says at the end. */
    Map<String, Object> summary() {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("run", claimedBy);
        summary.put("trigger", request.trigger().name().toLowerCase());
        summary.put("downSince", request.downSince());
        summary.put("startedAt", startedAt);
        summary.put("vehiclesTotal", vehiclesTotal);
        summary.put("vehiclesRead", vehiclesRead.get());
        summary.put("signalsNewer", signalsNewer.get());
        summary.put("eventsStored", eventsStored.get());
        summary.put("failures", failures.get());
        if (stoppedBecause != null) {
            summary.put("stopped", stoppedBecause);
        }
        return summary;
    }

    @Override
    public String toString() {
        return "ReconciliationRun" + summary();
    }
}
