package io.carbridge.outbox;

import io.carbridge.storage.CanonicalEvent;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;

/**
 * The producer of {@code outbox:all}: stores the {@link CanonicalEvent} in the body, with one delivery per destination
 * that wants it, and returns once that is committed (or the event id was stored before). The outcome is the header
 * {@link OutboxConstants#STORED}; an event stored as a repeat of an error, without deliveries, also has
 * {@link OutboxConstants#REPEAT_OF}. A failure to commit in time is a
 * {@link io.carbridge.storage.StorageUnavailableException}: nothing can be promised to the sender.
 */
final class OutboxProducer extends DefaultProducer {

    private final OutboxEndpoint endpoint;
    private final EventStore store;

    OutboxProducer(OutboxEndpoint endpoint, EventStore store) {
        super(endpoint);
        this.endpoint = endpoint;
        this.store = store;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        CanonicalEvent event = exchange.getMessage().getMandatoryBody(CanonicalEvent.class);
        OutboxTracing.Storing span = endpoint.getComponent().tracing().storing(exchange, event);
        EventStore.Stored stored;
        try {
            stored = store.store(event, span.traceParent());
        } catch (RuntimeException e) {
            span.failed(e);
            throw e;
        }
        span.stored(stored.outcome().name(), stored.repeatOf());
        exchange.getMessage().setHeader(OutboxConstants.STORED, stored.outcome().name());
        if (stored.repeatOf() != null) {
            exchange.getMessage().setHeader(OutboxConstants.REPEAT_OF, stored.repeatOf());
        }
    }
}
