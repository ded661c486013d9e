package io.carbridge.storage;

import io.carbridge.Setting;
import java.time.Duration;

/**
 * How long stored events are kept, {@code bridge.retention.*}: read by {@code routes/retention.camel.yaml}'s
 * placeholders, and by the intake, which remembers event ids as long.
 */
public final class RetentionSettings {

    // event ids are Smartcar's deduplication keys: keep them at least the 7 days Smartcar advises
    @Setting(
            value =
                    "Hours a finished event is kept (at least 168, Smartcar's 7 days of deduplication); dead letters and pending "
                            + "deliveries are kept until replayed or purged",
            min = 168,
            max = 87_600)
    int hours = 720;

    @Setting(value = "How often the retention route runs", timerPeriod = true)
    Duration interval = Duration.ofHours(1);

    @Setting(value = "Events deleted per statement", min = 1, max = 100_000)
    int batchSize = 500;

    public int hours() {
        return hours;
    }
}
