package io.carbridge.smartcar;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

import io.carbridge.Settings;
import io.carbridge.http.ClientAddresses;
import io.carbridge.http.ClientRateLimit;
import io.carbridge.state.VehicleStateStore;
import io.carbridge.storage.Storage;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Smartcar Connect and the subscription sync, made from the settings: the step beans of
 * {@code routes/smartcar-connect.camel.yaml} and {@code routes/subscription-sync.camel.yaml} (bound by
 * {@link io.carbridge.BridgeConfiguration}), the camel-http routes of the Smartcar API, and the admin calls. The routes
 * branch on {@code bridge.smartcar.api-version}; a step of the branch not taken fails loudly
 * ({@link ApiVersion#require}). Without {@code SMARTCAR_CLIENT_ID} the steps are there all the same, but Connect answers
 * 503 and every sync run is inactive, so an intake-only deployment runs the same route files.
 */
public final class Smartcar {

    /** The route a sync run starts at: the timer's and the admin API's. */
    public static final String SYNC_ENDPOINT = "direct:subscription-sync";

    private static final Logger LOG = LoggerFactory.getLogger(Smartcar.class);

    private final Optional<SmartcarSettings> configured;
    private final ConnectionStore connections;
    private final VehicleStore vehicles;
    private final ConnectionListingStore listings;
    private final SmartcarMetrics metrics;
    private final ProducerTemplate producer;
    private final ConnectSteps connectSteps;
    private final SyncSteps syncSteps;
    private final ConnectionSyncSteps connectionSyncSteps;
    private final ApplicationSyncSteps applicationSyncSteps;
    private final Optional<Consumer<String>> unsubscribe;
    private final ReconciliationSteps reconciliationSteps;
    private final ReconciliationAdmin reconciliationAdmin;

    /**
     * @param clients who sent a request, for the per-client limit of Connect
     * @param state   the vehicles' latest signals, which reconciliation compares Smartcar's with
     */
    public Smartcar(CamelContext camel, Settings settings, Storage storage, MeterRegistry meters, ClientAddresses clients,
                    VehicleStateStore state) {
        configured = SmartcarSettings.load(settings);
        connections = new ConnectionStore(storage.jdbc(), storage.transactions());
        vehicles = new VehicleStore(storage.jdbc());
        listings = new ConnectionListingStore(storage.jdbc());
        metrics = new SmartcarMetrics(meters, connections);
        producer = camel.createProducerTemplate();

        SmartcarSettings config = configured.orElse(null);
        ApiVersion version = configured.map(SmartcarSettings::apiVersion).orElse(null);
        SmartcarHttp http = new SmartcarHttp(producer);
        SmartcarApi v2 = version == ApiVersion.V2 ? new SmartcarApi(http, config) : null;
        SmartcarV3Api v3 = version == ApiVersion.V3 ? new SmartcarV3Api(http, config, metrics, Clock.systemUTC()) : null;
        syncSteps = new SyncSteps(config, vehicles, new RateLimitPause(storage.jdbc()), metrics, settings.instanceId());
        ClientRateLimit perClient = new ClientRateLimit("connect", settings.integer("bridge.connect.client-burst", 10, 1, 10_000),
                settings.positiveDuration("bridge.connect.client-refill", Duration.ofSeconds(6)), meters);
        connectSteps = new ConnectSteps(config, v2, new ConnectStateStore(storage.jdbc(),
                settings.integer("bridge.connect.max-open-states", 10_000, 1, 1_000_000)), connections, metrics, clients, perClient);
        connectionSyncSteps = new ConnectionSyncSteps(config, v2, connections, vehicles,
                v2 == null ? null : new ConnectionSession.Tokens(v2, config.cipher(), connections, metrics), metrics, syncSteps);
        applicationSyncSteps = new ApplicationSyncSteps(config, v3, listings, vehicles, metrics, syncSteps);
        unsubscribe = v3 != null ? Optional.of(v3::unsubscribe) : v2 != null ? Optional.of(v2::unsubscribe) : Optional.empty();
        ReconciliationStore reconciliations = new ReconciliationStore(storage.jdbc());
        reconciliationSteps = new ReconciliationSteps(config, v3, reconciliations, state, new RateLimitPause(storage.jdbc()),
                reconciliationSettings(settings), settings.instanceId(), producer);
        reconciliationAdmin = new ReconciliationAdmin(configured.map(SmartcarSettings::apiVersion), reconciliations, reconciliationSteps);
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

    public ConnectionSyncSteps connectionSyncSteps() {
        return connectionSyncSteps;
    }

    public ApplicationSyncSteps applicationSyncSteps() {
        return applicationSyncSteps;
    }

    /** The steps of {@code routes/vehicle-reconciliation.camel.yaml}: gaps filled from Smartcar. */
    public ReconciliationSteps reconciliationSteps() {
        return reconciliationSteps;
    }

    /** The admin calls of gap filling. */
    public ReconciliationAdmin reconciliationAdmin() {
        return reconciliationAdmin;
    }

    /**
     * {@code bridge.reconcile.*}: the gap after which the bridge reads Smartcar at start, the heartbeat that tells it
     * (read by the route's timer, validated here: it must be shorter than the gap, or every start would look like
     * one), and the request budget.
     */
    public static ReconciliationSteps.Settings reconciliationSettings(Settings settings) {
        Duration gap = settings.duration("bridge.reconcile.gap-threshold", Duration.ofMinutes(3));
        Duration heartbeat = settings.timerPeriod("bridge.reconcile.heartbeat-interval", Duration.ofSeconds(30));
        if (heartbeat.compareTo(gap) >= 0) {
            throw new Settings.InvalidSettingException("bridge.reconcile.gap-threshold", "must be longer than "
                    + "bridge.reconcile.heartbeat-interval, such as 3m with a heartbeat of 30s");
        }
        return new ReconciliationSteps.Settings(gap, settings.integer("bridge.reconcile.requests-burst", 120, 1, 100_000),
                settings.decimal("bridge.reconcile.requests-per-minute", 2, 0.01, 100_000));
    }

    /** The HTTP client settings of every Smartcar call, bound as {@value SmartcarApiRoutes#HTTP_CLIENT_BEAN}. */
    public HttpClientConfigurer httpClient() {
        return SmartcarApiRoutes.HTTP_CLIENT;
    }

    /** The camel-http routes of the Smartcar API, when Connect and the sync are configured. */
    public Optional<RoutesBuilder> apiRoutes() {
        return configured.map(SmartcarApiRoutes::new);
    }

    /** The admin calls on connections, vehicles and the sync. */
    public SmartcarAdmin admin() {
        return new SmartcarAdmin(connections, vehicles, listings, configured.map(SmartcarSettings::apiVersion), unsubscribe, producer,
                metrics);
    }
}
