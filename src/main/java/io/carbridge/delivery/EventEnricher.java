package io.carbridge.delivery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import io.carbridge.Json;
import io.carbridge.storage.CanonicalEvent;
import io.carbridge.storage.SqlTime;
import io.carbridge.storage.Storage;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * Builds the document a destination receives (before its own transform): the canonical event, the vehicle's make,
 * model and year, the customer reference of the connection it belongs to, and Smartcar's payload. Everything comes
 * from the database, never from the network. A current-format event's {@code data.vehicle} block also updates the
 * vehicles table, so later events of that vehicle (legacy ones carry no make or model) are enriched too.
 */
final class EventEnricher {

    private static final String LOOKUP = """
            SELECT v.vehicle_id, v.make, v.model, v.model_year, c.customer_reference
              FROM vehicle v LEFT JOIN smartcar_connection c ON c.user_id = v.user_id
             WHERE v.vehicle_id IN (:ids)""";
    private static final String UPDATE_VEHICLE = "UPDATE vehicle SET make = :make, model = :model, model_year = :year, "
            + "user_id = COALESCE(:userId, user_id), updated_at = :now WHERE vehicle_id = :id";
    private static final String INSERT_VEHICLE = "INSERT INTO vehicle (vehicle_id, user_id, make, model, model_year, updated_at) "
            + "VALUES (:id, :userId, :make, :model, :year, :now)";
    private static final int REMEMBERED_VEHICLES = 10_000;

    private final Storage storage;
    /** What was last written for each vehicle, so that a stream of events about one vehicle writes it once. */
    private final Map<String, VehicleFacts> written = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, VehicleFacts> eldest) {
            return size() > REMEMBERED_VEHICLES;
        }
    });

    EventEnricher(Storage storage) {
        this.storage = storage;
    }

    /** The documents of a batch of claimed deliveries, in order; one database lookup for the whole batch. */
    List<Map<String, Object>> documents(List<ClaimedDelivery> deliveries) {
        Map<String, Object> payloads = new HashMap<>();
        for (ClaimedDelivery delivery : deliveries) {
            Object payload = payloads.computeIfAbsent(delivery.eventId(), id -> parse(delivery.event().rawBody()));
            VehicleFacts facts = VehicleFacts.from(payload);
            if (facts != null && !facts.equals(written.get(facts.vehicleId()))) {
                save(facts);
                written.put(facts.vehicleId(), facts);
            }
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

    private void save(VehicleFacts facts) {
        MapSqlParameterSource parameters = new MapSqlParameterSource()
                .addValue("id", facts.vehicleId())
                .addValue("userId", facts.userId())
                .addValue("make", facts.make())
                .addValue("model", facts.model())
                .addValue("year", facts.year())
                .addValue("now", SqlTime.offset(Instant.now()));
        if (storage.jdbc().update(UPDATE_VEHICLE, parameters) == 0) {
            try {
                storage.jdbc().update(INSERT_VEHICLE, parameters);
            } catch (DuplicateKeyException insertedMeanwhile) {
                storage.jdbc().update(UPDATE_VEHICLE, parameters);
            }
        }
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

    /** Make, model and year a current-format payload carries in {@code data.vehicle}, and its owner's {@code data.user.id}. */
    record VehicleFacts(String vehicleId, String userId, String make, String model, Integer year) {

        static VehicleFacts from(Object payload) {
            if (!(payload instanceof Map<?, ?> envelope) || !(envelope.get("data") instanceof Map<?, ?> data)
                    || !(data.get("vehicle") instanceof Map<?, ?> vehicle) || text(vehicle.get("id")) == null) {
                return null;
            }
            String id = text(vehicle.get("id"));
            String userId = data.get("user") instanceof Map<?, ?> user && user.get("id") instanceof String text ? text : null;
            return new VehicleFacts(id, userId, text(vehicle.get("make")), text(vehicle.get("model")), year(vehicle.get("year")));
        }

        private static String text(Object value) {
            return value instanceof String text && text.length() <= 100 ? text : null;
        }

        /** Smartcar has sent the year as a number and as a string. */
        private static Integer year(Object value) {
            if (value instanceof Number number) {
                return number.intValue();
            }
            if (value instanceof String text) {
                try {
                    return Integer.valueOf(text.trim());
                } catch (NumberFormatException e) {
                    return null;
                }
            }
            return null;
        }
    }
}
