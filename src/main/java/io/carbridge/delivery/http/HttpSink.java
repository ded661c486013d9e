package io.carbridge.delivery.http;

import io.carbridge.delivery.Sink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.spi.RouteTemplateParameterSource;
import org.apache.camel.util.URISupport;

/**
 * The bridge's HTTP sink, for an {@code http://} or {@code https://} destination: a route of its own
 * ({@code routes/http-sink.camel.yaml}, {@code direct:http-sink-<destination>}) that signs and authenticates the
 * request, sends it with camel-http, and reads the answer into the outcome ({@link HttpSinkSteps}).
 *
 * @param authSecret the bearer token, basic password or header value, read from the named environment variable
 * @param signingSecret key of the Standard Webhooks signature of each request, or null for no signature
 */
public record HttpSink(
        String destination,
        String url,
        String method,
        Auth auth,
        String authUsername,
        String authHeader,
        String authSecret,
        String signingSecret,
        Duration timeout,
        int concurrency)
        implements Sink {

    /** The route template of {@code routes/http-sink.camel.yaml}. */
    public static final String TEMPLATE = "http-sink";

    /** How the requests authenticate. */
    public enum Auth {
        NONE,
        BEARER,
        BASIC,
        HEADER
    }

    @Override
    public String uri() {
        return "direct:" + TEMPLATE + "-" + destination;
    }

    @Override
    public String kind() {
        return "http";
    }

    @Override
    public String shown() {
        return URISupport.sanitizeUri(url);
    }

    /** Every answer is read into an outcome, and a failure to connect or to be answered is worth another attempt. */
    @Override
    public List<String> deadOn() {
        return List.of();
    }

    /** Every secret value the requests carry or are signed with, as sent. */
    @Override
    public List<String> secrets() {
        List<String> secrets = new ArrayList<>();
        if (authSecret != null && !authSecret.isEmpty()) {
            secrets.add(authSecret);
            if (auth == Auth.BASIC) {
                secrets.add(basicCredentials());
            }
        }
        if (signingSecret != null && !signingSecret.isEmpty()) {
            secrets.add(signingSecret);
        }
        return secrets;
    }

    @Override
    public Optional<Map<String, Object>> route() {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put(RouteTemplateParameterSource.TEMPLATE_ID, TEMPLATE);
        parameters.put("name", destination);
        parameters.put("url", url);
        parameters.put("method", method);
        parameters.put("timeout", timeout.toMillis());
        parameters.put("concurrency", concurrency);
        return Optional.of(parameters);
    }

    /** The value of HTTP Basic authentication: base64 of user name, colon, password. */
    String basicCredentials() {
        return Base64.getEncoder().encodeToString((authUsername + ":" + authSecret).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "HttpSink[" + destination + " " + method + " " + shown() + " auth=" + auth + "]";
    }
}
