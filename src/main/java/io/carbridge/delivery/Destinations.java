package io.carbridge.delivery;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.carbridge.Settings;
import io.carbridge.Settings.InvalidSettingException;
import io.carbridge.outbox.OutboxRouting;
import io.carbridge.outbox.RetryPolicy;
import io.carbridge.storage.CanonicalEvent;
import java.util.stream.Collectors;

import org.apache.camel.CamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.RouteTemplateParameterSource;
import org.apache.camel.util.URISupport;

/**
 * The destinations of {@code bridge.destinations}, each read and checked from {@code bridge.destination.<name>.*}.
 * A mistake stops the service at start with a message naming the destination and the setting.
 *
 * <p>Also the {@link RouteTemplateParameterSource} that makes Camel create one route per destination from the
 * {@code http-destination} route template ({@code routes/http-destination.camel.yaml}) with the template's parameters,
 * and the {@link OutboxRouting} that decides which destinations get a delivery in the outbox for an event.
 */
public final class Destinations implements RouteTemplateParameterSource, OutboxRouting {

    /** The route template every destination is created from. */
    public static final String TEMPLATE = "http-destination";
    /** The document route used when a destination names no transform: the enriched event as JSON. */
    public static final String DEFAULT_TRANSFORM = "direct:enriched-event-json";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Set<String> METHODS = Set.of("POST", "PUT", "PATCH");

    private final Map<String, Destination> byName;

    private Destinations(Map<String, Destination> byName) {
        this.byName = byName;
    }

    /** Destinations given as they are, for tests of the steps that read them. */
    public static Destinations of(Destination... destinations) {
        Map<String, Destination> byName = new LinkedHashMap<>();
        for (Destination destination : destinations) {
            byName.put(destination.name(), destination);
        }
        return new Destinations(byName);
    }

    public static Destinations from(Settings settings) {
        Map<String, Destination> byName = new LinkedHashMap<>();
        for (String name : settings.list("bridge.destinations")) {
            if (!NAME.matcher(name).matches()) {
                throw new InvalidSettingException("bridge.destinations", "names '" + name
                        + "': a destination name is lowercase letters, digits and dashes");
            }
            if (byName.put(name, read(settings, name)) != null) {
                throw new InvalidSettingException("bridge.destinations", "names '" + name + "' twice");
            }
        }
        return new Destinations(byName);
    }

    private static Destination read(Settings settings, String name) {
        String prefix = "bridge.destination." + name + ".";
        String url = settings.required(prefix + "url", "destination '" + name + "' needs the URL events are sent to");
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new InvalidSettingException(prefix + "url", "is '" + url + "': destination '" + name + "' needs an http:// or https:// URL");
        }
        String method = settings.string(prefix + "method", "POST").toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw new InvalidSettingException(prefix + "method", "is '" + method + "': destination '" + name + "' can use POST, PUT or PATCH");
        }
        Destination.Auth auth = auth(settings, prefix, name);
        String secret = auth == Destination.Auth.NONE ? null : secret(settings, prefix + "auth-secret-env", name);
        String username = auth == Destination.Auth.BASIC
                ? settings.required(prefix + "auth-username", "destination '" + name + "' uses basic authentication") : null;
        String header = auth == Destination.Auth.HEADER
                ? settings.required(prefix + "auth-header", "destination '" + name + "' sends its secret in a header: name it (e.g. X-Api-Key)") : null;
        String signingSecret = settings.optional(prefix + "signing-secret-env")
                .map(variable -> secret(settings, prefix + "signing-secret-env", name)).orElse(null);

        Duration timeout = positive(settings.duration(prefix + "timeout", Duration.ofSeconds(10)), prefix + "timeout", name);
        RetryPolicy retry = new RetryPolicy(
                positive(settings.duration(prefix + "retry.initial-delay", Duration.ofSeconds(1)), prefix + "retry.initial-delay", name),
                settings.decimal(prefix + "retry.multiplier", 2.0, 1.0, 10.0),
                positive(settings.duration(prefix + "retry.max-delay", Duration.ofMinutes(10)), prefix + "retry.max-delay", name),
                settings.integer(prefix + "retry.max-attempts", 0, 0, 1_000),
                positive(settings.duration(prefix + "retry.max-age", Duration.ofHours(24)), prefix + "retry.max-age", name));

        return new Destination(name, url, method, auth, username, header, secret, timeout,
                settings.list(prefix + "event-types"),
                settings.bool(prefix + "include-test-events", false),
                settings.string(prefix + "transform", DEFAULT_TRANSFORM),
                signingSecret,
                settings.integer(prefix + "concurrency", 8, 1, 256),
                retry);
    }

    private static Destination.Auth auth(Settings settings, String prefix, String name) {
        String kind = settings.string(prefix + "auth", "none");
        try {
            return Destination.Auth.valueOf(kind.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(prefix + "auth", "is '" + kind + "': destination '" + name
                    + "' can use none, bearer, basic or header");
        }
    }

    /** A secret comes from the environment variable the setting names, never from the file itself. */
    private static String secret(Settings settings, String key, String name) {
        String variable = settings.required(key, "destination '" + name + "' needs the name of the environment variable holding its secret");
        return settings.optional(variable).orElseThrow(() -> new InvalidSettingException(key,
                "names the environment variable " + variable + ", which is not set (destination '" + name + "')"));
    }

    private static Duration positive(Duration duration, String key, String name) {
        if (duration.isZero() || duration.isNegative()) {
            throw new InvalidSettingException(key, "must be positive (destination '" + name + "')");
        }
        return duration;
    }

    /**
     * Refuses to start when a destination's transform is not consumed by any route: found at start, it is a setting to
     * fix; found at the first event, every delivery would be a dead letter.
     */
    void checkTransformsExistAtStart(CamelContext camel) throws Exception {
        camel.addStartupListener((context, alreadyStarted) -> {
            Set<String> consumed = ((ModelCamelContext) context).getRouteDefinitions().stream()
                    .map(RouteDefinition::getEndpointUrl).map(Destinations::normalize).collect(Collectors.toSet());
            for (Destination destination : byName.values()) {
                if (!consumed.contains(normalize(destination.transformUri()))) {
                    throw new InvalidSettingException("bridge.destination." + destination.name() + ".transform",
                            "is '" + destination.transformUri() + "', but no route in routes/ starts from it (destination '"
                                    + destination.name() + "')");
                }
            }
        });
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

    @Override
    public List<String> destinationsFor(CanonicalEvent event) {
        return byName.values().stream().filter(destination -> destination.wants(event)).map(Destination::name).toList();
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

    /** The route of a destination: {@code direct:deliver-<name>}, created from {@value #TEMPLATE}. */
    public static String routeId(String name) {
        return "deliver-" + name;
    }

    @Override
    public Set<String> routeIds() {
        return byName.keySet().stream().map(Destinations::routeId).collect(java.util.stream.Collectors.toCollection(java.util.LinkedHashSet::new));
    }

    /** The {@value #TEMPLATE} template's parameters for one destination, from its settings. */
    @Override
    public Map<String, Object> parameters(String routeId) {
        Destination destination = byName.get(routeId.substring("deliver-".length()));
        RetryPolicy retry = destination.retry();
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put(TEMPLATE_ID, TEMPLATE);
        parameters.put("name", destination.name());
        parameters.put("url", destination.url());
        parameters.put("method", destination.method());
        parameters.put("timeout", destination.timeout().toMillis());
        parameters.put("concurrency", destination.concurrency());
        parameters.put("transform", destination.transformUri());
        parameters.put("retryInitialDelay", retry.initialDelay().toMillis());
        parameters.put("retryMultiplier", retry.multiplier());
        parameters.put("retryMaxDelay", retry.maxDelay().toMillis());
        parameters.put("retryMaxAttempts", retry.maxAttempts());
        parameters.put("retryMaxAge", retry.maxAge().toMillis());
        return parameters;
    }

    /** What a destination's requests carry that must never be shown: see {@link Destination#credentials()}. */
    public List<String> secretsOf(String name) {
        Destination destination = byName.get(name);
        return destination == null ? List.of() : destination.credentials();
    }
}
