package io.carbridge.delivery;

import io.carbridge.outbox.DeliveryPolicy;
import io.carbridge.storage.CanonicalEvent;
import java.util.List;

/**
 * One destination (a CRM, an ERP, a topic, ...) as configured under {@code bridge.destination.<name>.*}: which events
 * it wants, the route that shapes its document, the sink the document goes to, and how the outbox delivers to it.
 *
 * @param transformUri the endpoint that turns the enriched event into the destination's document
 * @param settings the settings as bound, for the admin API
 */
public record Destination(
        String name,
        Sink sink,
        List<String> eventTypes,
        boolean includeTestEvents,
        String transformUri,
        DeliveryPolicy policy,
        DestinationSettings settings) {

    /**
     * Whether this destination wants the event: its type matches (exactly, or a {@code PREFIX_*} pattern) and its mode.
     */
    public boolean wants(CanonicalEvent event) {
        return refusal(event) == null;
    }

    /** Why this destination does not want the event, or null when it does. */
    public String refusal(CanonicalEvent event) {
        if (!event.recognised()) {
            return "unrecognised events are never forwarded";
        }
        if (event.isTestMode() && !includeTestEvents) {
            return "a " + event.mode() + " event, and include-test-events is false";
        }
        if (eventTypes.isEmpty()) {
            return null;
        }
        for (String pattern : eventTypes) {
            boolean matches = pattern.endsWith("*")
                    ? event.eventType().startsWith(pattern.substring(0, pattern.length() - 1))
                    : event.eventType().equals(pattern);
            if (matches) {
                return null;
            }
        }
        return event.eventType() + " is not in event-types " + String.join(",", eventTypes);
    }

    @Override
    public String toString() {
        return "Destination[" + name + " " + sink + "]";
    }
}
