package io.carbridge.delivery;

import io.carbridge.Setting;
import java.time.Duration;

/** The delivery engine's settings, {@code bridge.delivery.*}, shared by every destination. */
public final class DeliverySettings {

    @Setting("How often an idle dispatcher looks for due deliveries (new events wake it at once)")
    Duration pollInterval = Duration.ofSeconds(1);

    @Setting("A claim lasts the destination's timeout plus this; after that a dead instance's attempt is retried")
    Duration claimMargin = Duration.ofSeconds(60);

    @Setting(
            value =
                    "Under load, shortest time between two claims of one destination and between two commits of attempt outcomes",
            zeroAllowed = true)
    Duration minCommitInterval = Duration.ofMillis(5);

    @Setting("On shutdown, how long attempts in flight get to finish")
    Duration stopTimeout = Duration.ofSeconds(20);
}
