package io.carbridge.smartcar;

import io.carbridge.Setting;
import io.carbridge.Settings;
import io.carbridge.Settings.InvalidSettingException;
import java.time.Duration;

/**
 * Gap filling's settings, {@code bridge.reconcile.*}: the gap after which the bridge reads Smartcar at start, the
 * heartbeat that tells it (read by the route's timer too), and the request budget.
 */
public final class ReconciliationSettings {

    private static final double MIN_PER_MINUTE = 0.01;
    private static final double MAX_PER_MINUTE = 100_000;

    @Setting(
            "v3: after a downtime longer than this (Smartcar retries a delivery for about 3 minutes), the bridge reads every "
                    + "subscribed vehicle's signals at start and stores the newer ones as reconciled events")
    Duration gapThreshold = Duration.ofMinutes(3);

    @Setting(
            value =
                    "How often each instance records that it is up (the gap is measured from the newest record); shorter than "
                            + "the gap threshold",
            timerPeriod = true)
    Duration heartbeatInterval = Duration.ofSeconds(30);

    @Setting(
            value = "Signal reads a reconciliation may send Smartcar at once (Smartcar's default bucket)",
            min = 1,
            max = 100_000)
    int requestsBurst = 120;

    /** Bounded below by a fraction, which a declaration's whole-number range cannot say: checked by {@link #of}. */
    @Setting("Then this many a minute (Smartcar's default refill); a 429 waits for its `retry-after`")
    double requestsPerMinute = 2;

    /**
     * The bound settings, checked beyond their declarations: the heartbeat shorter than the gap, or every start would
     * look like one.
     */
    public static ReconciliationSettings of(Settings settings) {
        ReconciliationSettings reconcile = settings.of(ReconciliationSettings.class);
        if (reconcile.heartbeatInterval.compareTo(reconcile.gapThreshold) >= 0) {
            throw new InvalidSettingException(
                    "bridge.reconcile.gap-threshold",
                    "must be longer than " + "bridge.reconcile.heartbeat-interval, such as 3m with a heartbeat of 30s");
        }
        if (reconcile.requestsPerMinute < MIN_PER_MINUTE || reconcile.requestsPerMinute > MAX_PER_MINUTE) {
            throw new InvalidSettingException(
                    "bridge.reconcile.requests-per-minute",
                    "is " + reconcile.requestsPerMinute + ", it must be between " + MIN_PER_MINUTE + " and "
                            + MAX_PER_MINUTE);
        }
        return reconcile;
    }

    Duration gapThreshold() {
        return gapThreshold;
    }

    int requestsBurst() {
        return requestsBurst;
    }

    double requestsPerMinute() {
        return requestsPerMinute;
    }
}
