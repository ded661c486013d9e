package io.carbridge.outbox;

/**
 * The names an {@code outbox:<destination>} consumer and its route share: the headers the consumer sets on each
 * exchange, and the exchange properties a sink may set to say what its attempt came to. The header names start with
 * {@code Camel}, so that camel-http, camel-kafka and the other components never send them on. YAML routes use the same
 * names ({@code ${header.CamelOutboxEventId}}, {@code setProperty: {name: CamelOutboxOutcome, constant: pause}}).
 */
public final class OutboxConstants {

    /** Header: the destination being delivered to. */
    public static final String DESTINATION = "CamelOutboxDestination";
    /** Header: the delivery's id in the outbox, as the admin API shows it. */
    public static final String DELIVERY_ID = "CamelOutboxDeliveryId";
    /** Header: the event id, which destinations deduplicate on (HTTP: the idempotency key; Kafka: a record header). */
    public static final String EVENT_ID = "CamelOutboxEventId";
    /** Header: the event's type, such as {@code VEHICLE_STATE}. */
    public static final String EVENT_TYPE = "CamelOutboxEventType";
    /**
     * Header: the vehicle the event is about (none for an event without one): what orders a destination's deliveries.
     */
    public static final String VEHICLE_ID = "CamelOutboxVehicleId";
    /** Header: the number of this attempt, 1 for the first. */
    public static final String ATTEMPT = "CamelOutboxAttempt";
    /**
     * Header set by {@code to: outbox:all}: {@code STORED}, or {@code DUPLICATE} when the event id was stored before.
     */
    public static final String STORED = "CamelOutboxStored";
    /**
     * Set by {@code to: outbox:all} when it stored the event as a repeat of a {@code VEHICLE_ERROR} received shortly
     * before (bridge.intake.error-dedupe-window): that event's id. The repeat has no deliveries.
     */
    public static final String REPEAT_OF = "CamelOutboxRepeatOf";

    /**
     * Property: what the attempt came to, set by a sink that knows better than "completed is delivered, an exception is
     * tried again": {@code delivered}, {@code retry}, {@code dead} (a dead letter now) or {@code pause} (the
     * destination is paused until an operator resumes it; the delivery waits).
     */
    public static final String OUTCOME = "CamelOutboxOutcome";
    /** Property: why, with {@link #OUTCOME}: the error recorded with the attempt. */
    public static final String OUTCOME_REASON = "CamelOutboxOutcomeReason";
    /**
     * Property: with {@code retry}, the earliest next attempt: a {@link java.time.Duration}, or a number of seconds.
     */
    public static final String RETRY_AFTER = "CamelOutboxRetryAfter";
    /**
     * Property: set once the destination's document is made. A failure before it (the enrich step, the transform) is
     * the event's, which another attempt would meet again: a dead letter at once. A failure after it is the sink's.
     */
    public static final String DOCUMENT_MADE = "CamelOutboxDocumentMade";

    private OutboxConstants() {}
}
