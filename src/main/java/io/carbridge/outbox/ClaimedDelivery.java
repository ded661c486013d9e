package io.carbridge.outbox;

import java.time.Instant;

import io.carbridge.storage.CanonicalEvent;

/**
 * A delivery this instance claimed: the stored event it carries, and what the bridge knew of its vehicle when it was
 * claimed. The body of each exchange an {@code outbox:<destination>} endpoint routes.
 *
 * @param orderingKey what orders it among the destination's deliveries: its vehicle (or its event, without one)
 * @param attempt  the number of the attempt about to be made (1 for the first)
 * @param replay   whether an operator queued it again after it finished
 * @param queuedAt when this delivery was queued: the event's receipt, or the replay request; its age counts from here
 */
public record ClaimedDelivery(long id, String destination, String orderingKey, int attempt, boolean replay, Instant queuedAt,
                              CanonicalEvent event, KnownVehicle vehicle) {

    public String eventId() {
        return event.eventId();
    }

    public String vehicleId() {
        return event.vehicleId();
    }
}
