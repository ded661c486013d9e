package io.carbridge.smartcar;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.carbridge.Settings;
import io.carbridge.intake.ManagementTokens;

/**
 * The settings of Connect and the subscription sync. Both are enabled by setting {@code SMARTCAR_CLIENT_ID}; then
 * every other required setting of the configured {@link ApiVersion} must be present, or the service does not start and
 * the message names the variable. Without it the bridge is an intake-only deployment: {@code /connect/*} answers 503 and
 * the sync does nothing.
 *
 * <p>These are the settings both versions have; {@link #api()} holds those of the configured version only, read first
 * (so that a v2.0 deployment upgraded without {@code SMARTCAR_API_VERSION} stops with the one line that says what to
 * set).
 *
 * @param clientId            v2: the OAuth client id; v3: the API client id ({@code client_...}) of the application token
 * @param managementToken     the current Application Management Token, the bearer of v2 unsubscribe calls
 * @param refreshBeforeExpiry how long before an owner's access token expires the sync refreshes it (v2.0's owner tokens)
 */
public record SmartcarSettings(
        ApiVersion apiVersion, String clientId, String redirectUri, String webhookId, String connectUrl, Duration connectTimeout,
        Duration responseTimeout, String managementToken, List<String> scopes, String mode, Duration stateLifetime, int pageSize,
        Duration refreshBeforeExpiry, Duration retryBackoff, Duration maxRetryBackoff, Duration claimTimeout, ApiSettings api) {

    public static final String CLIENT_ID = "bridge.smartcar.client-id";
    public static final String CLIENT_SECRET = "bridge.smartcar.client-secret";
    /** Read by the timer in {@code routes/subscription-sync.camel.yaml}. */
    public static final String SYNC_PERIOD = "bridge.sync.period";

    private static final Set<String> MODES = Set.of("live", "test", "simulated");

    /** Empty when {@code SMARTCAR_CLIENT_ID} is not set. */
    public static Optional<SmartcarSettings> load(Settings settings) {
        settings.timerPeriod(SYNC_PERIOD, Duration.ofSeconds(60));
        ApiVersion version = ApiVersion.of(settings);
        Optional<String> clientId = settings.optional(CLIENT_ID);
        if (clientId.isEmpty()) {
            return Optional.empty();
        }
        ApiSettings api = version.settings(settings);
        String mode = settings.string("bridge.connect.mode", "live");
        if (!MODES.contains(mode)) {
            throw new Settings.InvalidSettingException("bridge.connect.mode", "is '" + mode + "', it must be live, test or simulated");
        }
        List<String> scopes = settings.list("bridge.connect.scope");
        if (scopes.isEmpty()) {
            throw new Settings.InvalidSettingException("bridge.connect.scope", "is empty: list at least one Smartcar permission, "
                    + "such as read_vehicle_info");
        }
        Duration retryBackoff = positive(settings, "bridge.sync.retry-backoff", Duration.ofMinutes(1));
        Duration maxRetryBackoff = positive(settings, "bridge.sync.max-retry-backoff", Duration.ofHours(1));
        if (maxRetryBackoff.compareTo(retryBackoff) < 0) {
            throw new Settings.InvalidSettingException("bridge.sync.max-retry-backoff", "is shorter than bridge.sync.retry-backoff");
        }
        return Optional.of(new SmartcarSettings(
                version,
                clientId.get(),
                url(settings, "bridge.smartcar.redirect-uri", null, "SMARTCAR_REDIRECT_URI"),
                required(settings, "bridge.smartcar.webhook-id", "SMARTCAR_WEBHOOK_ID", "the id of the webhook vehicles are subscribed to"),
                url(settings, "bridge.smartcar.connect-url", "https://connect.smartcar.com/oauth/authorize", "SMARTCAR_CONNECT_URL"),
                positive(settings, "bridge.smartcar.connect-timeout", Duration.ofSeconds(5)),
                positive(settings, "bridge.smartcar.response-timeout", Duration.ofSeconds(30)),
                settings.list(ManagementTokens.PROPERTY).stream().findFirst().orElseThrow(() -> new Settings.InvalidSettingException(
                        ManagementTokens.PROPERTY, "is not set: set SMARTCAR_MANAGEMENT_TOKEN")),
                scopes,
                mode,
                positive(settings, "bridge.connect.state-lifetime", Duration.ofMinutes(15)),
                settings.integer("bridge.sync.page-size", 50, 1, api.maxPageSize()),
                positive(settings, "bridge.sync.refresh-before-expiry", Duration.ofMinutes(10)),
                retryBackoff,
                maxRetryBackoff,
                positive(settings, "bridge.sync.claim-timeout", Duration.ofMinutes(5)),
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

    /** A setting {@code SMARTCAR_CLIENT_ID} makes required: the refusal names {@code variable} and says what to set it to. */
    public static String required(Settings settings, String key, String variable, String what) {
        return settings.required(key, "set " + variable + " to " + what + " (required because SMARTCAR_CLIENT_ID is set)");
    }

    /** An absolute http(s) URL without a query; required when it has no default. */
    public static String url(Settings settings, String key, String defaultValue, String variable) {
        String value = defaultValue == null
                ? required(settings, key, variable, "the absolute URL Smartcar Connect redirects vehicle owners to")
                : settings.string(key, defaultValue);
        try {
            URI uri = new URI(value);
            if (uri.getHost() != null && ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getQuery() == null) {
                return value;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new Settings.InvalidSettingException(key, "is '" + value + "', set " + variable + " to an absolute http(s) URL without a query");
    }

    private static Duration positive(Settings settings, String key, Duration defaultValue) {
        Duration value = settings.duration(key, defaultValue);
        if (value.isZero() || value.isNegative()) {
            throw new Settings.InvalidSettingException(key, "must be a positive duration");
        }
        return value;
    }

    @Override
    public String toString() {
        // the record's default would print the management token (and the version's settings their secret)
        return "SmartcarSettings[apiVersion=" + apiVersion + ", clientId=" + clientId + ", " + api + ", webhookId=" + webhookId
                + ", mode=" + mode + "]";
    }
}
