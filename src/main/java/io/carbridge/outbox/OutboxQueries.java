package io.carbridge.outbox;

import io.carbridge.storage.SqlTime;
import io.carbridge.storage.Storage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * What the admin API and the console read of the outbox's tables: events, deliveries and their attempts, the dead
 * letters and pauses per destination. Reads only; every value a bound parameter. The outbox's changes are
 * {@link Outbox}'s.
 */
public final class OutboxQueries {

    /** Which events to list: each condition optional, {@code [from, to)} of receipt. */
    public record EventFilter(String type, String vehicleId, Boolean recognised, Instant from, Instant to, int limit) {}

    /** Which deliveries to list: each condition optional, {@code [from, to)} of receipt. */
    public record DeliveryFilter(
            String status, String destination, String vehicleId, Instant from, Instant to, int limit) {}

    private static final String LIST_EVENTS =
            "SELECT e.event_id, e.event_type, e.recognised, e.vehicle_id, e.event_time, "
                    + "e.event_time_unreadable, e.signal_time_unreadable, e.repeat_of, e.mode, e.webhook_id, e.envelope_version, "
                    + "e.received_at FROM webhook_event e";
    private static final String LIST_DELIVERIES = "SELECT d.id, d.event_id, d.destination, d.status, d.attempts, "
            + "d.next_attempt_at, d.last_status_code, d.last_error, d.superseded_by, d.replay, d.received_at, d.finished_at, "
            + "e.event_type, e.vehicle_id FROM delivery d JOIN webhook_event e ON e.event_id = d.event_id";
    private static final String EVENT = "SELECT * FROM webhook_event WHERE event_id = :eventId";
    private static final String DELIVERIES_OF_EVENT = "SELECT * FROM delivery WHERE event_id = :eventId ORDER BY id";
    private static final String ATTEMPTS_OF_DELIVERY = "SELECT attempt, started_at, duration_ms, status_code, error, "
            + "outcome FROM delivery_attempt WHERE delivery_id = :id ORDER BY id";
    private static final String DESTINATION_OF_DELIVERY = "SELECT destination FROM delivery WHERE id = :id";
    private static final String LAST_RECEIVED = "SELECT MAX(received_at) AS last_received FROM webhook_event";
    private static final String DEAD_PER_DESTINATION =
            "SELECT destination, COUNT(*) AS dead FROM delivery WHERE status = 'DEAD' GROUP BY destination";
    private static final String PAUSED_DESTINATIONS =
            "SELECT destination, paused_reason, paused_at FROM destination_state WHERE paused = TRUE";

    private final NamedParameterJdbcTemplate jdbc;

    public OutboxQueries(Storage storage) {
        this.jdbc = storage.jdbc();
    }

    /** Newest first, without their bodies. */
    public List<Map<String, Object>> events(EventFilter filter) {
        Conditions where = new Conditions()
                .equal("e.event_type", "type", filter.type())
                .equal("e.vehicle_id", "vehicleId", filter.vehicleId())
                .equal("e.recognised", "recognised", filter.recognised())
                .range("e.received_at", filter.from(), filter.to());
        return jdbc.queryForList(
                LIST_EVENTS + where.sql() + " ORDER BY e.received_at DESC LIMIT :limit", where.limit(filter.limit()));
    }

    /** Newest first, each with its event's type and vehicle. */
    public List<Map<String, Object>> deliveries(DeliveryFilter filter) {
        Conditions where = new Conditions()
                .equal("d.status", "status", filter.status())
                .equal("d.destination", "destination", filter.destination())
                .equal("e.vehicle_id", "vehicleId", filter.vehicleId())
                .range("d.received_at", filter.from(), filter.to());
        return jdbc.queryForList(
                LIST_DELIVERIES + where.sql() + " ORDER BY d.id DESC LIMIT :limit", where.limit(filter.limit()));
    }

    /** The event's row, its body ({@code raw_body}) included. */
    public Optional<Map<String, Object>> event(String eventId) {
        return jdbc.queryForList(EVENT, Map.of("eventId", eventId)).stream().findFirst();
    }

    public List<Map<String, Object>> deliveriesOf(String eventId) {
        return jdbc.queryForList(DELIVERIES_OF_EVENT, Map.of("eventId", eventId));
    }

    public List<Map<String, Object>> attemptsOf(Object deliveryId) {
        return jdbc.queryForList(ATTEMPTS_OF_DELIVERY, Map.of("id", deliveryId));
    }

    public Optional<String> destinationOf(long deliveryId) {
        return jdbc.queryForList(DESTINATION_OF_DELIVERY, Map.of("id", deliveryId), String.class).stream()
                .findFirst();
    }

    /** When the last event was received, or null before the first. */
    public Instant lastReceivedAt() {
        return jdbc.query(LAST_RECEIVED, Map.of(), rows -> rows.next() ? SqlTime.get(rows, "last_received") : null);
    }

    public Map<String, Long> deadPerDestination() {
        Map<String, Long> dead = new HashMap<>();
        jdbc.query(DEAD_PER_DESTINATION, rows -> {
            dead.put(rows.getString("destination"), rows.getLong("dead"));
        });
        return dead;
    }

    /** The paused destinations, each with the reason ({@code reason}) and time ({@code at}) of its pause. */
    public Map<String, Map<String, Object>> pausedDestinations() {
        Map<String, Map<String, Object>> paused = new HashMap<>();
        jdbc.query(PAUSED_DESTINATIONS, rows -> {
            Map<String, Object> pause = new LinkedHashMap<>();
            pause.put("reason", rows.getString("paused_reason"));
            pause.put("at", SqlTime.get(rows, "paused_at"));
            paused.put(rows.getString("destination"), pause);
        });
        return paused;
    }

    /** An AND of optional conditions; every value is a bound parameter. */
    private static final class Conditions {
        private final List<String> conditions = new ArrayList<>();
        private final MapSqlParameterSource parameters = new MapSqlParameterSource();

        Conditions equal(String column, String parameter, Object value) {
            if (value != null) {
                conditions.add(column + " = :" + parameter);
                parameters.addValue(parameter, value);
            }
            return this;
        }

        Conditions range(String column, Instant from, Instant to) {
            if (from != null) {
                conditions.add(column + " >= :from");
                parameters.addValue("from", SqlTime.offset(from));
            }
            if (to != null) {
                conditions.add(column + " < :to");
                parameters.addValue("to", SqlTime.offset(to));
            }
            return this;
        }

        String sql() {
            return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
        }

        MapSqlParameterSource limit(int limit) {
            return parameters.addValue("limit", limit);
        }
    }
}
