package io.carbridge.smartcar.v3;

import java.util.List;

import io.carbridge.Settings;
import io.carbridge.smartcar.ApiSettings;
import io.carbridge.smartcar.ApiVersion;
import io.carbridge.smartcar.SmartcarApi;
import io.carbridge.smartcar.SmartcarApiRoutes;
import io.carbridge.smartcar.SmartcarSettings;

/**
 * The settings only Smartcar API v3 has: the Application ID (Connect's {@code client_id}), the API client's secret (the
 * application token's client credentials), and the IAM token endpoint, the Vehicles API and the Management API. v3
 * stores no owner tokens, so it has no {@code TOKEN_ENCRYPTION_KEY}.
 */
public record V3Settings(String applicationId, String clientSecret, String iamUrl, String vehicleApiUrl, String managementApiUrl)
        implements ApiSettings {

    public static final String APPLICATION_ID = "bridge.smartcar.application-id";
    /** v3 pages connections by at most 100. */
    private static final int MAX_PAGE_SIZE = 100;

    /** The Application ID first, so that a v2.0 deployment upgraded without SMARTCAR_API_VERSION stops with the line that says what to set. */
    public static V3Settings load(Settings settings) {
        return new V3Settings(
                settings.required(APPLICATION_ID, "Smartcar API v3 (" + ApiVersion.PROPERTY + ", the default) needs "
                        + "SMARTCAR_APPLICATION_ID, with the API client id and secret in SMARTCAR_CLIENT_ID and SMARTCAR_CLIENT_SECRET "
                        + "(Smartcar Dashboard); a deployment on Smartcar API v2.0 sets SMARTCAR_API_VERSION=v2"),
                SmartcarSettings.required(settings, SmartcarSettings.CLIENT_SECRET, "SMARTCAR_CLIENT_SECRET",
                        "the secret of the application's API client id"),
                SmartcarSettings.url(settings, "bridge.smartcar.iam-url", "https://iam.smartcar.com/oauth2/token", "SMARTCAR_IAM_URL"),
                SmartcarSettings.url(settings, "bridge.smartcar.vehicle-api-url", "https://vehicle.api.smartcar.com/v3",
                        "SMARTCAR_VEHICLE_API_URL"),
                SmartcarSettings.url(settings, "bridge.smartcar.management-api-url", "https://management.api.smartcar.com/v3",
                        "SMARTCAR_MANAGEMENT_API_URL"));
    }

    @Override
    public int maxPageSize() {
        return MAX_PAGE_SIZE;
    }

    @Override
    public List<SmartcarApiRoutes.Endpoint> endpoints() {
        return V3Client.endpoints(iamUrl, vehicleApiUrl, managementApiUrl);
    }

    @Override
    public SmartcarApi api(SmartcarApi.Parts parts) {
        return new SmartcarV3(this, parts);
    }

    @Override
    public String toString() {
        // the record's default would print the secret
        return "applicationId=" + applicationId + ", vehicleApiUrl=" + vehicleApiUrl;
    }
}
