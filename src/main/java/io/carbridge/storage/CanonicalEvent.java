package io.carbridge.storage;

import java.time.Instant;

/**
 * One Smartcar event, whatever envelope it came in, as the bridge stores and forwards it.
 *
 * @param eventId Smartcar's event id, or a stable id derived from the webhook id and the body when it has none
 * @param eventType {@code VEHICLE_STATE}, {@code VEHICLE_ERROR}, {@code CHARGING_STARTED}, ... or, when not recognised,
 *     whatever type the delivery named
 * @param recognised false for a signed delivery the bridge does not know: stored, never forwarded
 * @param vehicleId the vehicle, or null when the event names none or several
 * @param eventTime when it happened according to Smartcar, or null
 * @param mode {@code live}, {@code test} or {@code simulated}, or null
 * @param webhookId the Smartcar webhook that sent it
 * @param envelopeVersion {@code 2.0} (legacy) or {@code 4.0} (current), or null when unknown
 * @param receivedAt when the bridge received it
 * @param rawBody the request body, byte for byte
 * @param eventTimeUnreadable a time the envelope gave (when it happened, or when it was delivered) could not be read or
 *     stored (unparseable, or outside the years 1 to 9999): the event is kept as received, without an event time, and
 *     flagged
 * @param vehicleFacts what a current-format event says about its vehicle, written to the vehicles table with the event;
 *     null for other events
 * @param state what a current-format event reports of its vehicle's state (its signals; for a {@code VEHICLE_ERROR},
 *     the errors whose repeats are folded), written with the event; null for other events
 */
public record CanonicalEvent(
        String eventId,
        String eventType,
        boolean recognised,
        String vehicleId,
        Instant eventTime,
        String mode,
        String webhookId,
        String envelopeVersion,
        Instant receivedAt,
        byte[] rawBody,
        boolean eventTimeUnreadable,
        VehicleFacts vehicleFacts,
        StateReport state) {

    /** An event that reports nothing of its vehicle's state. */
    public CanonicalEvent(
            String eventId,
            String eventType,
            boolean recognised,
            String vehicleId,
            Instant eventTime,
            String mode,
            String webhookId,
            String envelopeVersion,
            Instant receivedAt,
            byte[] rawBody,
            boolean eventTimeUnreadable,
            VehicleFacts vehicleFacts) {
        this(
                eventId,
                eventType,
                recognised,
                vehicleId,
                eventTime,
                mode,
                webhookId,
                envelopeVersion,
                receivedAt,
                rawBody,
                eventTimeUnreadable,
                vehicleFacts,
                null);
    }

    /**
     * An event as the delivery side reads it back: what it forwards, not how its time was read nor its vehicle facts.
     */
    public CanonicalEvent(
            String eventId,
            String eventType,
            boolean recognised,
            String vehicleId,
            Instant eventTime,
            String mode,
            String webhookId,
            String envelopeVersion,
            Instant receivedAt,
            byte[] rawBody) {
        this(
                eventId,
                eventType,
                recognised,
                vehicleId,
                eventTime,
                mode,
                webhookId,
                envelopeVersion,
                receivedAt,
                rawBody,
                false,
                null,
                null);
    }

    /** A signal of the event gave a time that cannot be read: not applied to the state, and the event is flagged. */
    public boolean signalTimeUnreadable() {
        return state != null && state.signalTimeUnreadable();
    }

    public boolean isTestMode() {
        return mode != null && !"live".equals(mode);
    }
}
