package io.carbridge.tracing;

import static io.carbridge.ExchangeProperties.ON_THE_EVENT_PATH;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.opentelemetry2.OpenTelemetryTracer;
import org.apache.camel.telemetry.Op;
import org.apache.camel.telemetry.Span;
import org.apache.camel.telemetry.SpanContextPropagationExtractor;
import org.apache.camel.telemetry.SpanContextPropagationInjector;
import org.apache.camel.telemetry.SpanLifecycleManager;
import org.apache.camel.util.URISupport;

/**
 * Camel's OpenTelemetry tracer (camel-opentelemetry2), on the event path only: the webhook intake's route (whose span
 * is the webhook request, a child of the proxy's {@code traceparent} when one came with it) and every route and
 * endpoint an exchange of it reaches, and the destinations' routes from each attempt on ({@link EventSpans} marks the
 * attempt's exchange). The admin API, the console, Connect, the timers of the sync, retention and the heartbeat make no
 * trace: they are not about an event, and a query string of theirs could hold what a span must not.
 *
 * <p>Every value Camel puts on a span (the endpoint's URI, an HTTP URL, an exception's message) is masked as the bridge
 * masks URIs everywhere ({@link URISupport#sanitizeUri}: passwords, tokens, keys), and each known secret (a
 * destination's credentials, the admin and management tokens) is replaced wherever it appears.
 */
final class EventPathTracer extends OpenTelemetryTracer {

    private static final String MASK = "xxxxxx";

    private final String intakeRouteId;
    private final List<String> secrets;

    /**
     * @param intakeRouteId the webhook intake's route, where traces begin
     * @param secrets values never to be written on a span
     */
    EventPathTracer(String intakeRouteId, List<String> secrets) {
        this.intakeRouteId = intakeRouteId;
        this.secrets = secrets.stream()
                .filter(secret -> secret != null && !secret.isBlank())
                .toList();
    }

    @Override
    protected void initTracer() {
        super.initTracer();
        setSpanLifecycleManager(new Masking(getSpanLifecycleManager()));
    }

    @Override
    protected void beginEventSpan(Exchange exchange, Endpoint endpoint, Op op) throws Exception {
        if (!onTheEventPath(exchange)) {
            if (op != Op.EVENT_RECEIVED || !intakeRouteId.equals(exchange.getFromRouteId())) {
                return;
            }
            exchange.setProperty(ON_THE_EVENT_PATH, Boolean.TRUE);
        }
        super.beginEventSpan(exchange, endpoint, op);
    }

    @Override
    protected void endEventSpan(Exchange exchange, Endpoint endpoint) throws Exception {
        if (onTheEventPath(exchange)) {
            super.endEventSpan(exchange, endpoint);
        }
    }

    private static boolean onTheEventPath(Exchange exchange) {
        return exchange.getProperty(ON_THE_EVENT_PATH) != null;
    }

    String masked(String value) {
        if (value == null) {
            return null;
        }
        String masked = URISupport.sanitizeUri(value);
        for (String secret : secrets) {
            masked = masked.replace(secret, MASK);
        }
        return masked;
    }

    /** Camel's span lifecycle, with every value Camel writes on a span masked. */
    private final class Masking implements SpanLifecycleManager {

        private final SpanLifecycleManager spans;

        Masking(SpanLifecycleManager spans) {
            this.spans = spans;
        }

        @Override
        public Span create(String spanName, Span parent, SpanContextPropagationExtractor extractor) {
            return new MaskedSpan(spans.create(masked(spanName), unwrap(parent), extractor));
        }

        @Override
        public void activate(Span span) {
            spans.activate(unwrap(span));
        }

        @Override
        public void deactivate(Span span) {
            spans.deactivate(unwrap(span));
        }

        @Override
        public void close(Span span) {
            spans.close(unwrap(span));
        }

        @Override
        public void inject(Span span, SpanContextPropagationInjector injector, boolean includeTracing) {
            spans.inject(unwrap(span), injector, includeTracing);
        }

        private Span unwrap(Span span) {
            return span instanceof MaskedSpan masked ? masked.span : span;
        }
    }

    private final class MaskedSpan implements Span {

        private final Span span;

        MaskedSpan(Span span) {
            this.span = span;
        }

        @Override
        public void log(Map<String, String> fields) {
            Map<String, String> masked = new HashMap<>();
            fields.forEach((key, value) -> masked.put(key, masked(value)));
            span.log(masked);
        }

        @Override
        public void setTag(String key, String value) {
            span.setTag(key, masked(value));
        }

        @Override
        public void setComponent(String component) {
            span.setComponent(component);
        }

        @Override
        public void setError(boolean isError) {
            span.setError(isError);
        }
    }
}
