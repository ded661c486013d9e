package io.carbridge;

import org.slf4j.spi.LoggingEventBuilder;

/**
 * The fields a log line about an event carries beside its message. The text layout (the default) shows the message
 * alone, as ever (every value is in it too: {@code outcome=accepted ... eventId=...}); with {@code LOG_FORMAT=json}
 * each field is a top-level key of the line's JSON object ({@code "eventId": "..."}), beside the ECS keys
 * ({@code message}, {@code log.level}, ...): SLF4J's key-values go through log4j-slf4j2-impl into the line's context
 * map, which the ECS template writes flattened at the top level. A field whose value is null is left out.
 */
public final class LogFields {

    /** The event's id. */
    public static final String EVENT_ID = "eventId";
    /** The event's type, such as {@code VEHICLE_STATE}. */
    public static final String EVENT_TYPE = "eventType";
    /** The vehicle the event is about. */
    public static final String VEHICLE_ID = "vehicleId";
    /** The destination a delivery goes to. */
    public static final String DESTINATION = "destination";
    /** The number of a delivery's attempt, 1 for the first. */
    public static final String ATTEMPT = "attempt";
    /**
     * What the intake answered ({@code accepted}, {@code duplicate}, {@code rejected}, ...), or what an attempt came
     * to.
     */
    public static final String OUTCOME = "outcome";

    private LogFields() {}

    /** The line with {@code key}, unless {@code value} is null. */
    public static LoggingEventBuilder with(LoggingEventBuilder line, String key, Object value) {
        return value == null ? line : line.addKeyValue(key, value);
    }

    /** The line with the event's id, type and vehicle (those given). */
    public static LoggingEventBuilder event(
            LoggingEventBuilder line, String eventId, String eventType, String vehicleId) {
        return with(with(with(line, EVENT_ID, eventId), EVENT_TYPE, eventType), VEHICLE_ID, vehicleId);
    }
}
