package io.carbridge.delivery;

import java.time.Instant;

import io.carbridge.storage.CanonicalEvent;

/**
 * A delivery this instance claimed, with the stored event it carries.
 *
 * @param attempt  the number of the attempt about to be made (1 for the first)
 * @param queuedAt when this delivery was queued: the event's receipt, or the replay request; its age counts from here
 */
record ClaimedDelivery(long id, String destination, int attempt, boolean replay, Instant queuedAt, CanonicalEvent event) {

    String eventId() {
        return event.eventId();
    }

    String vehicleId() {
        return event.vehicleId();
    }
}
