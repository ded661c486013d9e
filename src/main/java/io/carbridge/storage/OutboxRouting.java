package io.carbridge.storage;

import java.util.List;

/** Which destinations want an event: the outbox gets one delivery row for each, in the event's own transaction. */
@FunctionalInterface
public interface OutboxRouting {

    List<String> destinationsFor(CanonicalEvent event);
}
