package io.carbridge.smartcar;

import static io.carbridge.smartcar.SmartcarHttp.bearer;
import static io.carbridge.smartcar.SmartcarHttp.form;
import static io.carbridge.smartcar.SmartcarHttp.json;
import static io.carbridge.smartcar.SmartcarHttp.malformed;
import static io.carbridge.smartcar.SmartcarHttp.succeeded;
import static io.carbridge.smartcar.SmartcarHttp.text;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbridge.smartcar.SmartcarCallException.Kind;

/**
 * The Smartcar API v2.0 calls the bridge makes (Connect's code exchange, token refresh, user, vehicles, attributes,
 * subscribe, unsubscribe), each through its camel-http endpoint in {@link SmartcarApiRoutes}. Answers are parsed
 * strictly: a 2xx that does not carry what the protocol says is {@link Kind#MALFORMED}; every other failure is
 * classified into a {@link SmartcarCallException} ({@link SmartcarHttp}). Tokens travel only in the
 * {@code Authorization} header and the token form body.
 */
public final class SmartcarApi {

    /** Smartcar's ids (vehicles, users, subscriptions) are UUIDs; anything that could change a request path is refused. */
    public static final Pattern VEHICLE_ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");

    private final SmartcarHttp http;
    private final SmartcarSettings settings;
    private final String clientCredentials;

    SmartcarApi(SmartcarHttp http, SmartcarSettings settings) {
        this.http = http;
        this.settings = settings;
        this.clientCredentials = "Basic " + Base64.getEncoder().encodeToString(
                (settings.clientId() + ":" + settings.clientSecret()).getBytes(StandardCharsets.UTF_8));
    }

    /** Connect's callback: the authorization code for the owner's first token pair. */
    public TokenGrant exchangeCode(String code) {
        return grant(form("grant_type", "authorization_code", "code", code, "redirect_uri", settings.redirectUri()));
    }

    /** A new pair for the refresh token; Smartcar retires the old refresh token within a minute. */
    public TokenGrant refresh(String refreshToken) {
        return grant(form("grant_type", "refresh_token", "refresh_token", refreshToken));
    }

    /** {@code GET /user}: the Smartcar user id the access token belongs to. */
    public String userId(String accessToken) {
        JsonNode body = json(call(SmartcarApiRoutes.USER, "/user", null, bearer(accessToken)), "user");
        return text(body, "id", "user");
    }

    /** {@code GET /vehicles?limit=&offset=}: one page of the owner's vehicle ids and the total count. */
    public VehiclePage vehicles(String accessToken, int offset) {
        JsonNode body = json(call(SmartcarApiRoutes.VEHICLES, "/vehicles", "limit=" + settings.pageSize() + "&offset=" + offset,
                bearer(accessToken)), "vehicles");
        JsonNode ids = body.path("vehicles");
        JsonNode count = body.path("paging").path("count");
        if (!ids.isArray() || !count.canConvertToInt() || count.asInt() < 0) {
            throw malformed("vehicles", "no vehicles array or paging.count");
        }
        List<String> page = new ArrayList<>(ids.size());
        for (JsonNode id : ids) {
            if (!id.isTextual() || !VEHICLE_ID.matcher(id.asText()).matches()) {
                throw malformed("vehicles", "a vehicle id that is not an id");
            }
            page.add(id.asText());
        }
        return new VehiclePage(page, count.asInt());
    }

    /** {@code GET /vehicles/{id}}: make, model and year (Smartcar writes the year as a number or as text). */
    public VehicleAttributes attributes(String accessToken, String vehicleId) {
        JsonNode body = json(call(SmartcarApiRoutes.VEHICLE_ATTRIBUTES, "/vehicles/" + vehicleId, null, bearer(accessToken)),
                "vehicle attributes");
        Integer year = VehicleAttributes.year(body.path("year"));
        if (year == null) {
            throw malformed("vehicle attributes", "no year");
        }
        return new VehicleAttributes(text(body, "make", "vehicle attributes"), text(body, "model", "vehicle attributes"), year);
    }

    /** {@code POST /vehicles/{id}/webhooks/{webhookId}} with the owner's token: the vehicle delivers to the webhook. */
    public void subscribe(String accessToken, String vehicleId) {
        // a 2xx is the whole answer: its body only repeats the two ids
        call(SmartcarApiRoutes.SUBSCRIBE, webhookPath(vehicleId), null, bearer(accessToken));
    }

    /** {@code DELETE} on the same path; Smartcar takes the Application Management Token as the bearer here. */
    public void unsubscribe(String vehicleId) {
        call(SmartcarApiRoutes.UNSUBSCRIBE, webhookPath(vehicleId), null, bearer(settings.managementToken()));
    }

    private String webhookPath(String vehicleId) {
        return "/vehicles/" + vehicleId + "/webhooks/" + SmartcarHttp.encode(settings.webhookId());
    }

    private TokenGrant grant(String form) {
        SmartcarHttp.Response response = http.send(SmartcarApiRoutes.TOKEN, null, null, clientCredentials, SmartcarHttp.FORM, form);
        if (response.status() >= 400 && response.status() < 500
                && "invalid_grant".equals(SmartcarHttp.errorBody(response).path("error").asText())) {
            throw new SmartcarCallException(Kind.GRANT_REFUSED, "token: " + SmartcarHttp.describe(response));
        }
        JsonNode body = json(succeeded(response), "token");
        JsonNode expiresIn = body.path("expires_in");
        if (!expiresIn.canConvertToInt() || expiresIn.asInt() <= 0) {
            throw malformed("token", "no expires_in");
        }
        return new TokenGrant(text(body, "access_token", "token"), text(body, "refresh_token", "token"),
                Duration.ofSeconds(expiresIn.asInt()));
    }

    private SmartcarHttp.Response call(String endpoint, String path, String query, String authorization) {
        return succeeded(http.send(endpoint, path, query, authorization, null, null));
    }

    /** A token pair; {@link #toString()} never shows the tokens. */
    public record TokenGrant(String accessToken, String refreshToken, Duration expiresIn) {
        @Override
        public String toString() {
            return "TokenGrant[expiresIn=" + expiresIn + "]";
        }
    }

    /** One page of {@code GET /vehicles}: its ids and the owner's total count. */
    public record VehiclePage(List<String> vehicleIds, int total) {
    }

    /** Make, model and year of a vehicle; v2.0 reads them from the vehicle, v3 from its connection. */
    public record VehicleAttributes(String make, String model, Integer year) {

        /** Smartcar writes the year as a number, or (in some v2.0 examples) as four digits of text; null otherwise. */
        static Integer year(JsonNode year) {
            if (year.isNumber() && year.canConvertToInt()) {
                return year.asInt();
            }
            return year.isTextual() && year.asText().matches("\\d{4}") ? Integer.valueOf(year.asText()) : null;
        }
    }
}
