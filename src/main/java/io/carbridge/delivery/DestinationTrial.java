package io.carbridge.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.carbridge.Json;
import io.carbridge.http.RequestRefused;
import io.carbridge.intake.Envelopes;
import io.carbridge.outbox.ClaimedDelivery;
import io.carbridge.outbox.OutboxComponent;
import io.carbridge.storage.CanonicalEvent;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.support.DefaultExchange;

/**
 * A destination tried without a restart and without a real event: an event (a Smartcar delivery, or a built-in sample
 * of a type) goes through the steps of the destination's own route, found by their ids: enrich, the transform, the
 * document, and, when asked, the sink. The answer is the document the sink gets and, after a send, what the attempt
 * came to by the outcome contract. Nothing is stored, a try is never counted as a delivery, and an outcome of
 * {@code pause} pauses nothing.
 */
final class DestinationTrial {

    /** The types a try has a built-in sample of: {@code src/main/resources/samples/<type>.json}. */
    static final List<String> SAMPLE_TYPES =
            List.of("VEHICLE_STATE", "VEHICLE_ERROR", "CHARGING_STARTED", "CHARGING_COMPLETED");

    private final CamelContext camel;
    private final OutboxComponent outbox;

    DestinationTrial(CamelContext camel, OutboxComponent outbox) {
        this.camel = camel;
        this.outbox = outbox;
    }

    /**
     * @param delivery the Smartcar delivery to try, as posted to the webhook; empty for the sample of {@code type}
     * @param send whether the document goes to the sink too
     */
    Map<String, Object> tryOut(Destination destination, byte[] delivery, String type, boolean send) throws Exception {
        byte[] raw = delivery.length > 0 ? delivery : sample(type);
        CanonicalEvent event = canonical(raw);
        ClaimedDelivery claimed = new ClaimedDelivery(
                0,
                destination.name(),
                event.vehicleId() != null ? event.vehicleId() : event.eventId(),
                1,
                false,
                Instant.now(),
                event,
                outbox.outbox().knownVehicle(event.vehicleId()));
        Exchange exchange = new DefaultExchange(camel);
        claimed.describe(exchange.getMessage());

        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("destination", destination.name());
        answer.put("eventId", event.eventId());
        answer.put("eventType", event.eventType());
        answer.put("vehicleId", event.vehicleId());
        answer.put("wanted", destination.wants(event));
        answer.put("notWantedBecause", destination.refusal(event));
        for (String step : List.of("enrich", "transform", "document")) {
            if (!run(step, destination, exchange)) {
                answer.put("failedAt", step);
                answer.put(
                        "error",
                        exchange.getException().getClass().getSimpleName() + ": "
                                + exchange.getException().getMessage());
                return answer;
            }
        }
        byte[] document = exchange.getMessage().getBody(byte[].class);
        answer.put("document", readable(document));
        answer.put("sent", send);
        if (send) {
            Instant startedAt = Instant.now();
            run("sink", destination, exchange);
            answer.put("attempt", outbox.judge(claimed, destination.policy(), exchange, startedAt));
        }
        return answer;
    }

    /**
     * Runs the step {@code <step>-<destination>} of the destination's route; false when it failed (the exchange says
     * why). Camel prefixes the node ids of a route made from a template with the route's own prefix.
     */
    private boolean run(String step, Destination destination, Exchange exchange) throws Exception {
        Route route = camel.getRoute(Destinations.routeId(destination.name()));
        String id = (route == null || route.getNodePrefixId() == null ? "" : route.getNodePrefixId()) + step + "-"
                + destination.name();
        List<Processor> found = route == null ? List.of() : route.filter(id);
        Processor processor = found.size() == 1 ? found.get(0) : null;
        if (processor == null) {
            throw RequestRefused.conflict("the route of destination '" + destination.name() + "' has no step " + step
                    + "-" + destination.name() + " (routes/destination.camel.yaml)");
        }
        processor.process(exchange);
        return exchange.getException() == null;
    }

    private static CanonicalEvent canonical(byte[] raw) {
        Object parsed;
        try {
            parsed = Json.STRICT.readValue(raw);
        } catch (IOException e) {
            throw RequestRefused.badRequest("the body must be one Smartcar delivery, as JSON");
        }
        if (!(parsed instanceof Map<?, ?> envelope)) {
            throw RequestRefused.badRequest("the body must be one Smartcar delivery, a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> delivery = (Map<String, Object>) envelope;
        try {
            return Envelopes.forwardable(delivery, raw, Instant.now())
                    .orElseThrow(
                            () -> RequestRefused.badRequest(
                                    "a try takes a delivery the bridge forwards: VEHICLE_STATE, VEHICLE_ERROR, or a legacy eventBased or scheduled one"));
        } catch (RequestRefused e) {
            throw RequestRefused.badRequest("the delivery cannot be read: " + e.getMessage());
        }
    }

    private static byte[] sample(String type) throws IOException {
        String chosen = type == null ? "VEHICLE_STATE" : type;
        if (!SAMPLE_TYPES.contains(chosen)) {
            throw RequestRefused.badRequest(
                    "type must be one of " + String.join(", ", SAMPLE_TYPES) + " (or post a delivery)");
        }
        try (InputStream in = DestinationTrial.class.getResourceAsStream("/samples/" + chosen + ".json")) {
            return in.readAllBytes();
        }
    }

    /** The document as JSON when it is JSON, else as text. */
    private static Object readable(byte[] document) {
        if (document == null) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(document);
        } catch (JsonProcessingException notJson) {
            return new String(document, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return new String(document, java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
