package io.carbridge.testing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;

/**
 * Tracing on, with every finished span kept in memory: a configuration class for {@code @CamelMainTest} (beside
 * {@code BridgeConfiguration}) that binds an {@link OpenTelemetry} in Camel's registry, which the bridge then traces
 * with instead of an OTLP exporter. One exporter for the JVM (test classes run one after another): a test class forgets
 * the spans of the ones before it, and each test finds its own by their event or trace.
 */
public final class InMemoryTraces implements CamelConfiguration {

    private static final InMemorySpanExporter EXPORTER = InMemorySpanExporter.create();
    private static final OpenTelemetrySdk SDK = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(EXPORTER))
                    .build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();

    @BindToRegistry("inMemoryTraces")
    public OpenTelemetry openTelemetry() {
        return SDK;
    }

    /** Forgets every span finished so far. */
    public static void forget() {
        EXPORTER.reset();
    }

    /** Every span finished so far. */
    public static List<SpanData> spans() {
        return EXPORTER.getFinishedSpanItems();
    }

    /** The finished spans of one trace. */
    public static List<SpanData> trace(String traceId) {
        return spans().stream()
                .filter(span -> span.getTraceId().equals(traceId))
                .toList();
    }

    /** The finished spans with this attribute value. */
    public static <T> List<SpanData> withAttribute(AttributeKey<T> key, T value) {
        return spans().stream()
                .filter(span -> Objects.equals(span.getAttributes().get(key), value))
                .toList();
    }

    /** Each span's id to the span, of a trace. */
    public static Map<String, SpanData> byId(String traceId) {
        return trace(traceId).stream().collect(Collectors.toMap(SpanData::getSpanId, span -> span, (a, b) -> a));
    }

    /** Whether {@code span} is {@code ancestor} or one of its descendants, following the parents within the trace. */
    public static boolean descendsFrom(SpanData span, SpanData ancestor) {
        Map<String, SpanData> spans = byId(ancestor.getTraceId());
        for (SpanData current = span; current != null; current = spans.get(current.getParentSpanId())) {
            if (current.getSpanId().equals(ancestor.getSpanId())) {
                return true;
            }
        }
        return false;
    }

    /** Every text a span carries (name, attributes, events, status), of every span finished so far. */
    public static List<String> everyText() {
        return spans().stream()
                .flatMap(span -> java.util.stream.Stream.concat(
                        java.util.stream.Stream.of(
                                span.getName(), span.getStatus().getDescription()),
                        java.util.stream.Stream.concat(
                                span.getAttributes().asMap().values().stream().map(String::valueOf),
                                span.getEvents().stream()
                                        .flatMap(event -> java.util.stream.Stream.concat(
                                                java.util.stream.Stream.of(event.getName()),
                                                event.getAttributes().asMap().values().stream()
                                                        .map(String::valueOf))))))
                .toList();
    }
}
