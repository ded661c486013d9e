package io.carbridge.smartcar;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One run of the subscription sync: its claim name, what it did, and whether it must stop (Smartcar rate-limited it, or
 * a pause from an earlier 429 is still running). The routes' splits check {@link #isActive()} before each item. The
 * listings of both API versions count what they found here ({@link Listing}).
 */
public final class SyncRun {

    private final String claimedBy;
    private final Instant startedAt;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger subscribed = new AtomicInteger();
    private final AtomicInteger gone = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger subscribedBySmartcar = new AtomicInteger();
    private volatile Instant pausedUntil;
    private volatile boolean off;
    /** v3: whether the webhook subscribes every vehicle by itself; null until read (and with v2.0). */
    private volatile Boolean webhookSubscribesEveryVehicle;

    SyncRun(String instance, Instant startedAt) {
        // unique per run, so that two runs of one instance never take each other's claims for their own
        this.claimedBy = instance + "/" + UUID.randomUUID().toString().substring(0, 8);
        this.startedAt = startedAt;
    }

    public String claimedBy() {
        return claimedBy;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public boolean isActive() {
        return !off && pausedUntil == null;
    }

    /** Connect and the sync are not configured ({@code SMARTCAR_CLIENT_ID}): this run does nothing. */
    void off() {
        off = true;
    }

    /** Smartcar asked to wait: nothing more is called in this run. */
    void pauseUntil(Instant until) {
        pausedUntil = until;
    }

    /** The connections of a listing were handled: v2.0 the owner's one, v3 those of the application. */
    public void connectionsSynced(int count) {
        connections.addAndGet(count);
    }

    public void webhookSubscribesEveryVehicle(boolean autoSubscribe) {
        webhookSubscribesEveryVehicle = autoSubscribe;
    }

    public void vehiclesSubscribedBySmartcar(int count) {
        subscribedBySmartcar.addAndGet(count);
    }

    void vehicleSubscribed() {
        subscribed.incrementAndGet();
    }

    void vehiclesGone(int count) {
        gone.addAndGet(count);
    }

    public void failed() {
        failures.incrementAndGet();
    }

    boolean didAnything() {
        return connections.get() + failures.get() > 0 || pausedUntil != null;
    }

    /** What the admin API answers and the run logs. */
    public Map<String, Object> summary() {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("run", claimedBy);
        summary.put("startedAt", startedAt);
        summary.put("connectionsSynced", connections.get());
        summary.put("vehiclesSubscribed", subscribed.get());
        summary.put("vehiclesGone", gone.get());
        summary.put("failures", failures.get());
        summary.put("pausedUntil", pausedUntil);
        if (webhookSubscribesEveryVehicle != null) {
            summary.put("webhookSubscribesEveryVehicle", webhookSubscribesEveryVehicle);
            summary.put("vehiclesSubscribedBySmartcar", subscribedBySmartcar.get());
        }
        if (Boolean.TRUE.equals(webhookSubscribesEveryVehicle)) {
            summary.put("note", "the webhook subscribes every vehicle by itself: the bridge subscribes none");
        }
        return summary;
    }

    @Override
    public String toString() {
        return "SyncRun" + summary();
    }
}
