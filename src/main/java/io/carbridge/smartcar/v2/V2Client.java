package io.carbridge.smartcar.v2;

import static io.carbridge.smartcar.SmartcarHttp.bearer;
import static io.carbridge.smartcar.SmartcarHttp.form;
import static io.carbridge.smartcar.SmartcarHttp.json;
import static io.carbridge.smartcar.SmartcarHttp.malformed;
import static io.carbridge.smartcar.SmartcarHttp.succeeded;
import static io.carbridge.smartcar.SmartcarHttp.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbridge.smartcar.SmartcarApiRoutes.Endpoint;
import io.carbridge.smartcar.SmartcarCallException;
import io.carbridge.smartcar.SmartcarCallException.Kind;
import io.carbridge.smartcar.SmartcarHttp;
import io.carbridge.smartcar.SmartcarSettings;
import io.carbridge.smartcar.VehicleStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The Smartcar API v2.0 calls the bridge makes (Connect's code exchange, token refresh, user, vehicles, attributes,
 * subscribe, unsubscribe), each through its camel-http endpoint ({@link #endpoints}). Answers are parsed strictly: a
 * 2xx that does not carry what the protocol says is {@link Kind#MALFORMED}; every other failure is classified into a
 * {@link SmartcarCallException} ({@link SmartcarHttp}). Tokens travel only in the {@code Authorization} header and the
 * token form body.
 */
final class V2Client {

    private final SmartcarHttp http;
    private final SmartcarSettings settings;
    private final String clientCredentials;

    V2Client(SmartcarHttp http, SmartcarSettings settings, String clientSecret) {
        this.http = http;
        this.settings = settings;
        this.clientCredentials = "Basic "
                + Base64.getEncoder()
                        .encodeToString((settings.clientId() + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
    }

    /** The camel-http endpoint of each call: the token endpoint and the REST API v2.0. */
    static List<Endpoint> endpoints(String authUrl, String apiUrl) {
        return List.of(
                new Endpoint("token", "smartcar-auth-token", authUrl, "POST"),
                new Endpoint("user", "smartcar-api-user", apiUrl, "GET"),
                new Endpoint("vehicles", "smartcar-api-vehicles", apiUrl, "GET"),
                new Endpoint("vehicle-attributes", "smartcar-api-vehicle-attributes", apiUrl, "GET"),
                new Endpoint("subscribe", "smartcar-api-subscribe", apiUrl, "POST"),
                new Endpoint("unsubscribe", "smartcar-api-unsubscribe", apiUrl, "DELETE"));
    }

    /** Connect's callback: the authorization code for the owner's first token pair. */
    TokenGrant exchangeCode(String code) {
        return grant(form("grant_type", "authorization_code", "code", code, "redirect_uri", settings.redirectUri()));
    }

    /** A new pair for the refresh token; Smartcar retires the old refresh token within a minute. */
    TokenGrant refresh(String refreshToken) {
        return grant(form("grant_type", "refresh_token", "refresh_token", refreshToken));
    }

    /** {@code GET /user}: the Smartcar user id the access token belongs to. */
    String userId(String accessToken) {
        JsonNode body = json(call("user", "/user", null, bearer(accessToken)), "user");
        return text(body, "id", "user");
    }

    /** {@code GET /vehicles?limit=&offset=}: one page of the owner's vehicle ids and the total count. */
    VehiclePage vehicles(String accessToken, int offset) {
        JsonNode body = json(
                call(
                        "vehicles",
                        "/vehicles",
                        "limit=" + settings.pageSize() + "&offset=" + offset,
                        bearer(accessToken)),
                "vehicles");
        JsonNode ids = body.path("vehicles");
        JsonNode count = body.path("paging").path("count");
        if (!ids.isArray() || !count.canConvertToInt() || count.asInt() < 0) {
            throw malformed("vehicles", "no vehicles array or paging.count");
        }
        List<String> page = new ArrayList<>(ids.size());
        for (JsonNode id : ids) {
            if (!id.isTextual() || !SmartcarHttp.ID.matcher(id.asText()).matches()) {
                throw malformed("vehicles", "a vehicle id that is not an id");
            }
            page.add(id.asText());
        }
        return new VehiclePage(page, count.asInt());
    }

    /** {@code GET /vehicles/{id}}: make, model and year (Smartcar writes the year as a number or as text). */
    VehicleStore.Attributes attributes(String accessToken, String vehicleId) {
        JsonNode body = json(
                call("vehicle-attributes", "/vehicles/" + vehicleId, null, bearer(accessToken)), "vehicle attributes");
        Integer year = SmartcarHttp.year(body.path("year"));
        if (year == null) {
            throw malformed("vehicle attributes", "no year");
        }
        return new VehicleStore.Attributes(
                text(body, "make", "vehicle attributes"), text(body, "model", "vehicle attributes"), year);
    }

    /** {@code POST /vehicles/{id}/webhooks/{webhookId}} with the owner's token: the vehicle delivers to the webhook. */
    void subscribe(String accessToken, String vehicleId) {
        // a 2xx is the whole answer: its body only repeats the two ids
        call("subscribe", webhookPath(vehicleId), null, bearer(accessToken));
    }

    /** {@code DELETE} on the same path; Smartcar takes the Application Management Token as the bearer here. */
    void unsubscribe(String vehicleId) {
        call("unsubscribe", webhookPath(vehicleId), null, bearer(settings.managementToken()));
    }

    private String webhookPath(String vehicleId) {
        return "/vehicles/" + vehicleId + "/webhooks/" + SmartcarHttp.encode(settings.webhookId());
    }

    private TokenGrant grant(String form) {
        SmartcarHttp.Response response = http.send("token", null, null, clientCredentials, SmartcarHttp.FORM, form);
        if (response.status() >= 400
                && response.status() < 500
                && "invalid_grant"
                        .equals(SmartcarHttp.errorBody(response).path("error").asText())) {
            throw new SmartcarCallException(Kind.GRANT_REFUSED, "token: " + SmartcarHttp.describe(response));
        }
        JsonNode body = json(succeeded(response), "token");
        JsonNode expiresIn = body.path("expires_in");
        if (!expiresIn.canConvertToInt() || expiresIn.asInt() <= 0) {
            throw malformed("token", "no expires_in");
        }
        return new TokenGrant(
                text(body, "access_token", "token"),
                text(body, "refresh_token", "token"),
                Duration.ofSeconds(expiresIn.asInt()));
    }

    private SmartcarHttp.Response call(String operation, String path, String query, String authorization) {
        return succeeded(http.send(operation, path, query, authorization, null, null));
    }

    /** A token pair; {@link #toString()} never shows the tokens. */
    record TokenGrant(String accessToken, String refreshToken, Duration expiresIn) {
        @Override
        public String toString() {
            return "TokenGrant[expiresIn=" + expiresIn + "]";
        }
    }

    /** One page of {@code GET /vehicles}: its ids and the owner's total count. */
    record VehiclePage(List<String> vehicleIds, int total) {}
}
