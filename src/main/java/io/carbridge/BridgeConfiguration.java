package io.carbridge;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import io.carbridge.admin.AdminAccess;
import io.carbridge.admin.AdminErrorHandling;
import io.carbridge.console.ConsoleRoutes;
import io.carbridge.delivery.Delivery;
import io.carbridge.http.HttpServerGuard;
import io.carbridge.intake.Intake;
import io.carbridge.smartcar.Smartcar;
import io.carbridge.storage.Storage;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.LifecycleStrategySupport;

/**
 * Wires the bridge from {@code application.properties}, in dependency order (storage, admin, delivery, intake, Smartcar,
 * the console), before any route starts. A missing or invalid setting stops the service here, with a message naming it.
 */
public class BridgeConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camel) throws Exception {
        Settings settings = new Settings(camel);
        Registry registry = camel.getRegistry();
        // Camel logs a failed bind of its HTTP servers and starts anyway: a bridge Smartcar cannot reach must not start
        requireFreePort(settings, "camel.server.port", "HTTP_PORT");
        requireFreePort(settings, "camel.management.port", "MANAGEMENT_PORT");

        MeterRegistry meters = meterRegistry(registry);
        // Vert.x runs each request's route on a worker thread, which waits there for its group commit: enough workers
        // keep the commit batches full under load. The HTTP servers take this Vert.x instance from the registry.
        HttpServerGuard httpGuard = new HttpServerGuard(HttpServerGuard.Limits.from(settings), meters);
        Vertx vertx = httpGuard.vertx(new VertxOptions().setWorkerPoolSize(settings.integer("bridge.http.worker-threads", 64, 4, 1024)));
        registry.bind("vertx", vertx);
        camel.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopping(CamelContext context) {
                httpGuard.drain();
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

        Storage storage = Storage.open(camel, settings);

        AdminAccess adminAccess = new AdminAccess(settings.optional(AdminAccess.PROPERTY).orElse(null));
        camel.addRoutes(new AdminErrorHandling());

        Delivery.install(camel, settings, storage, meters, adminAccess);
        Intake.install(camel, settings, storage.intakeCounts(camel, settings), meters, httpGuard);
        Smartcar.install(camel, settings, storage, meters, adminAccess);
        camel.addRoutes(new ConsoleRoutes());
    }

    private static void requireFreePort(Settings settings, String key, String variable) {
        int port = settings.integer(key, 0, 0, 65_535);
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(port));
        } catch (IOException e) {
            throw new Settings.InvalidSettingException(key, "is " + port + ", which another process is using (set " + variable
                    + " to a free port)");
        }
    }

    /** The registry camel-micrometer-prometheus serves on /observe/metrics; the bridge's own series go there too. */
    private static MeterRegistry meterRegistry(Registry registry) {
        MeterRegistry meters = MicrometerUtils.getMeterRegistryFromCamelRegistry(registry, MicrometerConstants.METRICS_REGISTRY_NAME);
        if (meters == null) {
            meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registry.bind(MicrometerConstants.METRICS_REGISTRY_NAME, meters);
        }
        return meters;
    }
}
