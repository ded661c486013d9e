package io.carbridge.delivery;

import io.carbridge.Json;
import io.carbridge.outbox.ClaimedDelivery;
import io.carbridge.outbox.KnownVehicle;
import io.carbridge.outbox.OutboxConstants;
import io.carbridge.state.VehicleStateStore;
import io.carbridge.storage.CanonicalEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The Java steps of the destination route template ({@code routes/destination.camel.yaml}, bean {@code deliverySteps})
 * around the destination's transform:
 *
 * <ul>
 *   <li>{@link #enrich}: the enriched event, the document a destination receives before its own transform: the
 *       canonical event, the vehicle's make, model and year, the customer reference of the connection it belongs to,
 *       and Smartcar's payload. What is known of the vehicle came from the database with the claim, so this step makes
 *       no query; an unknown vehicle is forwarded with those fields empty, never held back.
 *   <li>{@link #document}: what the transform produced, as the document the sink takes.
 * </ul>
 */
public final class DeliverySteps {

    private final Predicate<String> takesState;
    private final VehicleStateStore state;

    /**
     * @param takesState whether a destination (by name) takes a vehicle's state ({@code deliver = state})
     * @param state the vehicles' latest signals, which a state destination's enriched event carries
     */
    DeliverySteps(Predicate<String> takesState, VehicleStateStore state) {
        this.takesState = takesState;
        this.state = state;
    }

    /** The steps where no destination takes a vehicle's state: what a route test without the bridge's database runs. */
    public DeliverySteps() {
        this(destination -> false, null);
    }

    /**
     * The enriched event of one claimed delivery, as a map: what {@code routes/enriched-event-json.camel.yaml} writes
     * as JSON. A {@code VEHICLE_STATE} to a destination that takes a vehicle's state also carries {@code state}: the
     * vehicle's latest value (and last error) of every signal, from every event received so far.
     */
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
        if ("VEHICLE_STATE".equals(event.eventType())
                && event.vehicleId() != null
                && takesState.test(delivery.destination())) {
            document.put("state", Map.of("signals", state.signals(event.vehicleId())));
        }
        document.put("payload", parse(event.rawBody()));
        return document;
    }

    /**
     * The document: a map or list the transform left is written as JSON (what {@code marshal: json} would have made);
     * text, bytes and streams are the document as they are. From here on, a failure is the sink's, which another
     * attempt may not meet; before it, a failure (of the enrich step, of the transform) is the event's, and would be
     * met again: the outbox makes it a dead letter at once.
     */
    public void document(Exchange exchange) throws IOException {
        Message message = exchange.getMessage();
        Object body = message.getBody();
        if (body instanceof Map<?, ?> || body instanceof Collection<?>) {
            message.setBody(Json.MAPPER.writeValueAsBytes(body));
        }
        exchange.setProperty(OutboxConstants.DOCUMENT_MADE, true);
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
