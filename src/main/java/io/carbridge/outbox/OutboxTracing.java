package io.carbridge.outbox;

import io.carbridge.storage.CanonicalEvent;
import org.apache.camel.Exchange;

/**
 * What the outbox tells a tracer ({@code io.carbridge.tracing}): each event {@code to: outbox:all} stores, and each
 * attempt {@code from: outbox:<destination>} makes. The trace crosses the outbox through the database: the context of
 * the span that stored an event is written with it ({@code webhook_event.trace_parent}), in the intake's own
 * transaction, and each attempt's span is begun from it, whichever instance makes the attempt and however much later.
 * {@link #OFF} (the default) makes nothing and stores nothing.
 */
public interface OutboxTracing {

    /** Tracing off: no span, no context stored. */
    OutboxTracing OFF = new OutboxTracing() {
        @Override
        public Storing storing(Exchange exchange, CanonicalEvent event) {
            return Storing.NONE;
        }

        @Override
        public Attempt attempt(ClaimedDelivery delivery, Exchange exchange) {
            return Attempt.NONE;
        }
    };

    /** Begins the span of storing one event, before its commit. */
    Storing storing(Exchange exchange, CanonicalEvent event);

    /**
     * Begins the span of one attempt at a delivery, before its exchange is routed; it may give the exchange what the
     * route's own tracing continues from.
     */
    Attempt attempt(ClaimedDelivery delivery, Exchange exchange);

    /** The span of storing one event. Ended by exactly one of {@link #stored} and {@link #failed}. */
    interface Storing {

        Storing NONE = new Storing() {
            @Override
            public String traceParent() {
                return null;
            }

            @Override
            public void stored(String outcome, String repeatOf) {}

            @Override
            public void failed(Throwable failure) {}
        };

        /** The W3C {@code traceparent} stored with the event, which the attempts continue from; null for none. */
        String traceParent();

        /** @param outcome {@code STORED} or {@code DUPLICATE}; {@code repeatOf} the error it repeats, or null */
        void stored(String outcome, String repeatOf);

        void failed(Throwable failure);
    }

    /** The span of one attempt. */
    interface Attempt {

        Attempt NONE = (result, statusCode) -> {};

        /**
         * Ends it with what the attempt came to.
         *
         * @param result {@code DELIVERED}, {@code RETRY}, {@code DEAD} or {@code PAUSED}
         * @param statusCode the destination's HTTP status, or null
         */
        void finished(String result, Integer statusCode);
    }
}
