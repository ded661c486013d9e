package io.carbridge.smartcar;

import io.carbridge.Settings;

/**
 * The Smartcar API the bridge connects and subscribes vehicles through ({@code bridge.smartcar.api-version}). The YAML
 * routes branch on the property's text, so only these two spellings are accepted.
 */
public enum ApiVersion {

    /** Vehicles API v2.0: per-owner OAuth tokens, {@code GET /vehicles}, a subscription per vehicle and webhook. */
    V2("v2"),
    /** API v3: one application token, {@code GET /connections}, Management API {@code /subscriptions}. */
    V3("v3");

    public static final String PROPERTY = "bridge.smartcar.api-version";

    private final String value;

    ApiVersion(String value) {
        this.value = value;
    }

    /** The setting, v3 when unset; anything else stops the service at start. */
    public static ApiVersion of(Settings settings) {
        String value = settings.string(PROPERTY, V3.value);
        for (ApiVersion version : values()) {
            if (version.value.equals(value)) {
                return version;
            }
        }
        throw new Settings.InvalidSettingException(PROPERTY, "is '" + value + "', set SMARTCAR_API_VERSION to v3 or v2");
    }

    /**
     * The client of this version's API, for a step of this version's branch of a route. Null means the branch ran
     * although the setting names the other version (or Connect is not configured): a bug, said as such.
     */
    <T> T require(T api) {
        if (api == null) {
            throw new IllegalStateException("a step of the Smartcar API " + value + " branch ran, but " + PROPERTY
                    + " names the other version, or SMARTCAR_CLIENT_ID is not set");
        }
        return api;
    }

    @Override
    public String toString() {
        return value;
    }
}
