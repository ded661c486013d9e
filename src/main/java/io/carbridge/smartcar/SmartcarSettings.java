package io.carbridge.smartcar;

import io.carbridge.Settings;
import io.carbridge.Settings.InvalidSettingException;
import io.carbridge.intake.ManagementTokenSettings;
import io.carbridge.intake.ManagementTokens;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The settings of Connect and the subscription sync, made from their groups ({@link SmartcarClientSettings},
 * {@link ConnectSettings}, {@link SyncSettings}, the version's own) and checked together. Both are enabled by setting
 * {@code SMARTCAR_CLIENT_ID}; then every other required setting of the configured {@link ApiVersion} must be present,
 * or the service does not start and the message names the variable. Without it the bridge is an intake-only deployment:
 * {@code /connect/*} answers 503 and the sync does nothing.
 *
 * <p>These are the settings both versions have; {@link #api()} holds those of the configured version only, read first
 * (so that a v2.0 deployment upgraded without {@code SMARTCAR_API_VERSION} stops with the one line that says what to
 * set).
 *
 * @param clientId v2: the OAuth client id; v3: the API client id ({@code client_...}) of the application token
 * @param managementToken the current Application Management Token, the bearer of v2 unsubscribe calls
 * @param refreshBeforeExpiry how long before an owner's access token expires the sync refreshes it (v2.0's owner
 *     tokens)
 */
public record SmartcarSettings(
        ApiVersion apiVersion,
        String clientId,
        String redirectUri,
        String webhookId,
        String connectUrl,
        Duration connectTimeout,
        Duration responseTimeout,
        String managementToken,
        List<String> scopes,
        String mode,
        Duration stateLifetime,
        int pageSize,
        Duration refreshBeforeExpiry,
        Duration retryBackoff,
        Duration maxRetryBackoff,
        Duration claimTimeout,
        ApiSettings api) {

    public static final String CLIENT_SECRET = "bridge.smartcar.client-secret";

    private static final Set<String> MODES = Set.of("live", "test", "simulated");

    /**
     * Empty when {@code SMARTCAR_CLIENT_ID} is not set; the groups are bound all the same, so that a value of the wrong
     * type stops an intake-only deployment too.
     */
    public static Optional<SmartcarSettings> load(Settings settings) {
        SmartcarClientSettings client = settings.of(SmartcarClientSettings.class);
        ConnectSettings connect = settings.of(ConnectSettings.class);
        SyncSettings sync = settings.of(SyncSettings.class);
        ApiVersion version = ApiVersion.of(client.apiVersion);
        if (client.clientId == null) {
            return Optional.empty();
        }
        ApiSettings api = version.settings(settings);
        if (!MODES.contains(connect.mode)) {
            throw new InvalidSettingException(
                    "bridge.connect.mode", "is '" + connect.mode + "', it must be live, test or simulated");
        }
        if (connect.scope.isEmpty()) {
            throw new InvalidSettingException(
                    "bridge.connect.scope",
                    "is empty: list at least one Smartcar permission, " + "such as read_vehicle_info");
        }
        if (sync.maxRetryBackoff.compareTo(sync.retryBackoff) < 0) {
            throw new InvalidSettingException(
                    "bridge.sync.max-retry-backoff", "is shorter than bridge.sync.retry-backoff");
        }
        if (sync.pageSize < 1 || sync.pageSize > api.maxPageSize()) {
            throw new InvalidSettingException(
                    "bridge.sync.page-size", "is " + sync.pageSize + ", it must be between 1 and " + api.maxPageSize());
        }
        return Optional.of(new SmartcarSettings(
                version,
                client.clientId,
                url("bridge.smartcar.redirect-uri", client.redirectUri, "SMARTCAR_REDIRECT_URI"),
                required(
                        "bridge.smartcar.webhook-id",
                        client.webhookId,
                        "SMARTCAR_WEBHOOK_ID",
                        "the id of the webhook vehicles are subscribed to"),
                url("bridge.smartcar.connect-url", client.connectUrl, "SMARTCAR_CONNECT_URL"),
                client.connectTimeout,
                client.responseTimeout,
                settings.of(ManagementTokenSettings.class).tokens().stream()
                        .findFirst()
                        .orElseThrow(() -> new InvalidSettingException(
                                ManagementTokens.PROPERTY, "is not set: set SMARTCAR_MANAGEMENT_TOKEN")),
                connect.scope,
                connect.mode,
                connect.stateLifetime,
                sync.pageSize,
                sync.refreshBeforeExpiry,
                sync.retryBackoff,
                sync.maxRetryBackoff,
                sync.claimTimeout,
                api));
    }

    /** The wait after the n-th consecutive failure: retry-backoff doubled each time, at most max-retry-backoff. */
    public Duration retryDelay(int failures) {
        Duration delay = retryBackoff;
        for (int i = 1; i < failures && delay.compareTo(maxRetryBackoff) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxRetryBackoff) < 0 ? delay : maxRetryBackoff;
    }

    /**
     * A setting {@code SMARTCAR_CLIENT_ID} makes required: its value, or a refusal that names {@code variable} and says
     * what to set it to.
     */
    public static String required(String key, String value, String variable, String what) {
        if (value == null) {
            throw new InvalidSettingException(
                    key,
                    "is not set: set " + variable + " to " + what + " (required because SMARTCAR_CLIENT_ID is set)");
        }
        return value;
    }

    /** An absolute http(s) URL without a query; required, which only the one without a default can miss. */
    public static String url(String key, String value, String variable) {
        required(key, value, variable, "the absolute URL Smartcar Connect redirects vehicle owners to");
        try {
            URI uri = new URI(value);
            if (uri.getHost() != null
                    && ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
                    && uri.getQuery() == null) {
                return value;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new InvalidSettingException(
                key, "is '" + value + "', set " + variable + " to an absolute http(s) URL without a query");
    }

    @Override
    public String toString() {
        // the record's default would print the management token (and the version's settings their secret)
        return "SmartcarSettings[apiVersion=" + apiVersion + ", clientId=" + clientId + ", " + api + ", webhookId="
                + webhookId + ", mode=" + mode + "]";
    }
}
