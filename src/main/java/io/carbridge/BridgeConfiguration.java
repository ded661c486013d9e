package io.carbridge;

import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.carbridge.intake.Envelopes;
import io.carbridge.intake.IntakeMetrics;
import io.carbridge.intake.IntakeSteps;
import io.carbridge.intake.JsonErrorPages;
import io.carbridge.intake.ManagementTokens;
import io.carbridge.storage.Database;
import io.carbridge.storage.DatabaseHealthCheck;
import io.carbridge.storage.EventStore;
import io.carbridge.storage.OutboxRouting;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxOptions;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.Configuration;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.service.ServiceSupport;

/**
 * Wires the bridge in dependency order (storage, intake) from {@code application.properties}, before any route starts.
 * A missing or invalid setting stops the service here, with a message naming it.
 */
@Configuration
public class BridgeConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camel) throws Exception {
        Settings settings = new Settings(camel);
        Registry registry = camel.getRegistry();

        ManagementTokens tokens = ManagementTokens.parse(settings.optional(ManagementTokens.PROPERTY).orElse(null));

        // Vert.x runs each request's route on a worker thread that waits for its group commit: enough workers keep
        // the batches full under load
        registry.bind("vertxOptions", new VertxOptions().setWorkerPoolSize(settings.integer("bridge.http.worker-threads", 64, 4, 1024)));

        // the registry camel-micrometer-prometheus serves on /observe/metrics; the bridge's own series go there too
        MeterRegistry meters = MicrometerUtils.getMeterRegistryFromCamelRegistry(registry, MicrometerConstants.METRICS_REGISTRY_NAME);
        if (meters == null) {
            meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registry.bind(MicrometerConstants.METRICS_REGISTRY_NAME, meters);
        }

        HikariDataSource dataSource = Database.open(settings);
        registry.bind("bridgeDataSource", dataSource);
        camel.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                dataSource.close();
            }
        });
        HealthCheckRegistry health = HealthCheckRegistry.get(camel);
        health.register(new DatabaseHealthCheck(dataSource));

        EventStore store = new EventStore(dataSource, OutboxRouting.NONE, () -> { },
                settings.integer("bridge.intake.max-batch", 256, 1, 10_000),
                settings.duration("bridge.intake.commit-timeout", Duration.ofSeconds(10)));
        camel.addService(store);

        int maxBodyBytes = settings.integer("bridge.intake.max-body-bytes", 65_536, 1_024, 10 * 1024 * 1024);
        IntakeMetrics intakeMetrics = new IntakeMetrics(meters);
        IntakeSteps steps = new IntakeSteps(tokens, new ObjectMapper(), store, intakeMetrics, maxBodyBytes);
        registry.bind("checkIntakeRequest", steps.checkRequest());
        registry.bind("checkSignature", steps.checkSignature());
        registry.bind("parseEnvelope", steps.parseEnvelope());
        registry.bind("answerChallenge", steps.answerChallenge());
        registry.bind("rejectSignature", steps.rejectSignature());
        registry.bind("normaliseLegacyEvent", steps.normalise(Envelopes::legacyEvent));
        registry.bind("normaliseLegacyVehicleData", steps.normalise(Envelopes::legacyVehicleData));
        registry.bind("normaliseCurrentEvent", steps.normalise(Envelopes::currentEvent));
        registry.bind("normaliseUnrecognised", steps.normalise(Envelopes::unrecognised));
        registry.bind("storeEvent", steps.storeEvent());
        registry.bind("respondToSmartcar", steps.respond());

        JsonErrorPages errorPages = new JsonErrorPages(intakeMetrics, settings.string("bridge.intake.path", "/webhooks/smartcar"));
        camel.addStartupListener((context, alreadyStarted) ->
                context.getRegistry().findByType(VertxPlatformHttpRouter.class).forEach(errorPages::installOn));
    }
}
