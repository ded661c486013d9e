package io.carbridge.outbox;

import java.util.List;

import io.carbridge.storage.CanonicalEvent;

/** Which destinations want an event: the outbox gets one delivery row for each, in the event's own transaction. */
@FunctionalInterface
public interface OutboxRouting {

    List<String> destinationsFor(CanonicalEvent event);
}
