package io.carbridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carbridge.outbox.OutboxEndpoint;
import java.lang.reflect.Field;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.catalog.CamelCatalog;
import org.apache.camel.catalog.DefaultCamelCatalog;
import org.apache.camel.catalog.EndpointValidationResult;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.tooling.model.ComponentModel;

/**
 * The endpoints a route may name: every component of the Camel catalog of the version the bridge runs on
 * (camel-catalog, the same release as camel-core), whose jar the bridge also has, and the bridge's own components (the
 * outbox), described from their endpoint's {@code @UriParam} fields as Camel's build would. Checks one endpoint URI:
 * its scheme, the names of its options and, where they are written out (not a {@code {{placeholder}}}), their values.
 */
public final class EndpointCatalog {

    /**
     * How an endpoint is used: consumed ({@code from}, {@code pollEnrich}) or sent to ({@code to}, {@code wireTap},
     * ...).
     */
    public enum Role {
        CONSUMER,
        PRODUCER
    }

    /** A mistake in an endpoint URI; {@code option} is the option it concerns, or null for the URI as a whole. */
    public record Mistake(String option, String message) {}

    /** The components the bridge binds itself, not in Camel's catalog: their endpoint classes. */
    private static final List<Class<?>> BRIDGE_ENDPOINTS = List.of(OutboxEndpoint.class);

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final CamelCatalog catalog = new DefaultCamelCatalog(true);
    private final Set<String> bridgeSchemes = new TreeSet<>();

    public EndpointCatalog() {
        for (Class<?> endpoint : BRIDGE_ENDPOINTS) {
            UriEndpoint uriEndpoint = endpoint.getAnnotation(UriEndpoint.class);
            if (uriEndpoint != null) {
                catalog.addComponent(uriEndpoint.scheme(), endpoint.getName(), componentJson(endpoint, uriEndpoint));
                bridgeSchemes.add(uriEndpoint.scheme());
            }
        }
    }

    /** The query of a URI with these options added, as Camel's YAML DSL adds an endpoint's {@code parameters:} map. */
    public static String withParameters(String uri, Map<String, String> parameters) {
        if (parameters.isEmpty()) {
            return uri;
        }
        List<String> pairs = new ArrayList<>();
        // a placeholder stays as written, for the catalog to know the value is not known yet
        parameters.forEach((name, value) -> pairs.add(
                name + "=" + (Dynamic.isDynamic(value) ? value : URLEncoder.encode(value, StandardCharsets.UTF_8))));
        return uri + (uri.contains("?") ? "&" : "?") + String.join("&", pairs);
    }

    /**
     * The mistakes in one endpoint URI. {@code {{placeholders}}} (and {@code ${expressions}} of a {@code toD}) are
     * values known only when the route runs: a URI whose scheme is one is not checked at all, an option whose value is
     * one is checked by name only.
     */
    public List<Mistake> check(String uri, Role role) {
        String text = Dynamic.asPlaceholders(uri == null ? "" : uri.strip());
        List<Mistake> mistakes = new ArrayList<>();
        if (text.isEmpty()) {
            mistakes.add(new Mistake(null, "has no endpoint URI"));
            return mistakes;
        }
        int colon = text.indexOf(':');
        if (colon <= 0) {
            if (!Dynamic.isDynamic(text)) {
                mistakes.add(new Mistake(null, "'" + text + "' is not an endpoint URI (scheme:path?option=value)"));
            }
            return mistakes;
        }
        String scheme = text.substring(0, colon);
        if (Dynamic.isDynamic(scheme)) {
            return mistakes;
        }
        ComponentModel model = catalog.componentModel(scheme);
        if (model == null) {
            mistakes.add(new Mistake(
                    null,
                    "unknown component '" + scheme + "'"
                            + Suggestions.didYouMean(Suggestions.nearest(scheme, componentNames()))));
            return mistakes;
        }
        if (!bridgeSchemes.contains(scheme) && !onClassPath(scheme)) {
            mistakes.add(new Mistake(
                    null,
                    "the component '" + scheme + "' is not in the bridge: its build lacks " + model.getGroupId() + ":"
                            + model.getArtifactId()));
        }
        EndpointValidationResult result;
        try {
            result = catalog.validateEndpointProperties(text, false, role == Role.CONSUMER, role == Role.PRODUCER);
        } catch (RuntimeException e) {
            mistakes.add(new Mistake(null, "is not a valid endpoint URI: " + e.getMessage()));
            return mistakes;
        }
        if (result.getSyntaxError() != null) {
            mistakes.add(new Mistake(null, "is not a valid endpoint URI: " + result.getSyntaxError()));
            return mistakes;
        }
        if (result.getIncapable() != null) {
            return mistakes; // the catalog cannot take this URI apart; nothing more to say about it
        }
        // the catalog takes a component's own options in the URI too (http's connectTimeout is one)
        List<String> options = new ArrayList<>();
        model.getEndpointOptions().forEach(option -> options.add(option.getName()));
        model.getComponentOptions().forEach(option -> options.add(option.getName()));
        for (String option : set(result.getUnknown())) {
            // Camel binds endpoint options ignoring case (httpmethod sets httpMethod); the catalog does not
            if (options.stream().noneMatch(option::equalsIgnoreCase)) {
                mistakes.add(new Mistake(
                        option,
                        "'" + option + "' is not an option of " + scheme
                                + Suggestions.didYouMean(Suggestions.nearest(option, options))));
            }
        }
        // http and a few others pass an option they do not have on to the remote system as a query parameter; one that
        // differs from one of theirs by a letter or two is a slip, not a parameter for the server
        for (String option : set(result.getLenient())) {
            Optional<String> meant = Suggestions.misspeltOf(option, options);
            meant.ifPresent(name -> mistakes.add(new Mistake(
                    option,
                    "'" + option + "' is not an option of " + scheme + " (did you mean " + name + "?); " + scheme
                            + " would send it on as a query parameter")));
        }
        for (String option : set(result.getRequired())) {
            mistakes.add(new Mistake(option, scheme + " needs '" + option + "'"));
        }
        Map<?, ?> invalidEnum = result.getInvalidEnum();
        if (invalidEnum != null) {
            invalidEnum.forEach((option, value) -> {
                List<?> choices = result.getEnumChoices(String.valueOf(option));
                mistakes.add(new Mistake(
                        String.valueOf(option),
                        "'" + value + "' is not a value of '" + option + "'"
                                + (choices == null ? "" : ", which is one of " + choices)));
            });
        }
        invalid(mistakes, result.getInvalidBoolean(), "true or false");
        invalid(mistakes, result.getInvalidInteger(), "a whole number");
        invalid(mistakes, result.getInvalidNumber(), "a number");
        invalid(mistakes, result.getInvalidDuration(), "a duration (such as 5000 or 5s)");
        invalid(mistakes, result.getInvalidReference(), "a reference to a bean (#name)");
        invalid(mistakes, result.getInvalidMap(), "a map");
        invalid(mistakes, result.getInvalidArray(), "a list");
        for (String option : set(result.getNotConsumerOnly())) {
            mistakes.add(new Mistake(
                    option, "'" + option + "' applies when sending to " + scheme + ", not when consuming from it"));
        }
        for (String option : set(result.getNotProducerOnly())) {
            mistakes.add(new Mistake(
                    option, "'" + option + "' applies when consuming from " + scheme + ", not when sending to it"));
        }
        return mistakes;
    }

    private static void invalid(List<Mistake> mistakes, Map<?, ?> values, String expected) {
        if (values != null) {
            values.forEach((option, value) -> mistakes.add(new Mistake(
                    String.valueOf(option), "'" + value + "' is not " + expected + " for '" + option + "'")));
        }
    }

    @SuppressWarnings("unchecked")
    private static Collection<String> set(Collection<?> values) {
        return values == null ? List.of() : new TreeSet<>((Collection<String>) values);
    }

    private List<String> componentNames() {
        List<String> names = new ArrayList<>(catalog.findComponentNames());
        names.addAll(bridgeSchemes);
        return names;
    }

    /** Whether Camel finds the component at run time: the file its component resolver looks for on the class path. */
    private static boolean onClassPath(String scheme) {
        return EndpointCatalog.class
                        .getClassLoader()
                        .getResource("META-INF/services/org/apache/camel/component/" + scheme)
                != null;
    }

    /** The catalog's description of a component, made from its endpoint class's annotations. */
    private static String componentJson(Class<?> endpoint, UriEndpoint uriEndpoint) {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode component = root.putObject("component");
        component
                .put("kind", "component")
                .put("name", uriEndpoint.scheme())
                .put("scheme", uriEndpoint.scheme())
                .put("syntax", uriEndpoint.syntax())
                .put("title", uriEndpoint.title())
                .put("description", "")
                .put("label", "bridge")
                .put("javaType", endpoint.getName())
                .put("groupId", "io.carbridge")
                .put("artifactId", "smartcar-bridge")
                .put("version", "")
                .put("consumerOnly", uriEndpoint.consumerOnly())
                .put("producerOnly", uriEndpoint.producerOnly())
                .put("lenientProperties", uriEndpoint.lenientProperties())
                .put("async", false)
                .put("api", false)
                .put("deprecated", false)
                .put("remote", false)
                .put("browsable", false);
        root.putObject("componentProperties");
        ObjectNode properties = root.putObject("properties");
        int index = 0;
        for (Class<?> type = endpoint; type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                UriPath path = field.getAnnotation(UriPath.class);
                UriParam param = field.getAnnotation(UriParam.class);
                if (path == null && param == null) {
                    continue;
                }
                String name = path != null
                        ? (path.name().isEmpty() ? field.getName() : path.name())
                        : (param.name().isEmpty() ? field.getName() : param.name());
                Metadata metadata = field.getAnnotation(Metadata.class);
                ObjectNode option = properties.putObject(name);
                option.put("index", index++)
                        .put("kind", path != null ? "path" : "parameter")
                        .put("displayName", name)
                        .put("group", "common")
                        .put("label", param != null ? param.label() : "")
                        .put("required", metadata != null && metadata.required())
                        .put("type", typeOf(field.getType()))
                        .put("javaType", field.getType().getName())
                        .put("deprecated", false)
                        .put("autowired", false)
                        .put("secret", false)
                        .put("description", path != null ? path.description() : param.description());
                if (field.getType().isEnum()) {
                    ArrayNode values = option.putArray("enum");
                    Arrays.stream(field.getType().getEnumConstants())
                            .forEach(value -> values.add(String.valueOf(value)));
                }
            }
        }
        return root.toString();
    }

    private static String typeOf(Class<?> type) {
        if (type == boolean.class || type == Boolean.class) {
            return "boolean";
        }
        if (type == int.class
                || type == long.class
                || type == short.class
                || type == Integer.class
                || type == Long.class) {
            return "integer";
        }
        if (type == double.class || type == float.class || type == Double.class || type == Float.class) {
            return "number";
        }
        if (type == Duration.class) {
            return "duration";
        }
        if (type.isEnum()) {
            return "enum";
        }
        return type == String.class ? "string" : "object";
    }
}
