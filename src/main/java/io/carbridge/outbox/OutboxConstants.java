package io.carbridge.outbox;

/**
 * The headers an {@code outbox:<destination>} consumer sets on each exchange. Their names start with {@code Camel}, so
 * that camel-http never sends them to the destination.
 */
public final class OutboxConstants {

    /** The destination being delivered to. */
    public static final String DESTINATION = "CamelOutboxDestination";
    /** The delivery's id in the outbox, as the admin API shows it. */
    public static final String DELIVERY_ID = "CamelOutboxDeliveryId";
    /** The event id: the idempotency key of the request. */
    public static final String EVENT_ID = "CamelOutboxEventId";
    /** The number of this attempt, 1 for the first. */
    public static final String ATTEMPT = "CamelOutboxAttempt";
    /** Set by {@code to: outbox:all}: {@code STORED}, or {@code DUPLICATE} when the event id was stored before. */
    public static final String STORED = "CamelOutboxStored";
    /**
     * Set by {@code to: outbox:all} when it stored the event as a repeat of a {@code VEHICLE_ERROR} received shortly
     * before (bridge.intake.error-dedupe-window): that event's id. The repeat has no deliveries.
     */
    public static final String REPEAT_OF = "CamelOutboxRepeatOf";

    private OutboxConstants() {
    }
}
