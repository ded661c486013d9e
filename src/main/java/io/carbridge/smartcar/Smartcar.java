package io.carbridge.smartcar;

import io.carbridge.Settings;
import io.carbridge.http.ClientAddresses;
import io.carbridge.http.ClientRateLimit;
import io.carbridge.state.VehicleStateStore;
import io.carbridge.storage.Storage;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.camel.spi.RouteTemplateParameterSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Smartcar Connect and the subscription sync, made from the settings: the port ({@link SmartcarApi}) of the API version
 * configured, the step beans of {@code routes/smartcar-connect.camel.yaml} and
 * {@code routes/subscription-sync.camel.yaml} (bound by {@link io.carbridge.BridgeConfiguration}), the route of the
 * version's listing (from its template), the camel-http routes of its calls, and the admin calls. The version is chosen
 * once: {@link ApiVersion} reads its settings, and they make its implementation of the port; nothing here, in the steps
 * or in the routes asks which it is. Without {@code SMARTCAR_CLIENT_ID} there is no port: the steps are there all the
 * same, but Connect answers 503 and every sync run is inactive, so an intake-only deployment runs the same route files.
 */
public final class Smartcar {

    /** The route a sync run starts at: the timer's and the admin API's. */
    public static final String SYNC_ENDPOINT = "direct:subscription-sync";
    /** The id of the route made from the version's listing template, from {@value SyncSteps#LISTING_ENDPOINT}. */
    static final String LISTING_ROUTE = "list-vehicles";

    private static final Logger LOG = LoggerFactory.getLogger(Smartcar.class);

    private final Optional<SmartcarSettings> configured;
    private final Optional<SmartcarApi> api;
    private final ConnectionStore connections;
    private final VehicleStore vehicles;
    private final SmartcarMetrics metrics;
    private final ProducerTemplate producer;
    private final ConnectSteps connectSteps;
    private final SyncSteps syncSteps;
    private final ReconciliationSteps reconciliationSteps;
    private final ReconciliationAdmin reconciliationAdmin;

    /**
     * @param clients who sent a request, for the per-client limit of Connect
     * @param state the vehicles' latest signals, which reconciliation compares Smartcar's with
     */
    public Smartcar(
            CamelContext camel,
            Settings settings,
            Storage storage,
            MeterRegistry meters,
            ClientAddresses clients,
            VehicleStateStore state) {
        configured = SmartcarSettings.load(settings);
        connections = new ConnectionStore(storage.jdbc(), storage.transactions());
        vehicles = new VehicleStore(storage.jdbc());
        ConnectionListingStore listings = new ConnectionListingStore(storage.jdbc());
        metrics = new SmartcarMetrics(meters, connections);
        producer = camel.createProducerTemplate();
        SmartcarHttp http = new SmartcarHttp(producer);
        // the version's own settings make its implementation of the port
        api = configured.map(config ->
                config.api().api(new SmartcarApi.Parts(config, http, connections, vehicles, listings, metrics)));

        SmartcarSettings config = configured.orElse(null);
        syncSteps = new SyncSteps(
                config, api.orElse(null), vehicles, new RateLimitPause(storage.jdbc()), metrics, settings.instanceId());
        ConnectSettings connect = settings.of(ConnectSettings.class);
        ClientRateLimit perClient = new ClientRateLimit("connect", connect.clientBurst, connect.clientRefill, meters);
        connectSteps = new ConnectSteps(
                config,
                api.orElse(null),
                new ConnectStateStore(storage.jdbc(), connect.maxOpenStates),
                connections,
                metrics,
                clients,
                perClient);
        ReconciliationStore reconciliations = new ReconciliationStore(storage.jdbc());
        reconciliationSteps = new ReconciliationSteps(
                config,
                api.flatMap(SmartcarApi::signals).orElse(null),
                reconciliations,
                state,
                new RateLimitPause(storage.jdbc()),
                ReconciliationSettings.of(settings),
                settings.instanceId(),
                producer);
        reconciliationAdmin = new ReconciliationAdmin(api, reconciliations, reconciliationSteps);
        if (config != null) {
            LOG.info("Smartcar Connect and the subscription sync are on: {}", config);
        } else {
            LOG.info("Smartcar Connect and the subscription sync are off: set SMARTCAR_CLIENT_ID to turn them on");
        }
    }

    public ConnectSteps connectSteps() {
        return connectSteps;
    }

    public SyncSteps syncSteps() {
        return syncSteps;
    }

    /**
     * The port, bound as {@code smartcarApi}: the bean of the version's listing route (its steps are methods of the
     * version's implementation). Empty without {@code SMARTCAR_CLIENT_ID}.
     */
    public Optional<SmartcarApi> api() {
        return api;
    }

    /**
     * The route of the version's listing, made by Camel from the version's template
     * ({@link SmartcarApi#listingTemplate()}) when the routes start; empty without {@code SMARTCAR_CLIENT_ID}, where no
     * sync reaches it.
     */
    public Optional<RouteTemplateParameterSource> listingRoute() {
        return api.map(smartcar -> new RouteTemplateParameterSource() {
            @Override
            public Set<String> routeIds() {
                return Set.of(LISTING_ROUTE);
            }

            @Override
            public Map<String, Object> parameters(String routeId) {
                return Map.of(TEMPLATE_ID, smartcar.listingTemplate());
            }
        });
    }

    /** The steps of {@code routes/vehicle-reconciliation.camel.yaml}: gaps filled from Smartcar. */
    public ReconciliationSteps reconciliationSteps() {
        return reconciliationSteps;
    }

    /** The admin calls of gap filling. */
    public ReconciliationAdmin reconciliationAdmin() {
        return reconciliationAdmin;
    }

    /** The HTTP client settings of every Smartcar call, bound as {@value SmartcarApiRoutes#HTTP_CLIENT_BEAN}. */
    public HttpClientConfigurer httpClient() {
        return SmartcarApiRoutes.HTTP_CLIENT;
    }

    /** The camel-http routes of the configured version's calls, when Connect and the sync are configured. */
    public Optional<RoutesBuilder> apiRoutes() {
        return configured.map(SmartcarApiRoutes::new);
    }

    /** The admin calls on connections, vehicles and the sync. */
    public SmartcarAdmin admin() {
        return new SmartcarAdmin(connections, vehicles, api, producer, metrics);
    }
}
