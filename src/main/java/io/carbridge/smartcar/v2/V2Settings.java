package io.carbridge.smartcar.v2;

import java.util.List;

import io.carbridge.Settings;
import io.carbridge.smartcar.ApiSettings;
import io.carbridge.smartcar.SmartcarApi;
import io.carbridge.smartcar.SmartcarApiRoutes;
import io.carbridge.smartcar.SmartcarSettings;

/**
 * The settings only Smartcar API v2.0 has: the client secret (HTTP Basic at the token endpoint), the key the owners'
 * tokens are stored with ({@code TOKEN_ENCRYPTION_KEY}), the OAuth token endpoint and the REST API v2.0.
 */
public record V2Settings(String clientSecret, TokenCipher cipher, String authUrl, String apiUrl) implements ApiSettings {

    /** v2.0 pages an owner's vehicles by at most 50. */
    private static final int MAX_PAGE_SIZE = 50;

    public static V2Settings load(Settings settings) {
        return new V2Settings(
                SmartcarSettings.required(settings, SmartcarSettings.CLIENT_SECRET, "SMARTCAR_CLIENT_SECRET",
                        "the client secret of the Smartcar application"),
                TokenCipher.fromBase64(SmartcarSettings.required(settings, TokenCipher.PROPERTY, "TOKEN_ENCRYPTION_KEY",
                        "base64 of 32 random bytes: openssl rand -base64 32")),
                SmartcarSettings.url(settings, "bridge.smartcar.auth-url", "https://auth.smartcar.com/oauth/token", "SMARTCAR_AUTH_URL"),
                SmartcarSettings.url(settings, "bridge.smartcar.api-url", "https://api.smartcar.com/v2.0", "SMARTCAR_API_URL"));
    }

    @Override
    public int maxPageSize() {
        return MAX_PAGE_SIZE;
    }

    @Override
    public List<SmartcarApiRoutes.Endpoint> endpoints() {
        return V2Client.endpoints(authUrl, apiUrl);
    }

    @Override
    public SmartcarApi api(SmartcarApi.Parts parts) {
        return new SmartcarV2(this, parts);
    }

    @Override
    public String toString() {
        // the record's default would print the secret
        return "apiUrl=" + apiUrl;
    }
}
