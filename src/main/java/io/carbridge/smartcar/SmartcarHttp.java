package io.carbridge.smartcar;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbridge.Json;
import io.carbridge.smartcar.SmartcarCallException.Kind;
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
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.util.ObjectHelper;

/**
 * How the Smartcar clients of both API versions ({@code v2.V2Client}, {@code v3.V3Client}) send a request through its
 * camel-http endpoint in {@link SmartcarApiRoutes} and read the answer: a failure to get one is a timeout or a failed
 * connection, a status outside 2xx is classified by what the sync does about it, and a 2xx that is not what the
 * protocol says is {@link Kind#MALFORMED}. Error descriptions carry Smartcar's error fields (v2.0: {@code type, code,
 * description, resolution}; v3: {@code type, code, title, detail, resolution}; OAuth: {@code error,
 * error_description}), never a token or a request header.
 */
public final class SmartcarHttp {

    public static final String FORM = "application/x-www-form-urlencoded";
    public static final String JSON = "application/json";
    /**
     * Smartcar's ids (vehicles, users, subscriptions) are UUIDs; anything that could change a request path is refused.
     */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");

    private static final String RETRY_AFTER = "Retry-After";
    private static final List<String> ERROR_FIELDS =
            List.of("type", "code", "title", "error", "description", "detail", "error_description");

    private final ProducerTemplate producer;

    SmartcarHttp(ProducerTemplate producer) {
        this.producer = producer;
    }

    /**
     * The answer of the call {@code operation} (the route {@value SmartcarApiRoutes#PREFIX}{@code <operation>}),
     * whatever its status; a failure to get one (timeout, connection) is thrown as such.
     */
    public Response send(
            String operation, String path, String query, String authorization, String contentType, String body) {
        return send(operation, path, query, authorization, contentType, body, Map.of());
    }

    /**
     * {@link #send(String, String, String, String, String, String)} with request headers of its own, such as
     * {@code sc-user-id}.
     */
    public Response send(
            String operation,
            String path,
            String query,
            String authorization,
            String contentType,
            String body,
            Map<String, String> headers) {
        Exchange result = producer.send(SmartcarApiRoutes.PREFIX + operation, exchange -> {
            Message message = exchange.getIn();
            headers.forEach(message::setHeader);
            if (authorization != null) {
                message.setHeader("Authorization", authorization);
            }
            message.setHeader("Accept", JSON);
            if (path != null) {
                message.setHeader(Exchange.HTTP_PATH, path);
            }
            if (query != null) {
                message.setHeader(Exchange.HTTP_QUERY, query);
            }
            if (body != null) {
                message.setHeader(Exchange.CONTENT_TYPE, contentType);
                message.setBody(body);
            }
        });
        Exception failure = result.getException();
        if (failure != null) {
            IOException io = ObjectHelper.getException(IOException.class, failure);
            if (io instanceof InterruptedIOException) {
                throw new SmartcarCallException(
                        Kind.TIMEOUT,
                        operation + ": no answer in time (" + io.getClass().getSimpleName() + ")");
            }
            throw new SmartcarCallException(
                    Kind.CONNECTION_FAILED,
                    operation + ": " + (io != null ? io : failure).getClass().getSimpleName());
        }
        Message answer = result.getMessage();
        Integer status = answer.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        return new Response(
                operation,
                status == null ? 0 : status,
                answer.getBody(byte[].class),
                answer.getHeader(RETRY_AFTER, String.class));
    }

    public static Response succeeded(Response response) {
        if (!response.isSuccess()) {
            throw failure(response);
        }
        return response;
    }

    static SmartcarCallException failure(Response response) {
        String description = response.operation() + ": " + describe(response);
        return switch (response.status()) {
            case 401 -> new SmartcarCallException(Kind.UNAUTHORIZED, description);
            case 403 -> new SmartcarCallException(Kind.PERMISSION, description);
            case 429 -> new SmartcarCallException(Kind.RATE_LIMITED, description, retryAfter(response.retryAfter()));
            case 430 -> new SmartcarCallException(Kind.BILLING, description);
            default ->
                new SmartcarCallException(
                        response.status() >= 500 ? Kind.SERVER_ERROR : Kind.CLIENT_ERROR, description);
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
            Duration until = Duration.between(
                    Instant.now(),
                    ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                            .toInstant());
            return until.isNegative() ? Duration.ZERO : until;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Status plus Smartcar's error fields, v2.0, v3 or OAuth, and the resolution it advises: safe to log and store. */
    public static String describe(Response response) {
        JsonNode error = errorBody(response);
        List<String> details = new ArrayList<>(ERROR_FIELDS.stream()
                .map(error::path)
                .filter(JsonNode::isTextual)
                .map(JsonNode::asText)
                .collect(Collectors.toList()));
        JsonNode resolution = error.path("resolution");
        JsonNode resolutionType = resolution.isObject() ? resolution.path("type") : resolution;
        if (resolutionType.isTextual()) {
            details.add("resolution=" + resolutionType.asText());
        }
        String text = "HTTP " + response.status() + (details.isEmpty() ? "" : " " + String.join(" ", details));
        return text.length() > 300 ? text.substring(0, 300) : text;
    }

    public static JsonNode errorBody(Response response) {
        try {
            JsonNode node = response.body() == null || response.body().length == 0
                    ? null
                    : Json.MAPPER.readTree(response.body());
            return node == null ? Json.MAPPER.missingNode() : node;
        } catch (IOException e) {
            return Json.MAPPER.missingNode();
        }
    }

    /** The answer's JSON object; anything else is a malformed answer. */
    public static JsonNode json(Response response, String what) {
        JsonNode node = errorBody(response);
        if (!node.isObject()) {
            throw malformed(
                    what, response.body() == null || response.body().length == 0 ? "empty body" : "not a JSON object");
        }
        return node;
    }

    public static String text(JsonNode body, String field, String what) {
        JsonNode value = body.path(field);
        if (!value.isTextual() || value.asText().isBlank()) {
            throw malformed(what, "no " + field);
        }
        return value.asText();
    }

    public static SmartcarCallException malformed(String what, String problem) {
        return new SmartcarCallException(Kind.MALFORMED, what + ": malformed answer (" + problem + ")");
    }

    /**
     * Smartcar writes a vehicle's year as a number, or (in some v2.0 examples) as four digits of text; null otherwise.
     */
    public static Integer year(JsonNode year) {
        if (year.isNumber() && year.canConvertToInt()) {
            return year.asInt();
        }
        return year.isTextual() && year.asText().matches("\\d{4}") ? Integer.valueOf(year.asText()) : null;
    }

    /** {@code application/x-www-form-urlencoded} of name, value, name, value... */
    public static String form(String... namesAndValues) {
        StringBuilder form = new StringBuilder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            form.append(i == 0 ? "" : "&")
                    .append(encode(namesAndValues[i]))
                    .append('=')
                    .append(encode(namesAndValues[i + 1]));
        }
        return form.toString();
    }

    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    public static String bearer(String token) {
        return "Bearer " + token;
    }

    /** An answer from Smartcar: the operation it answered (for descriptions), its status, body and retry-after. */
    public record Response(String operation, int status, byte[] body, String retryAfter) {

        public boolean isSuccess() {
            return status >= 200 && status < 300;
        }
    }
}
