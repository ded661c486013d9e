package io.carbridge.smartcar;

import io.carbridge.Setting;
import java.time.Duration;

/**
 * The subscription sync's settings, {@code bridge.sync.*}. The page size's bound is the configured version's
 * ({@link ApiSettings#maxPageSize}), so {@link SmartcarSettings} checks it, not the declaration.
 */
public final class SyncSettings {

    @Setting(
            value = "Time between sync runs (and before the first); written `30s`, `5m`, ..., not ISO-8601",
            timerPeriod = true)
    Duration period = Duration.ofSeconds(60);

    @Setting(
            "Items asked per page: v3 connections per `GET /connections` page (1 to 100), v2 vehicles per `GET /vehicles` page "
                    + "(1 to 50)")
    int pageSize = 50;

    @Setting("v2: refresh a token pair when its access token expires within this; keep it above the period")
    Duration refreshBeforeExpiry = Duration.ofMinutes(10);

    @Setting("Wait after a failed attempt, doubled after each further failure")
    Duration retryBackoff = Duration.ofMinutes(1);

    @Setting("Cap of that wait")
    Duration maxRetryBackoff = Duration.ofHours(1);

    @Setting(
            "How long a run may hold a connection (v2), the listing of connections (v3) or a vehicle before another instance "
                    + "takes over")
    Duration claimTimeout = Duration.ofMinutes(5);
}
