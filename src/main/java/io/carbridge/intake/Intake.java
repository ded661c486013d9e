package io.carbridge.intake;

import io.carbridge.Json;
import io.carbridge.Settings;
import io.carbridge.StartupFailure;
import io.carbridge.http.HttpServerGuard;
import io.carbridge.outbox.OutboxComponent;
import io.carbridge.storage.IntakeCounts;
import io.carbridge.storage.RetentionSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.model.ModelCamelContext;

/**
 * The webhook intake, made from the settings: the steps of {@code routes/webhook-intake.camel.yaml} (bound by
 * {@link io.carbridge.BridgeConfiguration}) and the JSON error pages of the HTTP servers.
 */
public final class Intake {

    /** The route of {@code routes/webhook-intake.camel.yaml}. */
    public static final String ROUTE_ID = "smartcar-webhook";

    /**
     * Without its route files (started from another directory, or a pattern that finds none) the bridge would receive
     * nothing: called once the routes are loaded, before Camel starts.
     */
    public static void requireIntakeRoute(CamelContext context) {
        if (((ModelCamelContext) context).getRouteDefinition(ROUTE_ID) == null) {
            String pattern = context.getPropertiesComponent()
                    .resolveProperty("camel.main.routes-include-pattern")
                    .orElse("");
            throw new Settings.InvalidSettingException(
                    "camel.main.routes-include-pattern",
                    "is '" + pattern + "', which finds no "
                            + "route file defining the intake route " + ROUTE_ID + " from the working directory "
                            + Path.of("").toAbsolutePath()
                            + ": start the service from the directory that holds routes/ (the repository root)");
        }
    }

    private final IntakeSteps steps;
    private final ReplayWindow replayWindow;
    private final IntakeMetrics metrics;
    private final String path;

    public Intake(Settings settings, MeterRegistry meters, IntakeCounts perMinute, OutboxComponent outbox) {
        ManagementTokens tokens = ManagementTokens.of(settings);
        IntakeSettings intake = settings.of(IntakeSettings.class);
        this.metrics = new IntakeMetrics(meters, perMinute);
        outbox.outbox().lastReceivedAt().ifPresent(metrics::lastReceivedAt);
        this.steps = new IntakeSteps(tokens, Json.MAPPER, outbox.routing(), metrics, intake.maxBodyBytes);
        // event ids are remembered as long as events are kept
        this.replayWindow = new ReplayWindow(
                Duration.ofHours(settings.of(RetentionSettings.class).hours()), Clock.systemUTC());
        this.path = intake.path;
    }

    public IntakeSteps steps() {
        return steps;
    }

    public ReplayWindow replayWindow() {
        return replayWindow;
    }

    /**
     * JSON answers for what the HTTP servers refuse before a route runs, installed once they run, which they must:
     * Camel logs a failed bind and carries on, and a bridge that cannot be reached must not look started.
     */
    public void installErrorPages(CamelContext camel, HttpServerGuard httpGuard) throws Exception {
        JsonErrorPages errorPages = new JsonErrorPages(metrics, path, camel);
        httpGuard.reportRefusalsTo(errorPages);
        camel.addStartupListener((context, alreadyStarted) -> {
            for (VertxPlatformHttpRouter router : context.getRegistry().findByType(VertxPlatformHttpRouter.class)) {
                if (router.getServer().getPort() <= 0) {
                    throw new StartupFailure("the HTTP server did not start on port "
                            + router.getServer().getConfigurationPort() + " (is another process listening there?)");
                }
                errorPages.installOn(router);
            }
        });
    }
}
