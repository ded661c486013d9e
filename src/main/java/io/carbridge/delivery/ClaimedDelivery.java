package io.carbridge.delivery;

import java.time.Instant;

/**
 * A delivery this instance claimed, with the stored event it carries.
 *
 * @param attempt    the number of the attempt about to be made (1 for the first)
 * @param receivedAt when the bridge received the event
 * @param queuedAt   when this delivery was queued: the event's receipt, or the replay request; its age counts from here
 */
record ClaimedDelivery(
        long id,
        String destination,
        int attempt,
        boolean replay,
        String eventId,
        String eventType,
        String vehicleId,
        Instant eventTime,
        String mode,
        String webhookId,
        String envelopeVersion,
        Instant receivedAt,
        Instant queuedAt,
        byte[] rawBody) {
}
