package io.carbridge.admin;

import io.carbridge.Setting;
import java.time.Duration;

/** The admin API's settings, {@code bridge.admin.*}. */
public final class AdminSettings {

    @Setting(value = "Bearer token of `/admin/*`", defaultText = "(unset: admin API off)")
    String token;

    @Setting(
            value =
                    "Wrong admin tokens one client address may present at once; past them every admin call from it gets 429 "
                            + "until the bucket refills",
            min = 1,
            max = 10_000)
    int failedTokenBurst = 10;

    @Setting("One more wrong token allowed every this long")
    Duration failedTokenRefill = Duration.ofMinutes(1);

    /** The token, for what must never show it (traces); null when unset. */
    public String token() {
        return token;
    }
}
