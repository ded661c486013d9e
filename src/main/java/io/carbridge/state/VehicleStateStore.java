package io.carbridge.state;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbridge.Json;
import io.carbridge.storage.SqlTime;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * The vehicles' state as it is read: the latest state of every signal of a vehicle (one seek on the primary key's first
 * column), each signal's time, and the figures of the metrics. {@link VehicleStateWriter} writes it.
 */
public final class VehicleStateStore {

    private final NamedParameterJdbcTemplate jdbc;

    public VehicleStateStore(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Whether the bridge knows the vehicle (it has a row of facts), with a state or not. */
    public boolean knows(String vehicleId) {
        return jdbc.queryForObject(
                        "SELECT COUNT(*) FROM vehicle WHERE vehicle_id = :vehicleId",
                        Map.of("vehicleId", vehicleId),
                        Integer.class)
                > 0;
    }

    /** Every signal of the vehicle with its last value and its last error, by code. */
    public List<Map<String, Object>> signals(String vehicleId) {
        return jdbc.query(
                "SELECT * FROM vehicle_signal WHERE vehicle_id = :vehicleId ORDER BY code",
                Map.of("vehicleId", vehicleId),
                (rows, i) -> {
                    Map<String, Object> signal = new LinkedHashMap<>();
                    signal.put("code", rows.getString("code"));
                    Instant valueAt = SqlTime.get(rows, "value_at");
                    signal.put("value", json(rows.getString("value_json")));
                    signal.put("unit", rows.getString("unit"));
                    signal.put("oemUpdatedAt", text(SqlTime.get(rows, "oem_updated_at")));
                    signal.put("fetchedAt", text(SqlTime.get(rows, "fetched_at")));
                    signal.put("valueAt", text(valueAt));
                    signal.put("eventId", rows.getString("value_event_id"));
                    Instant errorAt = SqlTime.get(rows, "error_at");
                    if (errorAt == null) {
                        signal.put("error", null);
                    } else {
                        Map<String, Object> error = new LinkedHashMap<>();
                        error.put("type", rows.getString("error_type"));
                        error.put("code", rows.getString("error_code"));
                        error.put("at", text(errorAt));
                        error.put("eventId", rows.getString("error_event_id"));
                        // the error is the signal's current news unless a value came later
                        error.put("current", valueAt == null || !errorAt.isBefore(valueAt));
                        error.put("detail", json(rows.getString("error_json")));
                        signal.put("error", error);
                    }
                    signal.put("updatedAt", text(SqlTime.get(rows, "updated_at")));
                    return signal;
                });
    }

    /**
     * Each signal's value time ({@code oemUpdatedAt}, or {@code fetchedAt}), by code: what a newer report must beat.
     */
    public Map<String, Instant> valueTimes(String vehicleId) {
        Map<String, Instant> times = new HashMap<>();
        jdbc.query(
                "SELECT code, value_at FROM vehicle_signal WHERE vehicle_id = :vehicleId AND value_at IS NOT NULL",
                Map.of("vehicleId", vehicleId),
                rows -> {
                    times.put(rows.getString("code"), SqlTime.get(rows, "value_at"));
                });
        return times;
    }

    /** How many vehicles have a state, and the time of the freshest value of any of them (null without one). */
    public record Summary(long vehicles, Instant freshest) {}

    public Summary summary() {
        return jdbc.query(
                "SELECT COUNT(DISTINCT vehicle_id) AS vehicles, MAX(value_at) AS freshest FROM vehicle_signal",
                Map.of(),
                rows -> {
                    rows.next();
                    return new Summary(rows.getLong("vehicles"), SqlTime.get(rows, "freshest"));
                });
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    /** The stored JSON as a tree for the answer; text that is not JSON (it always is) as text. */
    private static Object json(String text) {
        if (text == null) {
            return null;
        }
        try {
            JsonNode node = Json.MAPPER.readTree(text);
            return node;
        } catch (IOException e) {
            return text;
        }
    }
}
