package io.carbridge.tracing;

import io.carbridge.Settings;
import io.carbridge.StartupFailure;
import io.carbridge.admin.AdminSettings;
import io.carbridge.delivery.Destinations;
import io.carbridge.intake.Intake;
import io.carbridge.intake.ManagementTokenSettings;
import io.carbridge.outbox.OutboxComponent;
import io.carbridge.outbox.OutboxTracing;
import io.carbridge.smartcar.SmartcarClientSettings;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.resources.ResourceBuilder;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.camel.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenTelemetry traces of the event path, off unless a collector is named ({@value #ENDPOINT}, which
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT} sets) or an {@link OpenTelemetry} is bound in Camel's registry (the tests'
 * in-memory exporter). Off, nothing of it is installed: no Camel tracer, no span, no context stored, and the outbox
 * gets {@link OutboxTracing#OFF}.
 *
 * <p>On, one trace follows each event: the webhook request (Camel's span of the intake route, continuing a proxy's
 * {@code traceparent}), the intake commit, and each delivery attempt with the destination's route and sink under it
 * ({@link EventSpans}, {@link EventPathTracer}). The SDK is configured by OpenTelemetry's autoconfiguration from the
 * usual {@code OTEL_*} variables (service name, protocol, headers, sampler, resource), spans are sent over OTLP
 * (http/protobuf by default, the specification's default; {@code OTEL_EXPORTER_OTLP_PROTOCOL=grpc} for gRPC), in
 * batches off the request path; metrics and logs are not exported (the bridge has Prometheus metrics and its log). The
 * SDK is flushed and closed once Camel has stopped, after the last attempts.
 */
public final class Tracing {

    /** The setting that turns tracing on: the collector's OTLP endpoint. */
    public static final String ENDPOINT = "bridge.tracing.otlp-endpoint";
    /** The instrumentation scope of the bridge's own spans. */
    static final String INSTRUMENTATION = "io.carbridge";

    private static final Logger LOG = LoggerFactory.getLogger(Tracing.class);
    private static final Tracing OFF = new Tracing(null, null, List.of());
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
    private static final AttributeKey<String> SERVICE_INSTANCE_ID = AttributeKey.stringKey("service.instance.id");

    private final OpenTelemetry openTelemetry;
    /** The SDK the bridge made (and closes), or null when it was given one. */
    private final OpenTelemetrySdk ownSdk;

    private final List<String> secrets;

    private Tracing(OpenTelemetry openTelemetry, OpenTelemetrySdk ownSdk, List<String> secrets) {
        this.openTelemetry = openTelemetry;
        this.ownSdk = ownSdk;
        this.secrets = secrets;
    }

    /**
     * The collector's endpoint, if one is set: an {@code http://} or {@code https://} URL (for gRPC as well). A bad
     * value stops the start, naming the setting.
     */
    public static Optional<URI> endpoint(Settings settings) {
        Optional<String> text = Optional.ofNullable(settings.of(TracingSettings.class).otlpEndpoint);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(text.get());
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return Optional.of(uri);
            }
        } catch (URISyntaxException e) {
            // said below
        }
        throw new Settings.InvalidSettingException(
                ENDPOINT,
                "is '" + text.get() + "': write the collector's OTLP endpoint as "
                        + "http://host:port or https://host:port (OTEL_EXPORTER_OTLP_ENDPOINT sets it), or leave it empty for no traces");
    }

    /**
     * Tracing as the settings say: the OpenTelemetry bound in Camel's registry, else one configured from the
     * {@code OTEL_*} variables when the endpoint is set, else off.
     */
    public static Tracing from(CamelContext camel, Settings settings, Destinations destinations) {
        OpenTelemetry given = camel.getRegistry().findSingleByType(OpenTelemetry.class);
        Optional<URI> endpoint = endpoint(settings);
        if (given == null && endpoint.isEmpty()) {
            return OFF;
        }
        List<String> secrets = new ArrayList<>();
        destinations.all().forEach(destination -> secrets.addAll(destinations.secretsOf(destination.name())));
        Optional.ofNullable(settings.of(AdminSettings.class).token()).ifPresent(secrets::add);
        secrets.addAll(settings.of(ManagementTokenSettings.class).tokens());
        Optional.ofNullable(settings.of(SmartcarClientSettings.class).clientSecret())
                .ifPresent(secrets::add);
        if (given != null) {
            return new Tracing(given, null, secrets);
        }
        OpenTelemetrySdk sdk;
        try {
            sdk = autoconfigured(settings, endpoint.get());
        } catch (ConfigurationException e) {
            throw new StartupFailure("Tracing is on (" + ENDPOINT
                    + "), but OpenTelemetry's configuration, the OTEL_* variables, is " + "wrong: " + e.getMessage());
        }
        LOG.info(
                "Tracing on: spans of the event path go to {} (OTLP)",
                URISupport.sanitizeUri(endpoint.get().toString()));
        return new Tracing(sdk, sdk, secrets);
    }

    /** The SDK as the OTEL_* variables say, with the bridge's defaults under them, sending to {@code endpoint}. */
    private static OpenTelemetrySdk autoconfigured(Settings settings, URI endpoint) {
        return AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> Map.of(
                        "otel.exporter.otlp.protocol", "http/protobuf",
                        "otel.metrics.exporter", "none",
                        "otel.logs.exporter", "none"))
                // the setting wins over the variable it defaults to, so that -Dbridge.tracing.otlp-endpoint=... works
                // too
                .addPropertiesCustomizer(config -> Map.of("otel.exporter.otlp.endpoint", endpoint.toString()))
                .addResourceCustomizer((resource, config) -> named(resource, settings))
                // closed with Camel, after the last attempts: the SDK's own hook could close it under them
                .disableShutdownHook()
                .build()
                .getOpenTelemetrySdk();
    }

    /**
     * The service's name and instance, unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES gave them: the Camel
     * context's name ({@code smartcar-bridge}) rather than the SDK's {@code unknown_service:java}, and
     * {@code bridge.instance-id}, which names the instance in the database's claims too.
     */
    private static Resource named(Resource resource, Settings settings) {
        ResourceBuilder names = Resource.builder();
        String service = resource.getAttribute(SERVICE_NAME);
        if (service == null || service.startsWith("unknown_service")) {
            names.put(SERVICE_NAME, settings.optional("camel.main.name").orElse("smartcar-bridge"));
        }
        if (resource.getAttribute(SERVICE_INSTANCE_ID) == null) {
            names.put(SERVICE_INSTANCE_ID, settings.instanceId());
        }
        return resource.merge(names.build());
    }

    public boolean isOn() {
        return openTelemetry != null;
    }

    /**
     * Installs tracing: the outbox's spans, and Camel's tracer on the event path's routes. In
     * {@link io.carbridge.BridgeConfiguration#configure}, before the routes are made. Off, nothing.
     */
    public void install(CamelContext camel, OutboxComponent outbox) {
        if (!isOn()) {
            return;
        }
        outbox.traceWith(new EventSpans(openTelemetry));
        // camel-opentelemetry2 takes the tracer and the propagators from the registry
        camel.getRegistry()
                .bind(
                        "bridgeOpenTelemetryTracer",
                        io.opentelemetry.api.trace.Tracer.class,
                        openTelemetry.getTracer("org.apache.camel"));
        camel.getRegistry()
                .bind("bridgeOpenTelemetryPropagators", ContextPropagators.class, openTelemetry.getPropagators());
        EventPathTracer tracer = new EventPathTracer(Intake.ROUTE_ID, secrets);
        tracer.init(camel);
        if (ownSdk != null) {
            camel.addLifecycleStrategy(new LifecycleStrategySupport() {
                @Override
                public void onContextStopped(CamelContext context) {
                    close();
                }
            });
        }
    }

    /** Sends what is left and closes the SDK the bridge made (not one it was given). */
    void close() {
        if (ownSdk != null) {
            ownSdk.shutdown().join(10, TimeUnit.SECONDS);
        }
    }

    /** What the OpenTelemetry it traces with is made of: resource, processors, exporter. */
    String describe() {
        return String.valueOf(openTelemetry);
    }
}
