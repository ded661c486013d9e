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

    private final EventStore store;

    OutboxProducer(OutboxEndpoint endpoint, EventStore store) {
        super(endpoint);
        this.store = store;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        CanonicalEvent event = exchange.getMessage().getMandatoryBody(CanonicalEvent.class);
        EventStore.Stored stored = store.store(event);
        exchange.getMessage().setHeader(OutboxConstants.STORED, stored.outcome().name());
        if (stored.repeatOf() != null) {
            exchange.getMessage().setHeader(OutboxConstants.REPEAT_OF, stored.repeatOf());
        }
    }
}
