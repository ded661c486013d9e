package io.carbridge.smartcar.v2;

import io.carbridge.Setting;
import io.carbridge.Settings;
import io.carbridge.smartcar.ApiSettings;
import io.carbridge.smartcar.SmartcarApi;
import io.carbridge.smartcar.SmartcarApiRoutes;
import io.carbridge.smartcar.SmartcarClientSettings;
import io.carbridge.smartcar.SmartcarSettings;
import java.util.List;

/**
 * The settings only Smartcar API v2.0 has, under {@code bridge.smartcar.*}: the key the owners' tokens are stored with
 * ({@code TOKEN_ENCRYPTION_KEY}), the OAuth token endpoint and the REST API v2.0; with the client secret (HTTP Basic at
 * the token endpoint) once {@link #load} has checked them.
 */
public final class V2Settings implements ApiSettings {

    /** v2.0 pages an owner's vehicles by at most 50. */
    private static final int MAX_PAGE_SIZE = 50;

    @Setting(
            name = "token-encryption.secret-key",
            value = "Base64 of 32 random bytes (`openssl rand -base64 32`): AES-256-GCM key "
                    + "of the stored owner tokens",
            defaultText = "(required with v2; not used by v3)")
    String secretKey;

    @Setting("v2: Smartcar's token endpoint (code exchange, refresh)")
    String authUrl = "https://auth.smartcar.com/oauth/token";

    @Setting("v2: Smartcar's REST API v2.0")
    String apiUrl = "https://api.smartcar.com/v2.0";

    // made by load, on a copy: the bound bean stays as the properties say
    private String clientSecret;
    private TokenCipher cipher;

    /** The version's settings, checked: what SMARTCAR_CLIENT_ID makes required, the key, the URLs. */
    public static V2Settings load(Settings settings) {
        V2Settings declared = settings.of(V2Settings.class);
        V2Settings loaded = new V2Settings();
        String clientSecret = settings.of(SmartcarClientSettings.class).clientSecret();
        loaded.clientSecret = SmartcarSettings.required(
                SmartcarSettings.CLIENT_SECRET,
                clientSecret,
                "SMARTCAR_CLIENT_SECRET",
                "the client secret of the Smartcar application");
        loaded.secretKey = SmartcarSettings.required(
                TokenCipher.PROPERTY,
                declared.secretKey,
                "TOKEN_ENCRYPTION_KEY",
                "base64 of 32 random bytes: openssl rand -base64 32");
        loaded.cipher = TokenCipher.fromBase64(loaded.secretKey);
        loaded.authUrl = SmartcarSettings.url("bridge.smartcar.auth-url", declared.authUrl, "SMARTCAR_AUTH_URL");
        loaded.apiUrl = SmartcarSettings.url("bridge.smartcar.api-url", declared.apiUrl, "SMARTCAR_API_URL");
        return loaded;
    }

    String clientSecret() {
        return clientSecret;
    }

    TokenCipher cipher() {
        return cipher;
    }

    public String authUrl() {
        return authUrl;
    }

    public String apiUrl() {
        return apiUrl;
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
        // never the secrets
        return "apiUrl=" + apiUrl;
    }
}
