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
 * <p>The settings of the other API version are null: with v3 {@code cipher}, {@code authUrl} and {@code apiUrl}; with
 * v2 {@code applicationId}, {@code iamUrl}, {@code vehicleApiUrl} and {@code managementApiUrl}.
 *
 * @param clientId        v2: the OAuth client id; v3: the API client id ({@code client_...}) of the application token
 * @param applicationId   v3: the Application ID, Connect's {@code client_id}
 * @param managementToken the current Application Management Token, the bearer of v2 unsubscribe calls
 */
public record SmartcarSettings(
        ApiVersion apiVersion, String clientId, String clientSecret, String applicationId, String redirectUri, String webhookId,
        TokenCipher cipher, String connectUrl, String authUrl, String apiUrl, String iamUrl, String vehicleApiUrl,
        String managementApiUrl, Duration connectTimeout, Duration responseTimeout,
        String managementToken, List<String> scopes, String mode, Duration stateLifetime,
        int pageSize, Duration refreshBeforeExpiry, Duration retryBackoff, Duration maxRetryBackoff, Duration claimTimeout) {

    public static final String CLIENT_ID = "bridge.smartcar.client-id";
    public static final String APPLICATION_ID = "bridge.smartcar.application-id";
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
        boolean v3 = version == ApiVersion.V3;
        // first, so that a v2.0 deployment upgraded without SMARTCAR_API_VERSION stops with the one line that says what to set
        String applicationId = v3 ? settings.required(APPLICATION_ID, "Smartcar API v3 (" + ApiVersion.PROPERTY + ", the default) needs "
                + "SMARTCAR_APPLICATION_ID, with the API client id and secret in SMARTCAR_CLIENT_ID and SMARTCAR_CLIENT_SECRET "
                + "(Smartcar Dashboard); a deployment on Smartcar API v2.0 sets SMARTCAR_API_VERSION=v2") : null;
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
                required(settings, "bridge.smartcar.client-secret", "SMARTCAR_CLIENT_SECRET", v3
                        ? "the secret of the application's API client id" : "the client secret of the Smartcar application"),
                applicationId,
                url(settings, "bridge.smartcar.redirect-uri", null, "SMARTCAR_REDIRECT_URI"),
                required(settings, "bridge.smartcar.webhook-id", "SMARTCAR_WEBHOOK_ID", "the id of the webhook vehicles are subscribed to"),
                // v3 stores no owner tokens: nothing to encrypt
                v3 ? null : TokenCipher.fromBase64(required(settings, TokenCipher.PROPERTY, "TOKEN_ENCRYPTION_KEY",
                        "base64 of 32 random bytes: openssl rand -base64 32")),
                url(settings, "bridge.smartcar.connect-url", "https://connect.smartcar.com/oauth/authorize", "SMARTCAR_CONNECT_URL"),
                v3 ? null : url(settings, "bridge.smartcar.auth-url", "https://auth.smartcar.com/oauth/token", "SMARTCAR_AUTH_URL"),
                v3 ? null : url(settings, "bridge.smartcar.api-url", "https://api.smartcar.com/v2.0", "SMARTCAR_API_URL"),
                v3 ? url(settings, "bridge.smartcar.iam-url", "https://iam.smartcar.com/oauth2/token", "SMARTCAR_IAM_URL") : null,
                v3 ? url(settings, "bridge.smartcar.vehicle-api-url", "https://vehicle.api.smartcar.com/v3", "SMARTCAR_VEHICLE_API_URL") : null,
                v3 ? url(settings, "bridge.smartcar.management-api-url", "https://management.api.smartcar.com/v3",
                        "SMARTCAR_MANAGEMENT_API_URL") : null,
                positive(settings, "bridge.smartcar.connect-timeout", Duration.ofSeconds(5)),
                positive(settings, "bridge.smartcar.response-timeout", Duration.ofSeconds(30)),
                settings.list(ManagementTokens.PROPERTY).stream().findFirst().orElseThrow(() -> new Settings.InvalidSettingException(
                        ManagementTokens.PROPERTY, "is not set: set SMARTCAR_MANAGEMENT_TOKEN")),
                scopes,
                mode,
                positive(settings, "bridge.connect.state-lifetime", Duration.ofMinutes(15)),
                // v2.0 pages vehicles by at most 50, v3 connections by at most 100
                settings.integer("bridge.sync.page-size", 50, 1, v3 ? 100 : 50),
                positive(settings, "bridge.sync.refresh-before-expiry", Duration.ofMinutes(10)),
                retryBackoff,
                maxRetryBackoff,
                positive(settings, "bridge.sync.claim-timeout", Duration.ofMinutes(5))));
    }

    /** Connect's {@code client_id}: the Application ID with v3, the OAuth client id with v2.0. */
    public String connectClientId() {
        return apiVersion == ApiVersion.V3 ? applicationId : clientId;
    }

    /** The wait after the n-th consecutive failure: retry-backoff doubled each time, at most max-retry-backoff. */
    public Duration retryDelay(int failures) {
        Duration delay = retryBackoff;
        for (int i = 1; i < failures && delay.compareTo(maxRetryBackoff) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxRetryBackoff) < 0 ? delay : maxRetryBackoff;
    }

    private static String required(Settings settings, String key, String variable, String what) {
        return settings.required(key, "set " + variable + " to " + what + " (required because SMARTCAR_CLIENT_ID is set)");
    }

    private static String url(Settings settings, String key, String defaultValue, String variable) {
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
        // the record's default would print the secret and the management token
        return "SmartcarSettings[apiVersion=" + apiVersion + ", clientId=" + clientId
                + (apiVersion == ApiVersion.V3 ? ", applicationId=" + applicationId + ", vehicleApiUrl=" + vehicleApiUrl : ", apiUrl=" + apiUrl)
                + ", webhookId=" + webhookId + ", mode=" + mode + "]";
    }
}
