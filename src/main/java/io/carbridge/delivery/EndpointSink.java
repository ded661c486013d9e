package io.carbridge.delivery;

import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.util.SensitiveUtils;
import org.apache.camel.util.URISupport;

/**
 * Any Camel endpoint as a sink ({@code file:}, {@code log:}, {@code kamelet:}, a team's own {@code direct:} route,
 * ...): the document is sent to it as it is, and the outcome contract applies (completed: delivered; an exception:
 * tried again, or a dead letter for what another attempt cannot fix). A sink route of a team's may also say the outcome
 * itself (io.carbridge.outbox.OutboxConstants#OUTCOME).
 */
public record EndpointSink(String uri) implements Sink {

    @Override
    public String kind() {
        return "endpoint";
    }

    @Override
    public String shown() {
        return URISupport.sanitizeUri(uri);
    }

    @Override
    public List<String> deadOn() {
        return List.of();
    }

    @Override
    public List<String> secrets() {
        return secretsOf(uri);
    }

    @Override
    public Optional<Map<String, Object>> route() {
        return Optional.empty();
    }

    /** The values of the URI's options that Camel counts as secrets (password, sasl.jaas.config, token, ...). */
    public static List<String> secretsOf(String uri) {
        List<String> secrets = new ArrayList<>();
        try {
            URISupport.parseQuery(URISupport.extractQuery(uri), false, true).forEach((option, value) -> {
                if (value != null && SensitiveUtils.containsSensitive(option)) {
                    String text = value.toString();
                    secrets.add(text);
                    boolean raw = text.startsWith(URISupport.RAW_TOKEN_PREFIX + "(")
                            || text.startsWith(URISupport.RAW_TOKEN_PREFIX + "{");
                    if (raw && text.length() > 5) {
                        secrets.add(text.substring(
                                4, text.length() - 1)); // what the component is given: RAW(...) unwrapped
                    }
                }
            });
        } catch (URISyntaxException unreadable) {
            // Camel will refuse it at start, with its own message
        }
        return secrets.stream().filter(secret -> !secret.isBlank()).toList();
    }
}
