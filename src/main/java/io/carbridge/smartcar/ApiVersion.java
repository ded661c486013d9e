package io.carbridge.smartcar;

import io.carbridge.Settings;
import io.carbridge.smartcar.v2.V2Settings;
import io.carbridge.smartcar.v3.V3Settings;
import java.util.function.Function;

/**
 * The Smartcar API the bridge connects and subscribes vehicles through ({@code bridge.smartcar.api-version}), and the
 * one place the version is chosen: each names the package whose settings make its implementation of the port
 * ({@link SmartcarApi}). Only these two spellings are accepted.
 */
public enum ApiVersion {

    /** Vehicles API v2.0: per-owner OAuth tokens, {@code GET /vehicles}, a subscription per vehicle and webhook. */
    V2("v2", V2Settings::load),
    /** API v3: one application token, {@code GET /connections}, Management API {@code /subscriptions}. */
    V3("v3", V3Settings::load);

    public static final String PROPERTY = "bridge.smartcar.api-version";

    private final String value;
    private final Function<Settings, ApiSettings> settings;

    ApiVersion(String value, Function<Settings, ApiSettings> settings) {
        this.value = value;
        this.settings = settings;
    }

    /** The version {@code bridge.smartcar.api-version} names; anything else stops the service at start. */
    static ApiVersion of(String value) {
        for (ApiVersion version : values()) {
            if (version.value.equals(value)) {
                return version;
            }
        }
        throw new Settings.InvalidSettingException(
                PROPERTY, "is '" + value + "', set SMARTCAR_API_VERSION to v3 or v2");
    }

    /**
     * The settings only this version has, read and checked by its package; they make its implementation of the port.
     */
    ApiSettings settings(Settings settings) {
        return this.settings.apply(settings);
    }

    @Override
    public String toString() {
        return value;
    }
}
