package io.carbridge.smartcar;

import java.time.Duration;

/**
 * The requests the reconciliation may send Smartcar, as a bucket that refills at a steady rate: Smartcar's own limit of
 * an application is such a bucket (by default 120 requests, refilling at 2 a minute). Taking a request from an empty
 * bucket says how long to wait for it. Not shared with other instances or with the subscription sync: Smartcar's 429
 * and its {@code retry-after} are the final word, and every instance honours them ({@link RateLimitPause}).
 */
final class RequestBudget {

    private final double capacity;
    private final double perNano;
    private double available;
    private long updatedAt;

    /**
     * @param burst requests that may go at once (the bucket's size)
     * @param perMinute requests the bucket gains each minute
     */
    RequestBudget(int burst, double perMinute, long nowNanos) {
        this.capacity = burst;
        this.perNano = perMinute / Duration.ofMinutes(1).toNanos();
        this.available = burst;
        this.updatedAt = nowNanos;
    }

    /** Takes one request; returns how long to wait before sending it (zero when the bucket had one). */
    synchronized Duration take(long nowNanos) {
        available = Math.min(capacity, available + (nowNanos - updatedAt) * perNano);
        updatedAt = nowNanos;
        available -= 1;
        return available >= 0 ? Duration.ZERO : Duration.ofNanos((long) Math.ceil(-available / perNano));
    }
}
