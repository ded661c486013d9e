package io.carbridge.testkit;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbridge.Json;
import io.carbridge.Settings;
import io.carbridge.delivery.DeliverySteps;
import io.carbridge.delivery.Destination;
import io.carbridge.delivery.Destinations;
import io.carbridge.intake.Envelopes;
import io.carbridge.outbox.ClaimedDelivery;
import io.carbridge.outbox.KnownVehicle;
import io.carbridge.storage.CanonicalEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.apache.camel.util.URISupport;

/**
 * The base class of a team's route tests: a team keeps its routes, settings and tests in its own repository and tests
 * them against the bridge version it runs on, with this class from the bridge's test artifact
 * ({@code io.carbridge:smartcar-bridge:<version>}, type {@code test-jar}; see {@code docs/team-project}).
 *
 * <p>Each test gets a Camel context (Camel's test kit, {@link CamelTestSupport}: {@code context}, {@code template},
 * AdviceWith, mocks) holding:
 *
 * <ul>
 *   <li>the team's route files: every {@code routes/*.camel.yaml} of {@link #teamDirectory()} ({@link #routeFiles()}
 *       chooses others);
 *   <li>the team's settings, {@code application.properties} of the team directory, layered over the bridge's own
 *       application.properties as this version of the bridge ships it: the team's file first, so a key it sets wins and
 *       every other key keeps the bridge's value, as {@code --settings} layers them in the service. A test's own values
 *       go in {@link #useOverridePropertiesWithPropertiesComponent()}.
 * </ul>
 *
 * None of the bridge's own routes runs (no HTTP server, no database): what is tested is the team's part.
 *
 * <ul>
 *   <li>{@link #transform}: a transform route alone, given an enriched event ({@link #enrichedEvent} has samples);
 *   <li>{@link #deliver}: a Smartcar delivery ({@link #smartcarDelivery} has samples) through a destination of the
 *       team's settings, as the bridge hands it to the destination's sink: read as the intake reads it, kept or left
 *       out by the destination's {@code event-types} and {@code include-test-events}, enriched, shaped by the
 *       destination's {@code transform} route, made the document; the {@link Document} is what the sink gets;
 *   <li>{@link #outcome}: what a team's sink route said of an attempt ({@code CamelOutboxOutcome}); replace the call to
 *       the far system with AdviceWith ({@link #isUseAdviceWith()}, then {@code context.start()}).
 * </ul>
 *
 * <p>A destination's settings are checked as the bridge checks them at start: a misspelt setting fails the test. The
 * secrets its {@code *-secret-env} settings name are stood in for when the environment does not have them.
 */
public abstract class BridgeRouteTestSupport extends CamelTestSupport {

    /** Where the test artifact keeps the bridge's application.properties and routes/ of its version. */
    private static final String BRIDGE = "io/carbridge/testkit/bridge/";

    private static final String ENRICHED_SAMPLES = "/io/carbridge/testkit/samples/";
    /** The transform of a destination that names none, and the bridge's route file that starts from it. */
    private static final String DEFAULT_TRANSFORM = "direct:enriched-event-json";

    private static final String DEFAULT_TRANSFORM_FILE = "enriched-event-json.camel.yaml";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The team's directory, holding {@code routes/} and {@code application.properties}: by default the working
     * directory, which is the project's directory when Maven runs the tests.
     */
    protected Path teamDirectory() {
        return Path.of("");
    }

    /**
     * The route files loaded, as Camel resource locations: by default every {@code *.camel.yaml} of the team
     * directory's {@code routes/}. Override to load fewer, or to add one of the bridge's ({@link #bridgeRouteFile}).
     */
    protected List<String> routeFiles() {
        Path routes = teamDirectory().resolve("routes");
        if (!Files.isDirectory(routes)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(routes)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".camel.yaml"))
                    .sorted()
                    .map(file -> "file:" + file)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A route file of the bridge's own {@code routes/}, as this version ships it, such as
     * {@code example-erp-sink.camel.yaml}.
     */
    public static String bridgeRouteFile(String name) {
        return "classpath:" + BRIDGE + "routes/" + name;
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext camel = super.createCamelContext();
        PropertiesComponent properties = camel.getPropertiesComponent();
        // Camel reads the locations in order and the first that defines a key wins: the team's file over the bridge's
        Path settings = teamDirectory().resolve("application.properties");
        if (Files.isRegularFile(settings)) {
            properties.addLocation("file:" + settings.toAbsolutePath());
        }
        properties.addLocation("classpath:" + BRIDGE + "application.properties");
        return camel;
    }

    @Override
    protected RoutesBuilder[] createRouteBuilders() throws Exception {
        List<RoutesBuilder> builders = new ArrayList<>();
        for (String location : routeFiles()) {
            builders.addAll(load(location));
        }
        return builders.toArray(RoutesBuilder[]::new);
    }

    /**
     * Sends an enriched event (what the bridge's enrich step makes, as a map) to a transform route, and returns the
     * document the route made, after the document step (a map or list the route left becomes JSON).
     *
     * @throws CamelExecutionException when the route fails (in the bridge: a dead letter at once)
     */
    protected Document transform(String endpoint, Map<String, ?> enrichedEvent) throws IOException {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(enrichedEvent);
        return document(endpoint, exchange);
    }

    /** {@link #deliver(String, byte[], Vehicle)} for a vehicle the bridge does not know yet. */
    protected Document deliver(String destination, byte[] smartcarDelivery) throws IOException {
        return deliver(destination, smartcarDelivery, Vehicle.UNKNOWN);
    }

    /**
     * A Smartcar delivery (the JSON Smartcar posts to the webhook) through a destination of the settings, as the bridge
     * hands it to the destination's sink: the canonical event the intake reads from it, the destination's choice of
     * events, the enrich step with what the bridge knows of the vehicle, the destination's transform (the team's route,
     * or the bridge's default document), the document step.
     *
     * @param destination a name in {@code bridge.destinations}
     * @return the document, or the reason the destination does not want the event
     * @throws IllegalArgumentException for a destination that is not configured, or a delivery the bridge never
     *     forwards (a VERIFY, an unrecognised kind)
     */
    protected Document deliver(String destination, byte[] smartcarDelivery, Vehicle vehicle) throws IOException {
        Destinations destinations = destinations();
        Destination chosen = destinations.get(destination);
        if (chosen == null) {
            throw new IllegalArgumentException("there is no destination '" + destination + "' in bridge.destinations ("
                    + destinations.all().stream().map(Destination::name).collect(Collectors.joining(",")) + ")");
        }
        CanonicalEvent event = canonical(smartcarDelivery);
        ClaimedDelivery claimed = new ClaimedDelivery(
                0,
                destination,
                event.vehicleId() != null ? event.vehicleId() : event.eventId(),
                1,
                false,
                Instant.now(),
                event,
                new KnownVehicle(vehicle.make(), vehicle.model(), vehicle.year(), vehicle.customerReference()));
        Exchange exchange = new DefaultExchange(context);
        claimed.describe(exchange.getMessage());
        String refusal = chosen.refusal(event);
        if (refusal != null) {
            return new Document(refusal, null, headers(exchange));
        }
        requireTransformRoute(chosen.transformUri(), destination);
        // the steps of the bridge's destination route (routes/destination.camel.yaml) before its sink
        exchange.getMessage().setBody(new DeliverySteps().enrich(claimed));
        return document(chosen.transformUri(), exchange);
    }

    /** What a team's sink route said of the attempt that made this exchange. */
    protected static SinkOutcome outcome(Exchange exchange) {
        return SinkOutcome.of(exchange);
    }

    /**
     * A sample enriched event of the test artifact, as a map: {@code enriched-charging-started.json} (a legacy
     * CHARGING_STARTED of a known TESLA Model 3, customer CUST-1001) or
     * {@code enriched-vehicle-error-unknown-vehicle.json} (a test-mode VEHICLE_ERROR of a vehicle the bridge does not
     * know, replayed).
     */
    public static Map<String, Object> enrichedEvent(String sample) {
        try (InputStream in = resource(ENRICHED_SAMPLES + sample)) {
            return JSON.readValue(in, new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The bridge's sample Smartcar delivery of a type, as Smartcar posts it: {@code VEHICLE_STATE},
     * {@code VEHICLE_ERROR} (both live, API v4 envelopes), {@code CHARGING_STARTED} (live) or
     * {@code CHARGING_COMPLETED} (test mode), legacy envelopes; the same the admin API's try of a destination uses.
     */
    public static byte[] smartcarDelivery(String type) {
        try (InputStream in = resource("/samples/" + type + ".json")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Document document(String endpoint, Exchange exchange) throws IOException {
        Exchange done = template.send(endpoint, exchange);
        if (done.getException() != null) {
            throw new CamelExecutionException("the route of " + endpoint + " failed", done, done.getException());
        }
        new DeliverySteps().document(done);
        return new Document(null, done.getMessage().getBody(byte[].class), headers(done));
    }

    /**
     * The destinations of the settings, made and checked as the bridge makes them at start; a secret a destination
     * names that the environment does not hold is stood in for (tests never need the real one).
     */
    private Destinations destinations() {
        PropertiesComponent properties = context.getPropertiesComponent();
        Properties destinationSettings =
                properties.loadProperties(key -> key.startsWith("bridge.destination.") && key.endsWith("-secret-env"));
        for (String key : destinationSettings.stringPropertyNames()) {
            String variable = properties.resolveProperty(key).map(String::trim).orElse("");
            if (!variable.isEmpty() && properties.resolveProperty(variable).isEmpty()) {
                properties.addOverrideProperty(variable, "stand-in-for-" + variable);
            }
        }
        return Destinations.from(new Settings(context));
    }

    /** The transform is a route of the test; the bridge's default document is added when it is the transform. */
    private void requireTransformRoute(String uri, String destination) throws IOException {
        String wanted = normalize(uri);
        boolean consumed = context.getRouteDefinitions().stream()
                .anyMatch(route -> normalize(route.getEndpointUrl()).equals(wanted));
        if (consumed) {
            return;
        }
        if (!wanted.equals(normalize(DEFAULT_TRANSFORM))) {
            throw new IllegalStateException(
                    "no route of " + routeFiles() + " starts from " + uri + ", the transform of destination '"
                            + destination + "' (bridge.destination." + destination + ".transform)");
        }
        try {
            for (RoutesBuilder builder : load(bridgeRouteFile(DEFAULT_TRANSFORM_FILE))) {
                context.addRoutes(builder);
            }
        } catch (Exception e) {
            throw new IllegalStateException("the bridge's " + DEFAULT_TRANSFORM_FILE + " could not be added", e);
        }
    }

    private List<RoutesBuilder> load(String location) throws IOException {
        Resource resource = PluginHelper.getResourceLoader(context).resolveResource(location);
        if (resource == null || !resource.exists()) {
            throw new IOException("there is no route file " + location);
        }
        try {
            return new ArrayList<>(PluginHelper.getRoutesLoader(context).findRoutesBuilders(resource));
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot load the route file " + location + ": " + e.getMessage(), e);
        }
    }

    /** The delivery as the intake reads it; only the kinds the bridge forwards. */
    private static CanonicalEvent canonical(byte[] delivery) throws IOException {
        Object parsed = Json.STRICT.readValue(delivery);
        if (!(parsed instanceof Map<?, ?> envelope)) {
            throw new IllegalArgumentException("a Smartcar delivery is a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = (Map<String, Object>) envelope;
        return Envelopes.forwardable(fields, delivery, Instant.now())
                .orElseThrow(
                        () -> new IllegalArgumentException(
                                "the bridge forwards VEHICLE_STATE, VEHICLE_ERROR and legacy eventBased and scheduled deliveries, not this one"));
    }

    private static Map<String, Object> headers(Exchange exchange) {
        return Collections.unmodifiableMap(
                new LinkedHashMap<>(exchange.getMessage().getHeaders()));
    }

    private static String normalize(String uri) {
        try {
            return URISupport.normalizeUri(uri);
        } catch (Exception e) {
            return uri;
        }
    }

    private static InputStream resource(String name) {
        InputStream in = BridgeRouteTestSupport.class.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalArgumentException("no sample " + name);
        }
        return in;
    }
}
