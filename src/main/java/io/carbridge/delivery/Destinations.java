package io.carbridge.delivery;

import io.carbridge.Settings;
import io.carbridge.Settings.InvalidSettingException;
import io.carbridge.SettingsBinding;
import io.carbridge.delivery.http.HttpSink;
import io.carbridge.delivery.kafka.KafkaSink;
import io.carbridge.outbox.DeliveryPolicy;
import io.carbridge.outbox.FailureList;
import io.carbridge.outbox.OutboxRouting;
import io.carbridge.outbox.RetryPolicy;
import io.carbridge.storage.CanonicalEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.RouteTemplateParameterSource;
import org.apache.camel.util.URISupport;

/**
 * The destinations of {@code bridge.destinations}, each bound and checked from {@code bridge.destination.<name>.*}
 * ({@link DestinationSettings} declares every setting). A mistake stops the service at start with a message naming the
 * destination and the setting.
 *
 * <p>Also the {@link RouteTemplateParameterSource} that makes Camel create the routes of each destination: its route
 * from the {@value #TEMPLATE} template ({@code routes/destination.camel.yaml}), and the route of its sink when the sink
 * is one of the bridge's own (HTTP, Kafka); and the {@link OutboxRouting} that tells the outbox which destinations get
 * a delivery for an event, and how it delivers to each.
 */
public final class Destinations implements RouteTemplateParameterSource, OutboxRouting {

    /** The route template every destination is created from. */
    public static final String TEMPLATE = "destination";

    private static final String PREFIX = "bridge.destination.";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    /**
     * What no sink's next attempt can fix: an endpoint that cannot be made, a document no converter can turn into what
     * it takes.
     */
    private static final List<String> DEAD_ON_EVERY_SINK = List.of(
            "org.apache.camel.ResolveEndpointFailedException",
            "org.apache.camel.NoSuchEndpointException",
            "org.apache.camel.NoTypeConversionAvailableException",
            "org.apache.camel.InvalidPayloadException");

    private final Map<String, Destination> byName;

    private Destinations(Map<String, Destination> byName) {
        this.byName = byName;
    }

    public static Destinations from(Settings settings) {
        Map<String, Destination> byName = new LinkedHashMap<>();
        for (String name : settings.of(DestinationListSettings.class).names()) {
            if (!NAME.matcher(name).matches()) {
                throw new InvalidSettingException(
                        "bridge.destinations",
                        "names '" + name + "': a destination name is lowercase letters, digits and dashes");
            }
            DestinationSettings declared =
                    settings.bind(PREFIX + name + ".", new DestinationSettings(), "destination '" + name + "'");
            if (byName.put(name, destination(settings, name, declared)) != null) {
                throw new InvalidSettingException("bridge.destinations", "names '" + name + "' twice");
            }
        }
        return new Destinations(byName);
    }

    private static Destination destination(Settings settings, String name, DestinationSettings declared) {
        Sink sink = sink(settings, name, declared);
        RetryPolicy retry = new RetryPolicy(
                declared.retryInitialDelay,
                declared.retryMultiplier,
                declared.retryMaxDelay,
                declared.retryMaxAttempts,
                declared.retryMaxAge);
        FailureList deadOn =
                new FailureList(DEAD_ON_EVERY_SINK).plus(sink.deadOn()).plus(declared.deadOn);
        DeliveryPolicy policy = new DeliveryPolicy(
                declared.concurrency,
                declared.timeout,
                retry,
                deadOn,
                sink.secrets(),
                declared.deliver == DestinationSettings.Deliver.STATE);
        return new Destination(
                name, sink, declared.eventTypes, declared.includeTestEvents, declared.transform, policy, declared);
    }

    /**
     * The sink of the destination's {@code uri} or {@code url} (one of them, not both): the bridge's HTTP sink for an
     * {@code http://} or {@code https://} URL, its Kafka sink for {@code kafka:}, and the endpoint itself otherwise.
     */
    private static Sink sink(Settings settings, String name, DestinationSettings declared) {
        String prefix = PREFIX + name + ".";
        if ((declared.uri == null) == (declared.url == null)) {
            throw new InvalidSettingException(
                    prefix + (declared.uri == null ? "uri" : "url"),
                    declared.uri == null
                            ? "is not set: destination '" + name
                                    + "' needs the Camel endpoint events go to, or an HTTP URL in " + prefix + "url"
                            : "and " + prefix + "url are both set: destination '" + name + "' takes one of them");
        }
        String key = prefix + (declared.url != null ? "url" : "uri");
        String uri = declared.url != null ? declared.url : declared.uri;
        String scheme = uri.contains(":") ? uri.substring(0, uri.indexOf(':')).toLowerCase(Locale.ROOT) : "";
        boolean http = scheme.equals("http") || scheme.equals("https");
        if (declared.url != null && !http) {
            throw new InvalidSettingException(
                    key,
                    "is '" + URISupport.sanitizeUri(uri) + "': destination '" + name
                            + "' needs an http:// or https:// URL here (any other endpoint goes in uri)");
        }
        if (!http) {
            for (String httpOnly : List.of(
                    "method", "auth", "auth-secret-env", "auth-username", "auth-header", "signing-secret-env")) {
                if (settings.optional(prefix + httpOnly).isPresent()) {
                    throw new InvalidSettingException(
                            prefix + httpOnly,
                            "applies to the HTTP sink only, and destination '" + name + "' sends to " + scheme + ":");
                }
            }
        }
        if (scheme.equals("kafka")) {
            return KafkaSink.of(name, key, uri, declared.timeout);
        }
        return http ? httpSink(settings, name, uri, declared) : new EndpointSink(uri);
    }

    private static HttpSink httpSink(Settings settings, String name, String url, DestinationSettings declared) {
        String prefix = PREFIX + name + ".";
        HttpSink.Auth auth = declared.auth;
        String secret = auth == HttpSink.Auth.NONE
                ? null
                : secret(settings, prefix + "auth-secret-env", declared.authSecretEnv, name);
        if (auth == HttpSink.Auth.BASIC && declared.authUsername == null) {
            throw new InvalidSettingException(
                    prefix + "auth-username", "is not set: destination '" + name + "' uses basic authentication");
        }
        if (auth == HttpSink.Auth.HEADER && declared.authHeader == null) {
            throw new InvalidSettingException(
                    prefix + "auth-header",
                    "is not set: destination '" + name + "' sends its secret in a header: name it (e.g. X-Api-Key)");
        }
        String signingSecret = declared.signingSecretEnv == null
                ? null
                : secret(settings, prefix + "signing-secret-env", declared.signingSecretEnv, name);
        return new HttpSink(
                name,
                url,
                declared.method.toUpperCase(Locale.ROOT),
                auth,
                declared.authUsername,
                declared.authHeader,
                secret,
                signingSecret,
                declared.timeout,
                declared.concurrency);
    }

    /** A secret comes from the environment variable the setting names, never from the file itself. */
    private static String secret(Settings settings, String key, String variable, String name) {
        if (variable == null) {
            throw new InvalidSettingException(
                    key,
                    "is not set: destination '" + name + "' needs the name of the environment variable "
                            + "holding its secret");
        }
        return settings.optional(variable)
                .orElseThrow(() -> new InvalidSettingException(
                        key,
                        "names the environment variable " + variable + ", which is not set (destination '" + name
                                + "')"));
    }

    /**
     * Before the routes are made: every sink is an endpoint Camel can make (its component is in the build, its options
     * exist), so that a misspelt scheme or option stops the start with a line naming the destination, rather than every
     * delivery failing later.
     */
    void checkSinks(CamelContext camel) {
        EndpointCheck check = new EndpointCheck(camel);
        byName.values().forEach(destination -> {
            String key = PREFIX + destination.name() + "." + (destination.settings().url != null ? "url" : "uri");
            String endpoint = destination.sink() instanceof KafkaSink kafka
                    ? kafka.endpoint()
                    : destination.sink() instanceof HttpSink httpSink
                            ? httpSink.url()
                            : destination.sink().uri();
            check.require(endpoint, key, "destination '" + destination.name() + "'");
        });
    }

    /**
     * Once the routes are loaded, before Camel starts: each destination's transform, and a {@code direct:} sink of a
     * team's, is consumed by a route. Found at start, it is a setting to fix; found at the first event, every delivery
     * would be a dead letter. Camel would only say it when it makes the route, with a stack trace and no setting named.
     */
    public void requireConsumedRoutes(CamelContext camel) {
        List<RouteDefinition> routes = ((ModelCamelContext) camel).getRouteDefinitions();
        Set<String> consumed = routes.stream()
                .map(RouteDefinition::getEndpointUrl)
                .map(Destinations::normalize)
                .collect(Collectors.toSet());
        for (Destination destination : byName.values()) {
            requireConsumed(routes, consumed, destination.transformUri(), "transform", destination.name());
            if (destination.sink() instanceof EndpointSink
                    && destination.sink().uri().startsWith("direct:")) {
                requireConsumed(routes, consumed, destination.sink().uri(), "uri", destination.name());
            }
        }
    }

    private static void requireConsumed(
            List<RouteDefinition> routes, Set<String> consumed, String uri, String setting, String name) {
        if (consumed.contains(normalize(uri))) {
            return;
        }
        String key = PREFIX + name + "." + setting;
        Optional<RouteDefinition> named =
                routes.stream().filter(route -> uri.equals(route.getRouteId())).findFirst();
        if (named.isPresent()) {
            throw new InvalidSettingException(
                    key,
                    "is '" + uri + "', the id of a route: name the endpoint it starts from, "
                            + named.get().getEndpointUrl() + " (destination '" + name + "')");
        }
        throw new InvalidSettingException(
                key, "is '" + uri + "', but no route in routes/ starts from it (destination '" + name + "')");
    }

    private static String normalize(String uri) {
        try {
            return URISupport.normalizeUri(uri);
        } catch (Exception e) {
            return uri;
        }
    }

    public List<Destination> all() {
        return List.copyOf(byName.values());
    }

    public Destination get(String name) {
        return byName.get(name);
    }

    /** The HTTP sink of a destination, for the HTTP sink's steps. */
    public HttpSink httpSink(String name) {
        return (HttpSink) byName.get(name).sink();
    }

    @Override
    public List<String> destinationsFor(CanonicalEvent event) {
        return byName.values().stream()
                .filter(destination -> destination.wants(event))
                .map(Destination::name)
                .toList();
    }

    @Override
    public Map<String, String> refusals(CanonicalEvent event) {
        Map<String, String> refusals = new LinkedHashMap<>();
        byName.values().forEach(destination -> {
            String refusal = destination.refusal(event);
            if (refusal != null) {
                refusals.put(destination.name(), refusal);
            }
        });
        return refusals;
    }

    @Override
    public Optional<DeliveryPolicy> policy(String destination) {
        return Optional.ofNullable(byName.get(destination)).map(Destination::policy);
    }

    /** The route of a destination, created from {@value #TEMPLATE}. */
    public static String routeId(String name) {
        return "deliver-" + name;
    }

    /**
     * Each destination's route, and its sink's route when the sink has one ({@code http-sink-<name>},
     * {@code kafka-sink-<name>}).
     */
    @Override
    public Set<String> routeIds() {
        Set<String> ids = new LinkedHashSet<>();
        byName.values().forEach(destination -> {
            ids.add(routeId(destination.name()));
            destination.sink().route().ifPresent(route -> ids.add(route.get(TEMPLATE_ID) + "-" + destination.name()));
        });
        return ids;
    }

    /** The parameters of a destination's route (name, transform, sink), or of its sink's route. */
    @Override
    public Map<String, Object> parameters(String routeId) {
        for (Destination destination : byName.values()) {
            if (routeId.equals(routeId(destination.name()))) {
                Map<String, Object> parameters = new LinkedHashMap<>();
                parameters.put(TEMPLATE_ID, TEMPLATE);
                parameters.put("name", destination.name());
                parameters.put("transform", destination.transformUri());
                parameters.put("sink", destination.sink().uri());
                return parameters;
            }
            Optional<Map<String, Object>> sinkRoute = destination
                    .sink()
                    .route()
                    .filter(route -> routeId.equals(route.get(TEMPLATE_ID) + "-" + destination.name()));
            if (sinkRoute.isPresent()) {
                return sinkRoute.get();
            }
        }
        throw new IllegalArgumentException("no destination route " + routeId);
    }

    /**
     * A destination's effective settings, as the admin API shows them: every setting with its value (secrets never: the
     * environment variables that hold them are named, the sink's URI is masked), and what the bridge made of them.
     */
    public Map<String, Object> describe(String name) {
        Destination destination = byName.get(name);
        Map<String, Object> settings = new LinkedHashMap<>();
        for (SettingsBinding.Declared declared : SettingsBinding.declared(DestinationSettings.class)) {
            Object value;
            try {
                value = declared.field().get(destination.settings());
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
            boolean endpoint = declared.key().equals("uri") || declared.key().equals("url");
            settings.put(
                    declared.key(),
                    value == null
                            ? null
                            : endpoint
                                    ? URISupport.sanitizeUri(value.toString())
                                    : value instanceof List<?> || value instanceof Number || value instanceof Boolean
                                            ? value
                                            : SettingsBinding.text(value));
        }
        Map<String, Object> sink = new LinkedHashMap<>();
        sink.put("kind", destination.sink().kind());
        sink.put("endpoint", destination.sink().shown());
        sink.put("deadOn", destination.policy().deadOn().names());
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("name", name);
        described.put("sink", sink);
        described.put("settings", settings);
        return described;
    }

    /** The rows of the settings table for {@code bridge.destination.<name>.*}, from their declaration. */
    public static List<String> settingsTableRows() {
        return SettingsBinding.tableRows(DestinationSettings.class, PREFIX + "<name>.", new Properties());
    }

    /** What the destination's requests carry that must never be shown: the sink's secrets. */
    public List<String> secretsOf(String name) {
        Destination destination = byName.get(name);
        return destination == null
                ? List.of()
                : new ArrayList<>(destination.policy().secrets());
    }
}
