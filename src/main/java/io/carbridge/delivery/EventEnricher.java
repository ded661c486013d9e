package io.carbridge.delivery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import io.carbridge.Json;
import io.carbridge.outbox.ClaimedDelivery;
import io.carbridge.outbox.KnownVehicle;
import io.carbridge.storage.CanonicalEvent;

/**
 * The enrich step of {@code routes/http-destination.camel.yaml}: the document a destination receives before its own
 * transform. The canonical event, the vehicle's make, model and year, the customer reference of the connection it
 * belongs to, and Smartcar's payload. What is known of the vehicle came from the database with the claim, so this step
 * makes no query; an unknown vehicle is forwarded with those fields empty, never held back.
 */
public final class EventEnricher {

    /** The enriched event of one claimed delivery, as a map: what {@code routes/enriched-event-json.camel.yaml} writes as JSON. */
    public Map<String, Object> enrich(ClaimedDelivery delivery) {
        CanonicalEvent event = delivery.event();
        KnownVehicle known = delivery.vehicle();
        Map<String, Object> vehicle = new LinkedHashMap<>();
        vehicle.put("make", known.make());
        vehicle.put("model", known.model());
        vehicle.put("year", known.year());

        Map<String, Object> document = new LinkedHashMap<>();
        document.put("eventId", event.eventId());
        document.put("eventType", event.eventType());
        document.put("eventTime", iso(event.eventTime()));
        document.put("receivedAt", iso(event.receivedAt()));
        document.put("mode", event.mode());
        document.put("webhookId", event.webhookId());
        document.put("envelopeVersion", event.envelopeVersion());
        document.put("vehicleId", event.vehicleId());
        document.put("vehicle", vehicle);
        document.put("customerReference", known.customerReference());
        document.put("replay", delivery.replay());
        document.put("payload", parse(event.rawBody()));
        return document;
    }

    private static Object parse(byte[] rawBody) {
        try {
            return Json.MAPPER.readValue(rawBody, Object.class);
        } catch (IOException e) {
            // the intake stored it only after parsing it, so this is a corrupted row
            throw new UncheckedIOException("stored event body is not JSON", e);
        }
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
