package io.carbridge.intake;

import io.carbridge.Setting;
import java.util.List;

/**
 * {@code bridge.smartcar.management-token}: the intake's key ({@link ManagementTokens}), which Smartcar v2.0's
 * unsubscribe calls take as their bearer too. Required whatever else is set, so the intake checks it, not the binding.
 */
public final class ManagementTokenSettings {

    @Setting(
            value =
                    "Application Management Token: key of the challenge answer and of `SC-Signature`. A comma-separated list "
                            + "during a rotation: the first answers challenges, all are accepted for signatures",
            defaultText = "(required)")
    List<String> managementToken = List.of();

    /** The tokens configured, the current one first; empty when unset. */
    public List<String> tokens() {
        return managementToken;
    }
}
