package io.carbridge.smartcar;

import io.carbridge.Setting;
import java.time.Duration;

/**
 * The settings under {@code bridge.smartcar.*} that both API versions read: the version, the client, the webhook,
 * Connect's URL and the HTTP timeouts. What is required with a client id, and how a URL must look,
 * {@link SmartcarSettings} checks, as it depends on {@code SMARTCAR_CLIENT_ID}; each version's own settings are its
 * package's ({@code V3Settings}, {@code V2Settings}), the management token the intake's
 * ({@link io.carbridge.intake.ManagementTokenSettings}).
 */
public final class SmartcarClientSettings {

    @Setting(
            "The Smartcar API vehicles are connected and subscribed through: `v3`, or `v2` (Vehicles API v2.0, per-owner tokens)")
    String apiVersion = ApiVersion.V3.toString();

    @Setting(
            value =
                    "Turns Connect and the subscription sync on. v3: the API client id (`client_...`) of the application token; "
                            + "v2: the client id of the application",
            defaultText = "(unset: Connect and the sync off)")
    String clientId;

    @Setting(
            value =
                    "Its secret; v3: sent in the application-token request's form body, v2: as HTTP Basic to the token endpoint; "
                            + "nowhere else",
            defaultText = "(required with a client id)")
    String clientSecret;

    @Setting(
            value = "`https://<host>/connect/callback`, registered at Smartcar",
            defaultText = "(required with a client id)")
    String redirectUri;

    @Setting(value = "The webhook vehicles are subscribed to", defaultText = "(required with a client id)")
    String webhookId;

    @Setting("Smartcar Connect")
    String connectUrl = "https://connect.smartcar.com/oauth/authorize";

    @Setting("Longest wait for a connection to Smartcar")
    Duration connectTimeout = Duration.ofSeconds(5);

    @Setting("Longest wait for Smartcar's answer; longer is a timeout, retried by a later run")
    Duration responseTimeout = Duration.ofSeconds(30);

    /** Null when unset; a secret tracing keeps out of its spans. */
    public String clientSecret() {
        return clientSecret;
    }
}
