package io.carbridge.tracing;

import io.carbridge.ExchangeProperties;
import io.carbridge.outbox.ClaimedDelivery;
import io.carbridge.outbox.OutboxTracing;
import io.carbridge.storage.CanonicalEvent;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's own spans, where the outbox stands between two halves of an event's trace:
 *
 * <ul>
 *   <li>{@code intake commit} (kind producer): storing the event with its deliveries, {@code to: outbox:all}; a child
 *       of the span current in the intake route (Camel's, of the webhook request). Its context, as a W3C
 *       {@code traceparent}, is stored with the event in the same transaction;
 *   <li>{@code deliver <destination>} (kind consumer): one attempt at a delivery, a child of the stored context,
 *       whichever instance makes it and however much later. Its context goes into the attempt's headers, where Camel's
 *       tracer continues it through the destination's route to the sink (which sends it on: an HTTP header, a Kafka
 *       record header).
 * </ul>
 *
 * Both carry the event's id, type and vehicle; an attempt also its destination, number and outcome. Nothing else: no
 * payload, no header, no credential. A tracing failure never fails the event: it is logged and the span left out.
 */
final class EventSpans implements OutboxTracing {

    static final AttributeKey<String> EVENT_ID = AttributeKey.stringKey("bridge.event.id");
    static final AttributeKey<String> EVENT_TYPE = AttributeKey.stringKey("bridge.event.type");
    static final AttributeKey<String> VEHICLE_ID = AttributeKey.stringKey("bridge.vehicle.id");
    /**
     * {@code STORED}, {@code DUPLICATE} (the event id was stored before) or {@code REPEAT} (of an error, not
     * forwarded).
     */
    static final AttributeKey<String> INTAKE_OUTCOME = AttributeKey.stringKey("bridge.intake.outcome");

    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("bridge.destination");
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("bridge.delivery.attempt");
    static final AttributeKey<Boolean> REPLAY = AttributeKey.booleanKey("bridge.delivery.replay");
    /** {@code DELIVERED}, {@code RETRY}, {@code DEAD} or {@code PAUSED}: what the outbox records for the attempt. */
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("bridge.delivery.outcome");
    /** The HTTP sink's answer (OpenTelemetry's name for it). */
    static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");

    private static final Logger LOG = LoggerFactory.getLogger(EventSpans.class);
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final String TRACEPARENT = "traceparent";

    private final Tracer tracer;
    private final OpenTelemetry openTelemetry;

    EventSpans(OpenTelemetry openTelemetry) {
        this.openTelemetry = openTelemetry;
        this.tracer = openTelemetry.getTracer(Tracing.INSTRUMENTATION);
    }

    @Override
    public Storing storing(Exchange exchange, CanonicalEvent event) {
        try {
            Span span = event(
                            tracer.spanBuilder("intake commit")
                                    .setSpanKind(SpanKind.PRODUCER)
                                    .setParent(Context.current()),
                            event)
                    .startSpan();
            return new IntakeSpan(span, traceParent(span));
        } catch (RuntimeException e) {
            LOG.warn("tracing: no span for storing event {}: {}", event.eventId(), e.toString());
            return Storing.NONE;
        }
    }

    @Override
    public Attempt attempt(ClaimedDelivery delivery, Exchange exchange) {
        try {
            Span span = event(
                            tracer.spanBuilder("deliver " + delivery.destination())
                                    .setSpanKind(SpanKind.CONSUMER)
                                    .setParent(parentOf(delivery.traceParent())),
                            delivery.event())
                    .setAttribute(DESTINATION, delivery.destination())
                    .setAttribute(ATTEMPT, (long) delivery.attempt())
                    .setAttribute(REPLAY, delivery.replay())
                    .startSpan();
            // Camel's tracer continues from here: the destination's route, its transform and sink are this span's
            // children
            exchange.setProperty(ExchangeProperties.ON_THE_EVENT_PATH, Boolean.TRUE);
            openTelemetry
                    .getPropagators()
                    .getTextMapPropagator()
                    .inject(
                            Context.root().with(span),
                            exchange.getMessage(),
                            (message, key, value) -> message.setHeader(key, value));
            return (result, statusCode) -> {
                span.setAttribute(OUTCOME, result);
                if (statusCode != null) {
                    span.setAttribute(HTTP_STATUS, statusCode.longValue());
                }
                if (!"DELIVERED".equals(result)) {
                    span.setStatus(StatusCode.ERROR, result);
                }
                span.end();
            };
        } catch (RuntimeException e) {
            LOG.warn(
                    "tracing: no span for the attempt of event {} to {}: {}",
                    delivery.eventId(),
                    delivery.destination(),
                    e.toString());
            return Attempt.NONE;
        }
    }

    private static SpanBuilder event(SpanBuilder span, CanonicalEvent event) {
        span.setAttribute(EVENT_ID, event.eventId()).setAttribute(EVENT_TYPE, event.eventType());
        if (event.vehicleId() != null) {
            span.setAttribute(VEHICLE_ID, event.vehicleId());
        }
        return span;
    }

    /** The context stored with an event: the span's W3C {@code traceparent}, whatever propagators are configured. */
    static String traceParent(Span span) {
        String[] value = new String[1];
        W3C.inject(Context.root().with(span), value, (TextMapSetter<String[]>) (carrier, key, text) -> {
            if (TRACEPARENT.equals(key)) {
                carrier[0] = text;
            }
        });
        return value[0];
    }

    /** The stored context as a parent; none (a trace of its own) for an event stored while tracing was off. */
    static Context parentOf(String traceParent) {
        if (traceParent == null) {
            return Context.root();
        }
        return W3C.extract(Context.root(), Map.of(TRACEPARENT, traceParent), new TextMapGetter<Map<String, String>>() {
            @Override
            public Iterable<String> keys(Map<String, String> carrier) {
                return carrier.keySet();
            }

            @Override
            public String get(Map<String, String> carrier, String key) {
                return carrier == null ? null : carrier.get(key);
            }
        });
    }

    private record IntakeSpan(Span span, String traceParent) implements Storing {

        @Override
        public void stored(String outcome, String repeatOf) {
            span.setAttribute(INTAKE_OUTCOME, repeatOf != null ? "REPEAT" : outcome);
            span.end();
        }

        @Override
        public void failed(Throwable failure) {
            span.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
            span.end();
        }
    }
}
