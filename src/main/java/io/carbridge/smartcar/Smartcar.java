package io.carbridge.smartcar;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

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
 * {@code routes/smartcar-connect.camel.yaml} and {@code routes/subscription-sync.camel.yaml} refer to by name (each
 * name is the method that makes the step), and adds the Smartcar API routes of the configured API version. The routes
 * branch on {@code bridge.smartcar.api-version}; the steps of the branch not taken are bound to a step that fails
 * loudly, so a route can never run half of each version. Without {@code SMARTCAR_CLIENT_ID} the same names are bound to
 * steps that answer 503 (Connect) or do nothing (the sync), so an intake-only deployment runs the same route files.
 */
public final class Smartcar {

    /** The route a sync run starts at: the timer's and the admin API's. */
    public static final String SYNC_ENDPOINT = "direct:subscription-sync";

    private static final List<String> CONNECT_STEPS = List.of("startConnect", "checkConnectCallback", "answerConnected");
    private static final List<String> CONNECT_STEPS_V2 = List.of("exchangeConnectCode", "readConnectUser", "storeConnection");
    private static final List<String> CONNECT_STEPS_V3 = List.of("storeConnectedUser");
    private static final List<String> SYNC_STEPS = List.of(
            "startSubscriptionSync", "claimVehicle", "finishSubscriptionSync",
            "recordSyncRunFailure", "recordVehicleFailure", "recordUnsubscribeFailure");
    private static final List<String> SYNC_STEPS_V2 = List.of(
            "dueConnections", "claimConnection", "refreshExpiringToken", "listVehicles", "markGoneVehicles", "recordListedVehicles",
            "readVehicleAttributes", "subscribeVehicle", "unsubscribeGoneVehicle", "finishConnectionSync", "recordConnectionFailure");
    private static final List<String> SYNC_STEPS_V3 = List.of(
            "claimConnectionListing", "readWebhook", "listConnections", "markDisconnectedVehicles", "recordConnectedVehicles",
            "createSubscription", "deleteSubscription", "finishConnectionListing", "recordListingFailure");

    private static final Logger LOG = LoggerFactory.getLogger(Smartcar.class);

    private Smartcar() {
    }

    public static void install(CamelContext camel, Settings settings, Storage storage, MeterRegistry meters, AdminAccess adminAccess)
            throws Exception {
        Optional<SmartcarSettings> configured = SmartcarSettings.load(settings);
        ConnectionStore connections = new ConnectionStore(storage.jdbc(), storage.transactions());
        VehicleStore vehicles = new VehicleStore(storage.jdbc());
        ConnectionListingStore listings = new ConnectionListingStore(storage.jdbc());
        SmartcarMetrics metrics = new SmartcarMetrics(meters, connections);
        ProducerTemplate producer = camel.createProducerTemplate();
        Registry registry = camel.getRegistry();
        registry.bind("answerConnectFailure", ConnectSteps.answerFailure(metrics));

        Optional<Consumer<String>> unsubscribe = Optional.empty();
        if (configured.isPresent()) {
            SmartcarSettings config = configured.get();
            registry.bind(SmartcarApiRoutes.HTTP_CLIENT_BEAN, SmartcarApiRoutes.HTTP_CLIENT);
            camel.addRoutes(new SmartcarApiRoutes(config));
            SmartcarHttp http = new SmartcarHttp(producer);
            ConnectStateStore states = new ConnectStateStore(storage.jdbc(),
                    settings.integer("bridge.connect.max-open-states", 10_000, 1, 1_000_000));
            SyncSteps sync = new SyncSteps(config, vehicles, new RateLimitPause(storage.jdbc()), metrics, settings.instanceId());
            bindSync(registry, sync);
            if (config.apiVersion() == ApiVersion.V3) {
                SmartcarV3Api api = new SmartcarV3Api(http, config, metrics, Clock.systemUTC());
                ConnectSteps connect = new ConnectSteps(config, null, states, connections, metrics);
                bindConnect(registry, connect);
                registry.bind("storeConnectedUser", connect.storeConnectedUser());
                bindSyncV3(registry, new ApplicationSyncSteps(config, api, listings, vehicles, metrics, sync));
                Stream.concat(CONNECT_STEPS_V2.stream(), SYNC_STEPS_V2.stream()).forEach(name -> registry.bind(name, otherVersion(name, config)));
                unsubscribe = Optional.of(api::unsubscribe);
            } else {
                SmartcarApi api = new SmartcarApi(http, config);
                ConnectSteps connect = new ConnectSteps(config, api, states, connections, metrics);
                bindConnect(registry, connect);
                registry.bind("exchangeConnectCode", connect.exchangeCode());
                registry.bind("readConnectUser", connect.readUser());
                registry.bind("storeConnection", connect.storeConnection());
                bindSyncV2(registry, new ConnectionSyncSteps(config, api, connections, vehicles,
                        new ConnectionSession.Tokens(api, config.cipher(), connections, metrics), metrics, sync));
                Stream.concat(CONNECT_STEPS_V3.stream(), SYNC_STEPS_V3.stream()).forEach(name -> registry.bind(name, otherVersion(name, config)));
                unsubscribe = Optional.of(api::unsubscribe);
            }
            LOG.info("Smartcar Connect and the subscription sync are on: {}", config);
        } else {
            Processor notConfigured = exchange -> {
                throw ConnectFailure.notConfigured();
            };
            Processor nothingToDo = exchange -> exchange.getMessage().setBody(List.of());
            Stream.of(CONNECT_STEPS, CONNECT_STEPS_V2, CONNECT_STEPS_V3).flatMap(List::stream).forEach(name -> registry.bind(name, notConfigured));
            Stream.of(SYNC_STEPS, SYNC_STEPS_V2, SYNC_STEPS_V3).flatMap(List::stream).forEach(name -> registry.bind(name, nothingToDo));
            LOG.info("Smartcar Connect and the subscription sync are off: set SMARTCAR_CLIENT_ID to turn them on");
        }
        camel.addRoutes(new SmartcarAdminRoutes(adminAccess, connections, vehicles, listings, configured.map(SmartcarSettings::apiVersion),
                unsubscribe, producer, metrics));
    }

    /** A step of the route branch the configured version does not take: reaching it is a bug, said as such. */
    private static Processor otherVersion(String name, SmartcarSettings config) {
        return exchange -> {
            throw new IllegalStateException("step " + name + " belongs to the other Smartcar API version; " + ApiVersion.PROPERTY
                    + " is " + config.apiVersion());
        };
    }

    private static void bindConnect(Registry registry, ConnectSteps steps) {
        registry.bind("startConnect", steps.start());
        registry.bind("checkConnectCallback", steps.checkCallback());
        registry.bind("answerConnected", steps.answerConnected());
    }

    private static void bindSync(Registry registry, SyncSteps steps) {
        registry.bind("startSubscriptionSync", steps.startSubscriptionSync());
        registry.bind("claimVehicle", steps.claimVehicle());
        registry.bind("finishSubscriptionSync", steps.finishSubscriptionSync());
        registry.bind("recordSyncRunFailure", steps.recordSyncRunFailure());
        registry.bind("recordVehicleFailure", steps.recordVehicleFailure());
        registry.bind("recordUnsubscribeFailure", steps.recordUnsubscribeFailure());
    }

    private static void bindSyncV2(Registry registry, ConnectionSyncSteps steps) {
        registry.bind("dueConnections", steps.dueConnections());
        registry.bind("claimConnection", steps.claimConnection());
        registry.bind("refreshExpiringToken", steps.refreshExpiringToken());
        registry.bind("listVehicles", steps.listVehicles());
        registry.bind("markGoneVehicles", steps.markGoneVehicles());
        registry.bind("recordListedVehicles", steps.recordListedVehicles());
        registry.bind("readVehicleAttributes", steps.readVehicleAttributes());
        registry.bind("subscribeVehicle", steps.subscribeVehicle());
        registry.bind("unsubscribeGoneVehicle", steps.unsubscribeGoneVehicle());
        registry.bind("finishConnectionSync", steps.finishConnectionSync());
        registry.bind("recordConnectionFailure", steps.recordConnectionFailure());
    }

    private static void bindSyncV3(Registry registry, ApplicationSyncSteps steps) {
        registry.bind("claimConnectionListing", steps.claimConnectionListing());
        registry.bind("readWebhook", steps.readWebhook());
        registry.bind("listConnections", steps.listConnections());
        registry.bind("markDisconnectedVehicles", steps.markDisconnectedVehicles());
        registry.bind("recordConnectedVehicles", steps.recordConnectedVehicles());
        registry.bind("createSubscription", steps.createSubscription());
        registry.bind("deleteSubscription", steps.deleteSubscription());
        registry.bind("finishConnectionListing", steps.finishConnectionListing());
        registry.bind("recordListingFailure", steps.recordListingFailure());
    }
}
