package io.carbridge.smartcar;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbridge.Json;
import io.carbridge.smartcar.SmartcarCallException.Kind;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.util.ObjectHelper;

/**
 * The Smartcar calls the bridge makes (Connect's code exchange, token refresh, user, vehicles, attributes, subscribe,
 * unsubscribe), each through its camel-http endpoint in {@link SmartcarApiRoutes}. Answers are parsed strictly: a 2xx
 * that does not carry what the protocol says is {@link Kind#MALFORMED}; every other failure is classified into a
 * {@link SmartcarCallException}. Tokens travel only in the {@code Authorization} header and the token form body.
 */
public final class SmartcarApi {

    /** Smartcar's vehicle ids are UUIDs; anything that could change a request path is refused. */
    public static final Pattern VEHICLE_ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");

    private static final String RETRY_AFTER = "Retry-After";

    private final ProducerTemplate producer;
    private final SmartcarSettings settings;
    private final String clientCredentials;

    public SmartcarApi(ProducerTemplate producer, SmartcarSettings settings) {
        this.producer = producer;
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
        JsonNode body = json(call(SmartcarApiRoutes.USER, "/user", null, bearer(accessToken), null), "user");
        return text(body, "id", "user");
    }

    /** {@code GET /vehicles?limit=&offset=}: one page of the owner's vehicle ids and the total count. */
    public VehiclePage vehicles(String accessToken, int offset) {
        JsonNode body = json(call(SmartcarApiRoutes.VEHICLES, "/vehicles", "limit=" + settings.pageSize() + "&offset=" + offset,
                bearer(accessToken), null), "vehicles");
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
        JsonNode body = json(call(SmartcarApiRoutes.VEHICLE_ATTRIBUTES, "/vehicles/" + vehicleId, null, bearer(accessToken), null),
                "vehicle attributes");
        JsonNode year = body.path("year");
        boolean yearReadable = year.canConvertToInt() || (year.isTextual() && year.asText().matches("\\d{4}"));
        if (!yearReadable) {
            throw malformed("vehicle attributes", "no year");
        }
        return new VehicleAttributes(text(body, "make", "vehicle attributes"), text(body, "model", "vehicle attributes"),
                year.isTextual() ? Integer.parseInt(year.asText()) : year.asInt());
    }

    /** {@code POST /vehicles/{id}/webhooks/{webhookId}} with the owner's token: the vehicle delivers to the webhook. */
    public void subscribe(String accessToken, String vehicleId) {
        // a 2xx is the whole answer: its body only repeats the two ids
        call(SmartcarApiRoutes.SUBSCRIBE, webhookPath(vehicleId), null, bearer(accessToken), null);
    }

    /** {@code DELETE} on the same path; Smartcar takes the Application Management Token as the bearer here. */
    public void unsubscribe(String vehicleId) {
        call(SmartcarApiRoutes.UNSUBSCRIBE, webhookPath(vehicleId), null, bearer(settings.managementToken()), null);
    }

    private String webhookPath(String vehicleId) {
        return "/vehicles/" + vehicleId + "/webhooks/" + URLEncoder.encode(settings.webhookId(), StandardCharsets.UTF_8);
    }

    private TokenGrant grant(String form) {
        Response response = send(SmartcarApiRoutes.TOKEN, null, null, clientCredentials, form);
        if (response.status() >= 400 && response.status() < 500 && "invalid_grant".equals(errorBody(response).path("error").asText())) {
            throw new SmartcarCallException(Kind.GRANT_REFUSED, "token: " + describe(response));
        }
        JsonNode body = json(succeeded(response), "token");
        JsonNode expiresIn = body.path("expires_in");
        if (!expiresIn.canConvertToInt() || expiresIn.asInt() <= 0) {
            throw malformed("token", "no expires_in");
        }
        return new TokenGrant(text(body, "access_token", "token"), text(body, "refresh_token", "token"),
                Duration.ofSeconds(expiresIn.asInt()));
    }

    private Response call(String endpoint, String path, String query, String authorization, String form) {
        return succeeded(send(endpoint, path, query, authorization, form));
    }

    /** The answer, whatever its status; a failure to get one (timeout, connection) is thrown as such. */
    private Response send(String endpoint, String path, String query, String authorization, String form) {
        Exchange result = producer.send(endpoint, exchange -> {
            Message message = exchange.getIn();
            message.setHeader("Authorization", authorization);
            message.setHeader("Accept", "application/json");
            if (path != null) {
                message.setHeader(Exchange.HTTP_PATH, path);
            }
            if (query != null) {
                message.setHeader(Exchange.HTTP_QUERY, query);
            }
            if (form != null) {
                message.setHeader(Exchange.CONTENT_TYPE, "application/x-www-form-urlencoded");
                message.setBody(form);
            }
        });
        String operation = endpoint.substring("direct:smartcar-".length());
        Exception failure = result.getException();
        if (failure != null) {
            IOException io = ObjectHelper.getException(IOException.class, failure);
            if (io instanceof InterruptedIOException) {
                throw new SmartcarCallException(Kind.TIMEOUT, operation + ": no answer in time (" + io.getClass().getSimpleName() + ")");
            }
            throw new SmartcarCallException(Kind.CONNECTION_FAILED, operation + ": " + (io != null ? io : failure).getClass().getSimpleName());
        }
        Message answer = result.getMessage();
        Integer status = answer.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        return new Response(operation, status == null ? 0 : status, answer.getBody(byte[].class), answer.getHeader(RETRY_AFTER, String.class));
    }

    private static Response succeeded(Response response) {
        if (response.status() < 200 || response.status() >= 300) {
            throw failure(response);
        }
        return response;
    }

    private static SmartcarCallException failure(Response response) {
        String description = response.operation() + ": " + describe(response);
        return switch (response.status()) {
            case 401 -> new SmartcarCallException(Kind.UNAUTHORIZED, description);
            case 403 -> new SmartcarCallException(Kind.PERMISSION, description);
            case 429 -> new SmartcarCallException(Kind.RATE_LIMITED, description, retryAfter(response.retryAfter()));
            case 430 -> new SmartcarCallException(Kind.BILLING, description);
            default -> new SmartcarCallException(response.status() >= 500 ? Kind.SERVER_ERROR : Kind.CLIENT_ERROR, description);
        };
    }

    /** {@code retry-after} in seconds, or as an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.trim();
        if (value.matches("\\d{1,9}")) {
            return Duration.ofSeconds(Long.parseLong(value));
        }
        try {
            Duration until = Duration.between(Instant.now(), ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            return until.isNegative() ? Duration.ZERO : until;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Status plus Smartcar's error type/code/description (or OAuth's error/error_description): safe to log and store. */
    private static String describe(Response response) {
        JsonNode error = errorBody(response);
        String detail = Stream.of("type", "code", "error", "description", "error_description")
                .map(field -> error.path(field))
                .filter(JsonNode::isTextual)
                .map(JsonNode::asText)
                .collect(Collectors.joining(" "));
        String text = "HTTP " + response.status() + (detail.isEmpty() ? "" : " " + detail);
        return text.length() > 300 ? text.substring(0, 300) : text;
    }

    private static JsonNode errorBody(Response response) {
        try {
            JsonNode node = response.body() == null || response.body().length == 0 ? null : Json.MAPPER.readTree(response.body());
            return node == null ? Json.MAPPER.missingNode() : node;
        } catch (IOException e) {
            return Json.MAPPER.missingNode();
        }
    }

    private static JsonNode json(Response response, String what) {
        JsonNode node = errorBody(response);
        if (!node.isObject()) {
            throw malformed(what, response.body() == null || response.body().length == 0 ? "empty body" : "not a JSON object");
        }
        return node;
    }

    private static String text(JsonNode body, String field, String what) {
        JsonNode value = body.path(field);
        if (!value.isTextual() || value.asText().isBlank()) {
            throw malformed(what, "no " + field);
        }
        return value.asText();
    }

    private static SmartcarCallException malformed(String what, String problem) {
        return new SmartcarCallException(Kind.MALFORMED, what + ": malformed answer (" + problem + ")");
    }

    /** {@code application/x-www-form-urlencoded} of name, value, name, value... */
    private static String form(String... namesAndValues) {
        StringBuilder form = new StringBuilder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            form.append(i == 0 ? "" : "&").append(namesAndValues[i]).append('=')
                    .append(URLEncoder.encode(namesAndValues[i + 1], StandardCharsets.UTF_8));
        }
        return form.toString();
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    private record Response(String operation, int status, byte[] body, String retryAfter) {
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

    public record VehicleAttributes(String make, String model, int year) {
    }
}
