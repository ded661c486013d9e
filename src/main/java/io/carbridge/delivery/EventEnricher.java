package io.carbridge.delivery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import io.carbridge.Json;
import io.carbridge.storage.CanonicalEvent;
import io.carbridge.storage.Storage;

/**
 * Builds the document a destination receives (before its own transform): the canonical event, the vehicle's make,
 * model and year, the customer reference of the connection it belongs to, and Smartcar's payload. Everything comes
 * from the database, never from the network (the intake keeps the vehicles table up to date from current-format events,
 * see {@link io.carbridge.storage.VehicleFacts}).
 */
final class EventEnricher {

    private static final String LOOKUP = """
            SELECT v.vehicle_id, v.make, v.model, v.model_year, c.customer_reference
              FROM vehicle v LEFT JOIN smartcar_connection c ON c.user_id = v.user_id
             WHERE v.vehicle_id IN (:ids)""";

    private final Storage storage;

    EventEnricher(Storage storage) {
        this.storage = storage;
    }

    /** The documents of a batch of claimed deliveries, in order; one database lookup for the whole batch. */
    List<Map<String, Object>> documents(List<ClaimedDelivery> deliveries) {
        Map<String, Object> payloads = new HashMap<>();
        for (ClaimedDelivery delivery : deliveries) {
            payloads.computeIfAbsent(delivery.eventId(), id -> parse(delivery.event().rawBody()));
        }
        Map<String, Map<String, Object>> known = lookup(deliveries.stream().map(ClaimedDelivery::vehicleId)
                .filter(Objects::nonNull).collect(Collectors.toSet()));
        return deliveries.stream().map(delivery -> document(delivery, payloads.get(delivery.eventId()), known.get(delivery.vehicleId()))).toList();
    }

    private static Map<String, Object> document(ClaimedDelivery delivery, Object payload, Map<String, Object> vehicleRow) {
        CanonicalEvent event = delivery.event();
        Map<String, Object> vehicle = new LinkedHashMap<>();
        vehicle.put("make", vehicleRow == null ? null : vehicleRow.get("make"));
        vehicle.put("model", vehicleRow == null ? null : vehicleRow.get("model"));
        vehicle.put("year", vehicleRow == null ? null : vehicleRow.get("model_year"));

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
        document.put("customerReference", vehicleRow == null ? null : vehicleRow.get("customer_reference"));
        document.put("replay", delivery.replay());
        document.put("payload", payload);
        return document;
    }

    private Map<String, Map<String, Object>> lookup(Set<String> vehicleIds) {
        if (vehicleIds.isEmpty()) {
            return Map.of();
        }
        Map<String, Map<String, Object>> rows = new HashMap<>();
        storage.jdbc().query(LOOKUP, Map.of("ids", vehicleIds), resultSet -> {
            Map<String, Object> row = new HashMap<>();
            row.put("make", resultSet.getString("make"));
            row.put("model", resultSet.getString("model"));
            row.put("model_year", resultSet.getObject("model_year") == null ? null : resultSet.getInt("model_year"));
            row.put("customer_reference", resultSet.getString("customer_reference"));
            rows.put(resultSet.getString("vehicle_id"), row);
        });
        return rows;
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
