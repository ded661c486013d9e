package io.carbridge.outbox;

import io.carbridge.storage.CanonicalEvent;
import java.time.Instant;
import org.apache.camel.Message;

/**
 * A delivery this instance claimed: the stored event it carries, and what the bridge knew of its vehicle when it was
 * claimed. The body of each exchange an {@code outbox:<destination>} endpoint routes.
 *
 * @param orderingKey what orders it among the destination's deliveries: its vehicle (or its event, without one)
 * @param attempt the number of the attempt about to be made (1 for the first)
 * @param replay whether an operator queued it again after it finished
 * @param queuedAt when this delivery was queued: the event's receipt, or the replay request; its age counts from here
 * @param traceParent the trace context stored with the event ({@link OutboxTracing}), or null
 */
public record ClaimedDelivery(
        long id,
        String destination,
        String orderingKey,
        int attempt,
        boolean replay,
        Instant queuedAt,
        CanonicalEvent event,
        KnownVehicle vehicle,
        String traceParent) {

    /** A delivery whose event has no trace context. */
    public ClaimedDelivery(
            long id,
            String destination,
            String orderingKey,
            int attempt,
            boolean replay,
            Instant queuedAt,
            CanonicalEvent event,
            KnownVehicle vehicle) {
        this(id, destination, orderingKey, attempt, replay, queuedAt, event, vehicle, null);
    }

    public String eventId() {
        return event.eventId();
    }

    public String vehicleId() {
        return event.vehicleId();
    }

    /**
     * The message of an attempt at this delivery: the delivery in the body, and the headers of {@link OutboxConstants}
     * that say which delivery and event it is.
     */
    public void describe(Message message) {
        message.setBody(this);
        message.setHeader(OutboxConstants.DESTINATION, destination);
        message.setHeader(OutboxConstants.DELIVERY_ID, id);
        message.setHeader(OutboxConstants.EVENT_ID, event.eventId());
        message.setHeader(OutboxConstants.EVENT_TYPE, event.eventType());
        message.setHeader(OutboxConstants.VEHICLE_ID, event.vehicleId());
        message.setHeader(OutboxConstants.ATTEMPT, attempt);
    }
}
