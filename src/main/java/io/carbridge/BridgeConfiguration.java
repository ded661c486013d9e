package io.carbridge;

import io.carbridge.admin.AdminApi;
import io.carbridge.console.ConsoleRoutes;
import io.carbridge.delivery.Delivery;
import io.carbridge.delivery.DeliveryAdmin;
import io.carbridge.delivery.DeliverySteps;
import io.carbridge.delivery.Destinations;
import io.carbridge.delivery.StatsAdmin;
import io.carbridge.delivery.http.HttpSinkSteps;
import io.carbridge.delivery.kafka.KafkaSinkSteps;
import io.carbridge.http.ClientAddresses;
import io.carbridge.http.HttpServerGuard;
import io.carbridge.http.HttpSettings;
import io.carbridge.intake.Intake;
import io.carbridge.intake.IntakeSettings;
import io.carbridge.intake.IntakeSteps;
import io.carbridge.intake.ReplayWindow;
import io.carbridge.outbox.OutboxComponent;
import io.carbridge.smartcar.ConnectSteps;
import io.carbridge.smartcar.ReconciliationAdmin;
import io.carbridge.smartcar.ReconciliationSteps;
import io.carbridge.smartcar.Smartcar;
import io.carbridge.smartcar.SmartcarAdmin;
import io.carbridge.smartcar.SmartcarApi;
import io.carbridge.smartcar.SyncSteps;
import io.carbridge.state.StateAdmin;
import io.carbridge.state.VehicleState;
import io.carbridge.storage.IntakeCounts;
import io.carbridge.storage.Storage;
import io.carbridge.tracing.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.sql.DataSource;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;
import org.apache.camel.spi.RouteTemplateParameterSource;
import org.apache.camel.support.LifecycleStrategySupport;

/**
 * Wires the bridge from {@code application.properties}. Every bean the routes name is bound here, by a
 * {@code @BindToRegistry} method of the same name: {@code bean: {ref: intakeSteps, method: checkSignature}} in a route
 * is {@link #intakeSteps()} here and {@link IntakeSteps#checkSignature} there. The parts the beans come from are made
 * once, on first use, in dependency order (settings, metrics, storage, delivery, intake, Smartcar). {@link #configure}
 * then adds what runs beside the routes. A missing or invalid setting stops the service, with a message naming it.
 */
public class BridgeConfiguration implements CamelConfiguration, CamelContextAware {

    private CamelContext camel;
    private Settings settings;
    private MeterRegistry meters;
    private HttpServerGuard httpGuard;
    private ClientAddresses clientAddresses;
    private IntakeCounts intakeCounts;
    private Storage storage;
    private Delivery delivery;
    private Intake intake;
    private Smartcar smartcar;
    private VehicleState state;
    private Tracing tracing;

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camel = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camel;
    }

    // --- the beans of the routes -------------------------------------------------------------------------------------

    /** {@code to: outbox:all} and {@code from: outbox:<destination>}: the component of the outbox. */
    @BindToRegistry("outbox")
    public OutboxComponent outbox() {
        return delivery().outbox();
    }

    /**
     * The destinations, and the parameters of the routes each one gets from the {@code destination} and sink templates.
     */
    @BindToRegistry
    public Destinations destinations() {
        return delivery().destinations();
    }

    /** The steps of {@code routes/destination.camel.yaml} around the transform: enrich, document. */
    @BindToRegistry
    public DeliverySteps deliverySteps() {
        return delivery().steps(state().store());
    }

    /**
     * The steps of {@code routes/http-sink.camel.yaml}: the request (authentication, idempotency key, signature), the
     * answer.
     */
    @BindToRegistry
    public HttpSinkSteps httpSink() {
        return delivery().httpSinkSteps();
    }

    /** The step of {@code routes/kafka-sink.camel.yaml}: the record's key and headers. */
    @BindToRegistry
    public KafkaSinkSteps kafkaSink() {
        return new KafkaSinkSteps();
    }

    /** The steps of {@code routes/webhook-intake.camel.yaml} and {@code routes/intake-error-handling.camel.yaml}. */
    @BindToRegistry
    public IntakeSteps intakeSteps() {
        return intake().steps();
    }

    /** The intake's test of a replay older than the deduplication memory. */
    @BindToRegistry
    public ReplayWindow replayWindow() {
        return intake().replayWindow();
    }

    /** The steps of {@code routes/smartcar-connect.camel.yaml} and its error handling. */
    @BindToRegistry
    public ConnectSteps connectSteps() {
        return smartcar().connectSteps();
    }

    /** The steps of {@code routes/subscription-sync.camel.yaml}, the same for both Smartcar API versions. */
    @BindToRegistry
    public SyncSteps syncSteps() {
        return smartcar().syncSteps();
    }

    /**
     * The Smartcar port of the API version configured ({@code smartcar.v3.SmartcarV3} or
     * {@code smartcar.v2.SmartcarV2}), whose methods are the steps of that version's listing route; not bound without
     * {@code SMARTCAR_CLIENT_ID}.
     */
    @BindToRegistry
    public SmartcarApi smartcarApi() {
        return smartcar().api().orElse(null);
    }

    /**
     * Makes the route of the version's listing from its template ({@code routes/subscription-sync-v2|v3.camel.yaml}).
     */
    @BindToRegistry
    public RouteTemplateParameterSource smartcarListingRoute() {
        return smartcar().listingRoute().orElse(null);
    }

    /** The HTTP client settings of the Smartcar API endpoints ({@code httpClientConfigurer=#smartcarHttpClient}). */
    @BindToRegistry
    public HttpClientConfigurer smartcarHttpClient() {
        return smartcar().httpClient();
    }

    /** The connection pool, for the {@code sql:} endpoints of {@code routes/retention.camel.yaml}. */
    @BindToRegistry(Storage.DATA_SOURCE)
    public DataSource bridgeDataSource() {
        return storage().dataSource();
    }

    /**
     * The Vert.x instance Camel's HTTP servers take from the registry. Each request's route runs on a worker thread,
     * which waits there for its group commit: enough workers keep the commit batches full under load.
     */
    @BindToRegistry
    public Vertx vertx() {
        return httpGuard()
                .vertx(new VertxOptions()
                        .setWorkerPoolSize(settings().of(HttpSettings.class).workerThreads()));
    }

    /**
     * Where camel-micrometer-prometheus finds the registry it serves on /observe/metrics; the bridge's series go there
     * too.
     */
    @BindToRegistry(MicrometerConstants.METRICS_REGISTRY_NAME)
    public MeterRegistry metricsRegistry() {
        return meters();
    }

    /** What every admin call shares: the bearer token, the JSON answer, the error answers. */
    @BindToRegistry
    public AdminApi adminApi() {
        return AdminApi.from(settings(), clientAddresses(), meters());
    }

    /** The admin calls on events, deliveries and destinations. */
    @BindToRegistry
    public DeliveryAdmin deliveryAdmin() {
        return delivery().admin(camel);
    }

    /** The admin call behind the console's overview. */
    @BindToRegistry
    public StatsAdmin statsAdmin() {
        return delivery().statsAdmin(intakeCounts());
    }

    /** The admin calls on Smartcar connections, vehicles and the sync. */
    @BindToRegistry
    public SmartcarAdmin smartcarAdmin() {
        return smartcar().admin();
    }

    /** The steps of {@code routes/vehicle-reconciliation.camel.yaml}: gaps filled from Smartcar (API v3). */
    @BindToRegistry
    public ReconciliationSteps reconciliationSteps() {
        return smartcar().reconciliationSteps();
    }

    /** The admin calls of gap filling: the last reconciliation, and a run now. */
    @BindToRegistry
    public ReconciliationAdmin reconciliationAdmin() {
        return smartcar().reconciliationAdmin();
    }

    /** The admin call on a vehicle's state. */
    @BindToRegistry
    public StateAdmin stateAdmin() {
        return state().admin();
    }

    // --- what runs beside the routes ---------------------------------------------------------------------------------

    @Override
    public void configure(CamelContext camel) throws Exception {
        LogFormat.warnOfAnUnknownValue();
        // Camel logs a failed bind of its HTTP servers and starts anyway: a bridge Smartcar cannot reach must not start
        CamelPorts ports = CamelPorts.of(settings());
        requireFreePort("camel.server.port", ports.serverPort(), "HTTP_PORT");
        requireFreePort("camel.management.port", ports.managementPort(), "MANAGEMENT_PORT");
        Vertx vertx = camel.getRegistry().lookupByNameAndType("vertx", Vertx.class);
        // the HTTP servers listen before the routes run: they answer 503 until every route has started, and from the
        // moment the service begins to stop
        camel.addStartupListener(new ExtendedStartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
                // not yet: the routes start after this
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
                httpGuard().open();
            }
        });
        camel.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopping(CamelContext context) {
                httpGuard().drain();
            }

            @Override
            public void onContextStopped(CamelContext context) {
                // the HTTP servers have stopped with Camel; the Vert.x instance is the bridge's to close
                vertx.close().toCompletionStage().toCompletableFuture().join();
            }
        });

        // outbound HTTP never retries on its own (Apache HttpClient would silently repeat a 429/503): whether and when
        // to try again is the bridge's decision, recorded in the database
        for (String scheme : new String[] {"http", "https"}) {
            camel.getComponent(scheme, HttpComponent.class).setAutomaticRetriesDisabled(true);
        }

        // traces of the event path, when a collector is named (before the routes are made: Camel's tracer is a route
        // policy)
        tracing().install(camel, delivery().outbox());
        delivery().install(camel);
        intake().installErrorPages(camel, httpGuard());
        if (smartcar().apiRoutes().isPresent()) {
            camel.addRoutes(smartcar().apiRoutes().get());
        }
        camel.addRoutes(new ConsoleRoutes());
        ReadinessMetric.register(camel, meters());
    }

    // --- the parts, made once, on first use
    // ---------------------------------------------------------------------------

    private Settings settings() {
        if (settings == null) {
            settings = new Settings(camel);
            settings.refuseUnknownKeys();
        }
        return settings;
    }

    /** The registry camel-micrometer-prometheus serves, when it made one already; else one it will find. */
    private MeterRegistry meters() {
        if (meters == null) {
            meters = MicrometerUtils.getMeterRegistryFromCamelRegistry(
                    camel.getRegistry(), MicrometerConstants.METRICS_REGISTRY_NAME);
        }
        if (meters == null) {
            meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        }
        return meters;
    }

    private HttpServerGuard httpGuard() {
        if (httpGuard == null) {
            httpGuard = new HttpServerGuard(HttpServerGuard.Limits.from(settings()), meters());
        }
        return httpGuard;
    }

    private IntakeCounts intakeCounts() {
        if (intakeCounts == null) {
            intakeCounts = storage()
                    .intakeCounts(
                            camel,
                            settings().instanceId(),
                            settings().of(IntakeSettings.class).countsFlushInterval());
        }
        return intakeCounts;
    }

    private ClientAddresses clientAddresses() {
        if (clientAddresses == null) {
            clientAddresses = ClientAddresses.from(settings());
        }
        return clientAddresses;
    }

    private Storage storage() {
        if (storage == null) {
            storage = Storage.open(camel, settings());
        }
        return storage;
    }

    private Delivery delivery() {
        if (delivery == null) {
            delivery = new Delivery(settings(), storage(), meters());
            // the vehicles' state is written in the transactions that store the events
            delivery.outbox().keepVehicleState(state().writer());
        }
        return delivery;
    }

    private Tracing tracing() {
        if (tracing == null) {
            tracing = Tracing.from(camel, settings(), delivery().destinations());
        }
        return tracing;
    }

    private Intake intake() {
        if (intake == null) {
            intake = new Intake(settings(), meters(), intakeCounts(), delivery().outbox());
        }
        return intake;
    }

    private VehicleState state() {
        if (state == null) {
            state = new VehicleState(
                    camel, settings().of(IntakeSettings.class).errorDedupeWindow(), storage(), meters());
        }
        return state;
    }

    private Smartcar smartcar() {
        if (smartcar == null) {
            smartcar = new Smartcar(camel, settings(), storage(), meters(), clientAddresses(), state().store());
        }
        return smartcar;
    }

    private static void requireFreePort(String key, int port, String variable) {
        if (port == 0) {
            return;
        }
        // bound, never listening: a client that connects meanwhile is refused, not accepted and then dropped
        try (Socket probe = new Socket()) {
            probe.setReuseAddress(true); // as a listener would: connections of an earlier run in TIME_WAIT do not count
            probe.bind(new InetSocketAddress(port));
        } catch (IOException e) {
            throw new Settings.InvalidSettingException(
                    key, "is " + port + ", which another process is using (set " + variable + " to a free port)");
        }
    }
}
