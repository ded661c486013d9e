package io.carbridge.smartcar.v3;

import io.carbridge.Setting;
import io.carbridge.Settings;
import io.carbridge.Settings.InvalidSettingException;
import io.carbridge.smartcar.ApiSettings;
import io.carbridge.smartcar.ApiVersion;
import io.carbridge.smartcar.SmartcarApi;
import io.carbridge.smartcar.SmartcarApiRoutes;
import io.carbridge.smartcar.SmartcarClientSettings;
import io.carbridge.smartcar.SmartcarSettings;
import java.util.List;

/**
 * The settings only Smartcar API v3 has, under {@code bridge.smartcar.*}: the Application ID (Connect's
 * {@code client_id}), and the IAM token endpoint, the Vehicles API and the Management API; with the API client's secret
 * (the application token's client credentials) once {@link #load} has checked them. v3 stores no owner tokens, so it
 * has no {@code TOKEN_ENCRYPTION_KEY}.
 */
public final class V3Settings implements ApiSettings {

    public static final String APPLICATION_ID = "bridge.smartcar.application-id";
    /** v3 pages connections by at most 100. */
    private static final int MAX_PAGE_SIZE = 100;

    @Setting(value = "The Application ID: Smartcar Connect's `client_id` with v3", defaultText = "(required with v3)")
    String applicationId;

    @Setting("v3: the application-token endpoint (client credentials)")
    String iamUrl = "https://iam.smartcar.com/oauth2/token";

    @Setting("v3: the Vehicles API (`/connections`)")
    String vehicleApiUrl = "https://vehicle.api.smartcar.com/v3";

    @Setting("v3: the Management API (`/webhooks`, `/subscriptions`)")
    String managementApiUrl = "https://management.api.smartcar.com/v3";

    // set by load, on a copy: the bound bean stays as the properties say
    private String clientSecret;

    /**
     * The version's settings, checked. The Application ID first, so that a v2.0 deployment upgraded without
     * SMARTCAR_API_VERSION stops with the line that says what to set.
     */
    public static V3Settings load(Settings settings) {
        V3Settings declared = settings.of(V3Settings.class);
        V3Settings loaded = new V3Settings();
        if (declared.applicationId == null) {
            throw new InvalidSettingException(
                    APPLICATION_ID,
                    "is not set: Smartcar API v3 (" + ApiVersion.PROPERTY + ", the default) "
                            + "needs SMARTCAR_APPLICATION_ID, with the API client id and secret in SMARTCAR_CLIENT_ID and SMARTCAR_CLIENT_SECRET "
                            + "(Smartcar Dashboard); a deployment on Smartcar API v2.0 sets SMARTCAR_API_VERSION=v2");
        }
        loaded.applicationId = declared.applicationId;
        String clientSecret = settings.of(SmartcarClientSettings.class).clientSecret();
        loaded.clientSecret = SmartcarSettings.required(
                SmartcarSettings.CLIENT_SECRET,
                clientSecret,
                "SMARTCAR_CLIENT_SECRET",
                "the secret of the application's API client id");
        loaded.iamUrl = SmartcarSettings.url("bridge.smartcar.iam-url", declared.iamUrl, "SMARTCAR_IAM_URL");
        loaded.vehicleApiUrl = SmartcarSettings.url(
                "bridge.smartcar.vehicle-api-url", declared.vehicleApiUrl, "SMARTCAR_VEHICLE_API_URL");
        loaded.managementApiUrl = SmartcarSettings.url(
                "bridge.smartcar.management-api-url", declared.managementApiUrl, "SMARTCAR_MANAGEMENT_API_URL");
        return loaded;
    }

    String applicationId() {
        return applicationId;
    }

    String clientSecret() {
        return clientSecret;
    }

    public String iamUrl() {
        return iamUrl;
    }

    public String vehicleApiUrl() {
        return vehicleApiUrl;
    }

    public String managementApiUrl() {
        return managementApiUrl;
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
        // never the secret
        return "applicationId=" + applicationId + ", vehicleApiUrl=" + vehicleApiUrl;
    }
}
