package io.carbridge.intake;

import io.carbridge.Setting;
import java.time.Duration;

/**
 * The webhook intake's settings, {@code bridge.intake.*}: its path and body limit, the group commit of its events (the
 * outbox's), the counts of its outcomes (storage's), and the folding of repeated errors (the vehicles' state's).
 */
public final class IntakeSettings {

    @Setting("Path Smartcar posts to: the callback URL is `https://<host><path>`")
    String path = "/webhooks/smartcar";

    @Setting(
            value = "Largest accepted body (Smartcar's maximum is 50 KB); larger gets 413",
            min = 1_024,
            max = 10 * 1024 * 1024)
    int maxBodyBytes = 65_536;

    @Setting(value = "Most events committed in one transaction (group commit)", min = 1, max = 10_000)
    int maxBatch = 256;

    @Setting("Longest wait for the commit before the intake answers 503")
    Duration commitTimeout = Duration.ofSeconds(10);

    @Setting(
            value =
                    "Shortest time between two commits under steady load; events arriving meanwhile share the next commit; "
                            + "`0ms` commits as soon as the previous commit ends",
            zeroAllowed = true)
    Duration minCommitInterval = Duration.ofMillis(5);

    @Setting(
            "How often the intake's outcomes per minute (the console's charts, `GET /admin/stats`) are added to the database")
    Duration countsFlushInterval = Duration.ofSeconds(5);

    @Setting(
            value =
                    "A `VEHICLE_ERROR` with the same user, vehicle, error types and codes, and states as one delivered within "
                            + "this window is stored as a repeat of it (`repeatOf`) and not forwarded; `0` forwards every error",
            zeroAllowed = true)
    Duration errorDedupeWindow = Duration.ofMinutes(5);

    public int maxBatch() {
        return maxBatch;
    }

    public Duration commitTimeout() {
        return commitTimeout;
    }

    public Duration minCommitInterval() {
        return minCommitInterval;
    }

    public Duration countsFlushInterval() {
        return countsFlushInterval;
    }

    public Duration errorDedupeWindow() {
        return errorDedupeWindow;
    }
}
