package io.carbridge.smartcar;

import io.carbridge.Setting;
import java.time.Duration;
import java.util.List;

/**
 * Smartcar Connect's settings, {@code bridge.connect.*}. The scope and the mode are checked by {@link SmartcarSettings}
 * once a client id turns Connect on; the limits hold without one too ({@code /connect/*} answers 503 within them).
 */
public final class ConnectSettings {

    @Setting("Permissions asked at Connect, comma-separated")
    List<String> scope = List.of();

    @Setting("Connect mode: `live`, `test` or `simulated`")
    String mode = "live";

    @Setting("How long a `/connect/start` link may take to come back to the callback")
    Duration stateLifetime = Duration.ofMinutes(15);

    @Setting(
            value =
                    "Most Connect states alive at once (used or not, until they expire); beyond it `/connect/start` answers 429",
            min = 1,
            max = 1_000_000)
    int maxOpenStates = 10_000;

    @Setting(
            value =
                    "Connect requests (`/connect/start` and `/connect/callback` together) one client address may make at once; "
                            + "past them 429 with `Retry-After`",
            min = 1,
            max = 10_000)
    int clientBurst = 10;

    @Setting("One more Connect request allowed per client every this long")
    Duration clientRefill = Duration.ofSeconds(6);
}
