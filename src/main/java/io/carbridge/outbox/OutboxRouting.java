package io.carbridge.outbox;

import io.carbridge.storage.CanonicalEvent;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which destinations want an event (the outbox gets one delivery row for each, in the event's own transaction), and how
 * each is delivered to.
 */
public interface OutboxRouting {

    List<String> destinationsFor(CanonicalEvent event);

    /** The destinations that do not want the event, each with why (for the word the intake logs about it). */
    Map<String, String> refusals(CanonicalEvent event);

    /** How the outbox delivers to the destination; empty when there is no such destination. */
    Optional<DeliveryPolicy> policy(String destination);
}
