package io.carbridge.smartcar;

import java.util.List;
import java.util.Optional;

import io.carbridge.Settings;
import io.carbridge.admin.AdminAccess;
import io.carbridge.storage.Storage;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires Smartcar Connect, the subscription sync and their admin API: binds the Java steps that
 * {@code routes/smartcar-connect.camel.yaml} and {@code routes/subscription-sync.camel.yaml} refer to by name, and adds
 * the Smartcar API routes. Without {@code SMARTCAR_CLIENT_ID} the same names are bound to steps that answer 503 (Connect)
 * or do nothing (the sync), so an intake-only deployment runs the same route files.
 */
public final class Smartcar {

    /** The route a sync run starts at: the timer's and the admin API's. */
    public static final String SYNC_ENDPOINT = "direct:subscription-sync";

    private static final List<String> CONNECT_STEPS = List.of(
            "startConnect", "checkConnectCallback", "exchangeConnectCode", "readConnectUser", "storeConnection", "answerConnected");
    private static final List<String> SYNC_STEPS = List.of(
            "startSubscriptionSync", "claimConnection", "refreshExpiringToken", "listVehicles", "markGoneVehicles",
            "recordListedVehicles", "claimVehicle", "readVehicleAttributes", "subscribeVehicle", "unsubscribeGoneVehicle",
            "finishConnectionSync", "finishSubscriptionSync",
            "recordSyncRunFailure", "recordConnectionFailure", "recordVehicleFailure", "recordUnsubscribeFailure");

    private static final Logger LOG = LoggerFactory.getLogger(Smartcar.class);

    private Smartcar() {
    }

    public static void install(CamelContext camel, Settings settings, Storage storage, MeterRegistry meters, AdminAccess adminAccess)
            throws Exception {
        Optional<SmartcarSettings> configured = SmartcarSettings.load(settings);
        ConnectionStore connections = new ConnectionStore(storage.jdbc(), storage.transactions());
        VehicleStore vehicles = new VehicleStore(storage.jdbc());
        SmartcarMetrics metrics = new SmartcarMetrics(meters, connections);
        ProducerTemplate producer = camel.createProducerTemplate();
        Registry registry = camel.getRegistry();
        registry.bind("answerConnectFailure", ConnectSteps.answerFailure(metrics));

        Optional<SmartcarApi> api = configured.map(config -> new SmartcarApi(producer, config));
        if (configured.isPresent()) {
            SmartcarSettings config = configured.get();
            registry.bind(SmartcarApiRoutes.HTTP_CLIENT_BEAN, SmartcarApiRoutes.HTTP_CLIENT);
            camel.addRoutes(new SmartcarApiRoutes(config));
            bindConnect(registry, new ConnectSteps(config, api.get(), new ConnectStateStore(storage.jdbc(),
                    settings.integer("bridge.connect.max-open-states", 10_000, 1, 1_000_000)), connections, metrics));
            bindSync(registry, new SyncSteps(config, api.get(), connections, vehicles, new RateLimitPause(storage.jdbc()),
                    new ConnectionSession.Tokens(api.get(), config.cipher(), connections, metrics), metrics, settings.instanceId()));
            LOG.info("Smartcar Connect and the subscription sync are on: {}", config);
        } else {
            Processor notConfigured = exchange -> {
                throw ConnectFailure.notConfigured();
            };
            Processor nothingToDo = exchange -> exchange.getMessage().setBody(List.of());
            CONNECT_STEPS.forEach(name -> registry.bind(name, notConfigured));
            SYNC_STEPS.forEach(name -> registry.bind(name, nothingToDo));
            LOG.info("Smartcar Connect and the subscription sync are off: set SMARTCAR_CLIENT_ID to turn them on");
        }
        camel.addRoutes(new SmartcarAdminRoutes(adminAccess, connections, vehicles, api, producer, metrics));
    }

    private static void bindConnect(Registry registry, ConnectSteps steps) {
        registry.bind("startConnect", steps.start());
        registry.bind("checkConnectCallback", steps.checkCallback());
        registry.bind("exchangeConnectCode", steps.exchangeCode());
        registry.bind("readConnectUser", steps.readUser());
        registry.bind("storeConnection", steps.storeConnection());
        registry.bind("answerConnected", steps.answerConnected());
    }

    private static void bindSync(Registry registry, SyncSteps steps) {
        registry.bind("startSubscriptionSync", steps.start());
        registry.bind("claimConnection", steps.claimConnection());
        registry.bind("refreshExpiringToken", steps.refreshExpiringToken());
        registry.bind("listVehicles", steps.listVehicles());
        registry.bind("markGoneVehicles", steps.markGoneVehicles());
        registry.bind("recordListedVehicles", steps.recordListedVehicles());
        registry.bind("claimVehicle", steps.claimVehicle());
        registry.bind("readVehicleAttributes", steps.readVehicleAttributes());
        registry.bind("subscribeVehicle", steps.subscribeVehicle());
        registry.bind("unsubscribeGoneVehicle", steps.unsubscribeGoneVehicle());
        registry.bind("finishConnectionSync", steps.finishConnection());
        registry.bind("finishSubscriptionSync", steps.finish());
        registry.bind("recordSyncRunFailure", steps.runFailed());
        registry.bind("recordConnectionFailure", steps.connectionFailed());
        registry.bind("recordVehicleFailure", steps.vehicleFailed());
        registry.bind("recordUnsubscribeFailure", steps.unsubscribeFailed());
    }
}
