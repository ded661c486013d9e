package io.carbridge.intake;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import io.carbridge.Json;
import io.carbridge.Settings;
import io.carbridge.StartupFailure;
import io.carbridge.http.HttpServerGuard;
import io.carbridge.outbox.OutboxComponent;
import io.carbridge.storage.IntakeCounts;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.spi.Registry;

/** Binds the Java steps that {@code routes/webhook-intake.camel.yaml} refers to by name. */
public final class Intake {

    /** The route of {@code routes/webhook-intake.camel.yaml}. */
    static final String ROUTE_ID = "smartcar-webhook";

    private Intake() {
    }

    /**
     * Without its route files (started from another directory, or a pattern that finds none) the bridge would receive
     * nothing: called once the routes are loaded, before Camel starts.
     */
    public static void requireIntakeRoute(CamelContext context) {
        if (((ModelCamelContext) context).getRouteDefinition(ROUTE_ID) == null) {
            String pattern = context.getPropertiesComponent().resolveProperty("camel.main.routes-include-pattern").orElse("");
            throw new Settings.InvalidSettingException("camel.main.routes-include-pattern", "is '" + pattern + "', which finds no "
                    + "route file defining the intake route " + ROUTE_ID + " from the working directory " + Path.of("").toAbsolutePath()
                    + ": start the service from the directory that holds routes/ (the repository root)");
        }
    }

    public static void install(CamelContext camel, Settings settings, IntakeCounts perMinute, MeterRegistry meters,
                               HttpServerGuard httpGuard) throws Exception {
        OutboxComponent outbox = camel.getComponent("outbox", OutboxComponent.class);
        ManagementTokens tokens = ManagementTokens.parse(settings.optional(ManagementTokens.PROPERTY).orElse(null));
        int maxBodyBytes = settings.integer("bridge.intake.max-body-bytes", 65_536, 1_024, 10 * 1024 * 1024);
        IntakeMetrics metrics = new IntakeMetrics(meters, perMinute);
        outbox.outbox().lastReceivedAt().ifPresent(metrics::lastReceivedAt);
        IntakeSteps steps = new IntakeSteps(tokens, Json.MAPPER, outbox.routing(), metrics, maxBodyBytes);

        Registry registry = camel.getRegistry();
        registry.bind("checkIntakeRequest", steps.checkRequest());
        registry.bind("checkSignature", steps.checkSignature());
        registry.bind("parseEnvelope", steps.parseEnvelope());
        registry.bind("answerChallenge", steps.answerChallenge());
        registry.bind("rejectSignature", steps.rejectSignature());
        // event ids are remembered as long as events are kept
        registry.bind("replayWindow", new ReplayWindow(Duration.ofHours(settings.integer("bridge.retention.hours", 720, 168, 87_600)),
                Clock.systemUTC()));
        registry.bind("answerStaleReplay", steps.answerStaleReplay());
        registry.bind("normaliseLegacyEvent", steps.normalise(Envelopes::legacyEvent));
        registry.bind("normaliseLegacyVehicleData", steps.normalise(Envelopes::legacyVehicleData));
        registry.bind("normaliseCurrentEvent", steps.normalise(Envelopes::currentEvent));
        registry.bind("normaliseUnrecognised", steps.normalise(Envelopes::unrecognised));
        registry.bind("respondToSmartcar", steps.respond());

        JsonErrorPages errorPages = new JsonErrorPages(metrics, settings.string("bridge.intake.path", "/webhooks/smartcar"), camel);
        httpGuard.reportRefusalsTo(errorPages);
        camel.addStartupListener((context, alreadyStarted) -> {
            for (VertxPlatformHttpRouter router : context.getRegistry().findByType(VertxPlatformHttpRouter.class)) {
                // Camel logs a failed bind and carries on; a bridge that cannot be reached must not look started
                if (router.getServer().getPort() <= 0) {
                    throw new StartupFailure("the HTTP server did not start on port " + router.getServer().getConfigurationPort()
                            + " (is another process listening there?)");
                }
                errorPages.installOn(router);
            }
        });
    }
}
