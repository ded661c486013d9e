package io.carbridge.smartcar;

import io.carbridge.storage.SqlTime;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * The {@code vehicle} table as the subscription sync keeps it. A vehicle is subscribed only by the run that moved it
 * from NONE to SUBSCRIBING (one conditional UPDATE, so one winner across instances); every later write of that run
 * names its claim, so a run whose claim expired cannot overwrite the state of the run that took over.
 */
public final class VehicleStore {

    public static final String NONE = "NONE";
    public static final String SUBSCRIBING = "SUBSCRIBING";
    public static final String SUBSCRIBED = "SUBSCRIBED";
    public static final String FAILED = "FAILED";
    public static final String GONE = "GONE";
    public static final String UNSUBSCRIBED = "UNSUBSCRIBED";

    /** Not subscribed and not waiting for a backoff, or claimed by a run whose claim ran out. */
    private static final String SUBSCRIBABLE =
            "((subscription_status = 'NONE' AND (next_attempt_at IS NULL OR next_attempt_at <= :now))"
                    + " OR (subscription_status = 'SUBSCRIBING' AND claimed_until < :now))";

    private final NamedParameterJdbcTemplate jdbc;

    public VehicleStore(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A vehicle this run holds, with the user it was listed under; its failure count sets the next backoff. */
    public record Claim(String vehicleId, String userId, String claimedBy, int failureCount) {}

    /** Make, model and year of a vehicle (v2.0 reads them from the vehicle, v3 from its connection). */
    public record Attributes(String make, String model, Integer year) {}

    /**
     * A vehicle as a listing of the application's connections names it (v3), by its connection; make, model and year
     * may be missing.
     */
    public record ConnectedVehicle(
            String connectionId, String vehicleId, String userId, String make, String model, Integer year) {}

    /**
     * Records the vehicles a connection listed: new ones as NONE, a GONE one that is back as NONE again, and each under
     * the user who listed it. Unchanged rows are not written.
     */
    public void recordListed(String userId, List<String> vehicleIds, Instant now) {
        for (String vehicleId : vehicleIds) {
            MapSqlParameterSource row = new MapSqlParameterSource()
                    .addValue("vehicleId", vehicleId)
                    .addValue("userId", userId)
                    .addValue("now", SqlTime.offset(now));
            // no update: new, or present and unchanged; a unique-key violation: inserted a moment ago by another
            // instance or the intake
            Sql.upsert(
                    jdbc,
                    row,
                    this::updateListed,
                    "INSERT INTO vehicle (vehicle_id, user_id, subscription_status, failure_count, "
                            + "updated_at) VALUES (:vehicleId, :userId, 'NONE', 0, :now)");
        }
    }

    private int updateListed(MapSqlParameterSource row) {
        return jdbc.update(
                "UPDATE vehicle SET user_id = :userId, updated_at = :now, "
                        + "subscription_status = CASE WHEN subscription_status = 'GONE' THEN 'NONE' ELSE subscription_status END, "
                        + "failure_count = CASE WHEN subscription_status = 'GONE' THEN 0 ELSE failure_count END, "
                        + "next_attempt_at = CASE WHEN subscription_status = 'GONE' THEN NULL ELSE next_attempt_at END, "
                        + "gone_at = NULL WHERE vehicle_id = :vehicleId AND (user_id IS NULL OR user_id <> :userId OR subscription_status = 'GONE')",
                row);
    }

    /** Of these vehicles, the ones a run may try to subscribe now. */
    public List<String> dueForSubscription(List<String> vehicleIds, Instant now) {
        if (vehicleIds.isEmpty()) {
            return List.of();
        }
        return jdbc.queryForList(
                "SELECT vehicle_id FROM vehicle WHERE vehicle_id IN (:ids) AND " + SUBSCRIBABLE
                        + " ORDER BY vehicle_id",
                new MapSqlParameterSource().addValue("ids", vehicleIds).addValue("now", SqlTime.offset(now)),
                String.class);
    }

    /**
     * v3: records what a listing of the application's connections says of each vehicle (user, connection, make, model,
     * year; a fact the listing lacks keeps its stored value). New vehicles are NONE, a GONE one that is back is NONE
     * again; unchanged rows are not written.
     */
    public void recordConnected(Collection<ConnectedVehicle> listed, Instant now) {
        for (ConnectedVehicle vehicle : listed) {
            MapSqlParameterSource row = new MapSqlParameterSource()
                    .addValue("vehicleId", vehicle.vehicleId())
                    .addValue("userId", vehicle.userId())
                    .addValue("connectionId", vehicle.connectionId())
                    .addValue("make", vehicle.make(), Types.VARCHAR)
                    .addValue("model", vehicle.model(), Types.VARCHAR)
                    .addValue("year", vehicle.year(), Types.INTEGER)
                    .addValue("now", SqlTime.offset(now));
            Sql.upsert(
                    jdbc,
                    row,
                    this::updateConnected,
                    "INSERT INTO vehicle (vehicle_id, user_id, connection_id, make, model, model_year, "
                            + "subscription_status, failure_count, updated_at) "
                            + "VALUES (:vehicleId, :userId, :connectionId, :make, :model, :year, 'NONE', 0, :now)");
        }
    }

    private int updateConnected(MapSqlParameterSource row) {
        return jdbc.update(
                "UPDATE vehicle SET user_id = :userId, connection_id = :connectionId, make = COALESCE(:make, make), "
                        + "model = COALESCE(:model, model), model_year = COALESCE(:year, model_year), updated_at = :now, "
                        + "subscription_status = CASE WHEN subscription_status = 'GONE' THEN 'NONE' ELSE subscription_status END, "
                        + "failure_count = CASE WHEN subscription_status = 'GONE' THEN 0 ELSE failure_count END, "
                        + "next_attempt_at = CASE WHEN subscription_status = 'GONE' THEN NULL ELSE next_attempt_at END, "
                        + "gone_at = NULL WHERE vehicle_id = :vehicleId AND (user_id IS DISTINCT FROM :userId "
                        + "OR connection_id IS DISTINCT FROM :connectionId OR make IS DISTINCT FROM COALESCE(:make, make) "
                        + "OR model IS DISTINCT FROM COALESCE(:model, model) OR model_year IS DISTINCT FROM COALESCE(:year, model_year) "
                        + "OR subscription_status = 'GONE')",
                row);
    }

    /**
     * v3: of the vehicles a listing of connections recorded, the ones a run may try to subscribe now, by vehicle id.
     */
    public List<String> connectedDueForSubscription(Set<String> listed, Instant now) {
        return jdbc
                .queryForList(
                        "SELECT vehicle_id FROM vehicle WHERE connection_id IS NOT NULL AND " + SUBSCRIBABLE
                                + " ORDER BY vehicle_id",
                        new MapSqlParameterSource().addValue("now", SqlTime.offset(now)),
                        String.class)
                .stream()
                .filter(listed::contains)
                .toList();
    }

    /**
     * v3, with a webhook that subscribes every vehicle by itself: every listed vehicle not subscribed yet is recorded
     * as subscribed by Smartcar. Not those being subscribed, GONE or UNSUBSCRIBED, nor those Smartcar refused the
     * bridge (FAILED: their reason stays visible until the owner connects again). Returns how many.
     */
    public int subscribedBySmartcar(Instant now) {
        return jdbc.update(
                "UPDATE vehicle SET subscription_status = 'SUBSCRIBED', subscribed_by = 'SMARTCAR', subscribed_at = :now, "
                        + "claimed_until = NULL, claimed_by = NULL, failure_count = 0, next_attempt_at = NULL, last_error = NULL, "
                        + "last_error_at = NULL, updated_at = :now WHERE connection_id IS NOT NULL AND (subscription_status = 'NONE' "
                        + "OR (subscription_status = 'SUBSCRIBING' AND claimed_until < :now))",
                Map.of("now", SqlTime.offset(now)));
    }

    /**
     * v3, once the webhook no longer subscribes every vehicle by itself: the vehicles Smartcar had subscribed are the
     * bridge's to subscribe again (409 if Smartcar kept their subscription). Returns how many.
     */
    public int returnedToTheBridge(Instant now) {
        return jdbc.update(
                "UPDATE vehicle SET subscription_status = 'NONE', subscribed_by = NULL, next_attempt_at = NULL, "
                        + "updated_at = :now WHERE subscription_status = 'SUBSCRIBED' AND subscribed_by = 'SMARTCAR'",
                Map.of("now", SqlTime.offset(now)));
    }

    /** What {@link #markGone} did: every vehicle it marked, and those of them that need an unsubscribe. */
    public record Gone(List<String> marked, List<String> toUnsubscribe) {}

    /**
     * Marks GONE the user's vehicles missing from a complete listing, except those an operator unsubscribed. The ones
     * that were (or were being) subscribed need an unsubscribe.
     */
    public Gone markGone(String userId, List<String> listed, Instant now) {
        MapSqlParameterSource parameters = new MapSqlParameterSource()
                .addValue("userId", userId)
                .addValue("listed", listed)
                .addValue("now", SqlTime.offset(now));
        return markGone(
                jdbc.queryForList(
                        "SELECT vehicle_id, subscription_status, user_id AS guard FROM vehicle "
                                + "WHERE user_id = :userId AND subscription_status NOT IN ('GONE', 'UNSUBSCRIBED')"
                                + (listed.isEmpty() ? "" : " AND vehicle_id NOT IN (:listed)"),
                        parameters),
                "user_id",
                now);
    }

    /**
     * v3: marks GONE the vehicles of earlier listings of connections that a complete listing no longer has, except
     * those an operator unsubscribed. The ones that were (or were being) subscribed need an unsubscribe.
     */
    public Gone markDisconnected(Set<String> listed, Instant now) {
        List<Map<String, Object>> recorded = jdbc.queryForList(
                "SELECT vehicle_id, subscription_status, connection_id AS guard FROM vehicle "
                        + "WHERE connection_id IS NOT NULL AND subscription_status NOT IN ('GONE', 'UNSUBSCRIBED')",
                Map.of());
        return markGone(
                recorded.stream()
                        .filter(vehicle -> !listed.contains((String) vehicle.get("vehicle_id")))
                        .toList(),
                "connection_id",
                now);
    }

    /** Each vehicle GONE unless its status, or the column it was found missing by, changed since it was read. */
    private Gone markGone(List<Map<String, Object>> missing, String guardColumn, Instant now) {
        List<String> marked = new ArrayList<>();
        List<String> toUnsubscribe = new ArrayList<>();
        for (Map<String, Object> vehicle : missing) {
            String vehicleId = (String) vehicle.get("vehicle_id");
            String status = (String) vehicle.get("subscription_status");
            int updated = jdbc.update(
                    "UPDATE vehicle SET subscription_status = 'GONE', gone_at = :now, claimed_until = NULL, "
                            + "claimed_by = NULL, updated_at = :now WHERE vehicle_id = :vehicleId AND " + guardColumn
                            + " = :guard "
                            + "AND subscription_status = :status",
                    new MapSqlParameterSource()
                            .addValue("now", SqlTime.offset(now))
                            .addValue("vehicleId", vehicleId)
                            .addValue("guard", vehicle.get("guard"))
                            .addValue("status", status));
            if (updated == 1) {
                marked.add(vehicleId);
                if (SUBSCRIBED.equals(status) || SUBSCRIBING.equals(status)) {
                    toUnsubscribe.add(vehicleId);
                }
            }
        }
        return new Gone(marked, toUnsubscribe);
    }

    /** Takes the vehicle for this run: exactly one run across all instances gets it. */
    Optional<Claim> claim(String vehicleId, String claimedBy, Instant now, Instant until) {
        int claimed = jdbc.update(
                "UPDATE vehicle SET subscription_status = 'SUBSCRIBING', claimed_until = :until, "
                        + "claimed_by = :claimedBy, updated_at = :now WHERE vehicle_id = :vehicleId AND "
                        + SUBSCRIBABLE,
                new MapSqlParameterSource()
                        .addValue("vehicleId", vehicleId)
                        .addValue("claimedBy", claimedBy)
                        .addValue("now", SqlTime.offset(now))
                        .addValue("until", SqlTime.offset(until)));
        if (claimed == 0) {
            return Optional.empty();
        }
        return Optional.of(jdbc.queryForObject(
                "SELECT user_id, failure_count FROM vehicle WHERE vehicle_id = :vehicleId",
                Map.of("vehicleId", vehicleId),
                (rows, i) -> new Claim(vehicleId, rows.getString("user_id"), claimedBy, rows.getInt("failure_count"))));
    }

    public void enrich(Claim claim, Attributes attributes, Instant now) {
        jdbc.update(
                "UPDATE vehicle SET make = :make, model = :model, model_year = :modelYear, updated_at = :now "
                        + "WHERE vehicle_id = :vehicleId AND claimed_by = :claimedBy",
                claimParameters(claim, now)
                        .addValue("make", attributes.make())
                        .addValue("model", attributes.model())
                        .addValue("modelYear", attributes.year()));
    }

    /** @return false when the claim was lost meanwhile (it expired, or an operator unsubscribed the vehicle) */
    boolean subscribed(Claim claim, Instant now) {
        return jdbc.update(
                        "UPDATE vehicle SET subscription_status = 'SUBSCRIBED', subscribed_by = 'BRIDGE', subscribed_at = :now, "
                                + "claimed_until = NULL, claimed_by = NULL, failure_count = 0, next_attempt_at = NULL, last_error = NULL, last_error_at = NULL, "
                                + "updated_at = :now WHERE vehicle_id = :vehicleId AND claimed_by = :claimedBy "
                                + "AND subscription_status = 'SUBSCRIBING'",
                        claimParameters(claim, now))
                == 1;
    }

    /** Back to NONE until {@code nextAttemptAt}; {@code countsAsFailure} feeds the backoff of the next failure. */
    void retryLater(Claim claim, String error, Instant nextAttemptAt, boolean countsAsFailure, Instant now) {
        jdbc.update(
                "UPDATE vehicle SET subscription_status = 'NONE', claimed_until = NULL, claimed_by = NULL, "
                        + "next_attempt_at = :nextAttemptAt, last_error = :error, last_error_at = :now, updated_at = :now"
                        + (countsAsFailure ? ", failure_count = failure_count + 1" : "")
                        + " WHERE vehicle_id = :vehicleId AND claimed_by = :claimedBy AND subscription_status = 'SUBSCRIBING'",
                claimParameters(claim, now)
                        .addValue("error", Sql.errorText(error))
                        .addValue("nextAttemptAt", SqlTime.offset(nextAttemptAt)));
    }

    /** Smartcar refused for good (403, 430): FAILED with the reason, not tried again until the owner reconnects. */
    void refused(Claim claim, String error, Instant now) {
        jdbc.update(
                "UPDATE vehicle SET subscription_status = 'FAILED', claimed_until = NULL, claimed_by = NULL, "
                        + "last_error = :error, last_error_at = :now, updated_at = :now WHERE vehicle_id = :vehicleId "
                        + "AND claimed_by = :claimedBy AND subscription_status = 'SUBSCRIBING'",
                claimParameters(claim, now).addValue("error", Sql.errorText(error)));
    }

    /** An error that changes nothing else, such as a failed unsubscribe. */
    void recordError(String vehicleId, String error, Instant now) {
        jdbc.update(
                "UPDATE vehicle SET last_error = :error, last_error_at = :now, updated_at = :now WHERE vehicle_id = :vehicleId",
                new MapSqlParameterSource()
                        .addValue("vehicleId", vehicleId)
                        .addValue("error", Sql.errorText(error))
                        .addValue("now", SqlTime.offset(now)));
    }

    /**
     * An operator's unsubscribe: the sync leaves the vehicle alone from now on.
     *
     * @param seenStatus the status the operator's call saw; false when the vehicle changed meanwhile
     */
    boolean unsubscribed(String vehicleId, String seenStatus, Instant now) {
        return jdbc.update(
                        "UPDATE vehicle SET subscription_status = 'UNSUBSCRIBED', next_attempt_at = NULL, last_error = NULL, "
                                + "last_error_at = NULL, updated_at = :now WHERE vehicle_id = :vehicleId AND subscription_status = :seenStatus",
                        new MapSqlParameterSource()
                                .addValue("vehicleId", vehicleId)
                                .addValue("seenStatus", seenStatus)
                                .addValue("now", SqlTime.offset(now)))
                == 1;
    }

    Optional<Map<String, Object>> find(String vehicleId) {
        return jdbc
                .query(
                        "SELECT * FROM vehicle WHERE vehicle_id = :vehicleId",
                        Map.of("vehicleId", vehicleId),
                        ADMIN_VIEW)
                .stream()
                .findFirst();
    }

    /** For the admin API, by vehicle id. */
    List<Map<String, Object>> list(Optional<String> status, Optional<String> userId, int limit) {
        List<String> conditions = new ArrayList<>();
        status.ifPresent(s -> conditions.add("subscription_status = :status"));
        userId.ifPresent(u -> conditions.add("user_id = :userId"));
        return jdbc.query(
                "SELECT * FROM vehicle" + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions))
                        + " ORDER BY vehicle_id FETCH FIRST :limit ROWS ONLY",
                new MapSqlParameterSource()
                        .addValue("status", status.orElse(null))
                        .addValue("userId", userId.orElse(null))
                        .addValue("limit", limit),
                ADMIN_VIEW);
    }

    /**
     * Adds to each listed vehicle when its last event was received ({@code lastEventAt}, null when none is kept), so
     * that an operator sees the vehicles that stopped reporting. One index seek per vehicle (vehicle, received at).
     */
    List<Map<String, Object>> withLastEvent(List<Map<String, Object>> vehicles) {
        if (vehicles.isEmpty()) {
            return vehicles;
        }
        Map<String, Instant> lastEvents = new HashMap<>();
        jdbc.query(
                "SELECT vehicle_id, MAX(received_at) AS last_event_at FROM webhook_event WHERE vehicle_id IN (:ids) GROUP BY vehicle_id",
                Map.of(
                        "ids",
                        vehicles.stream()
                                .map(vehicle -> vehicle.get("vehicleId"))
                                .toList()),
                rows -> {
                    lastEvents.put(rows.getString("vehicle_id"), SqlTime.get(rows, "last_event_at"));
                });
        vehicles.forEach(vehicle -> vehicle.put("lastEventAt", lastEvents.get((String) vehicle.get("vehicleId"))));
        return vehicles;
    }

    private static MapSqlParameterSource claimParameters(Claim claim, Instant now) {
        return new MapSqlParameterSource()
                .addValue("vehicleId", claim.vehicleId())
                .addValue("claimedBy", claim.claimedBy())
                .addValue("now", SqlTime.offset(now));
    }

    private static final RowMapper<Map<String, Object>> ADMIN_VIEW = (rows, i) -> {
        Map<String, Object> vehicle = new LinkedHashMap<>();
        vehicle.put("vehicleId", rows.getString("vehicle_id"));
        vehicle.put("userId", rows.getString("user_id"));
        vehicle.put("make", rows.getString("make"));
        vehicle.put("model", rows.getString("model"));
        vehicle.put("year", rows.getObject("model_year", Integer.class));
        vehicle.put("subscriptionStatus", rows.getString("subscription_status"));
        vehicle.put("subscribedAt", SqlTime.get(rows, "subscribed_at"));
        vehicle.put("subscribedBy", rows.getString("subscribed_by"));
        vehicle.put("connectionId", rows.getString("connection_id"));
        vehicle.put("subscriptionConfirmedAt", SqlTime.get(rows, "subscription_confirmed_at"));
        vehicle.put("failureCount", rows.getInt("failure_count"));
        vehicle.put("nextAttemptAt", SqlTime.get(rows, "next_attempt_at"));
        vehicle.put("lastError", rows.getString("last_error"));
        vehicle.put("lastErrorAt", SqlTime.get(rows, "last_error_at"));
        vehicle.put("goneAt", SqlTime.get(rows, "gone_at"));
        vehicle.put("updatedAt", SqlTime.get(rows, "updated_at"));
        return vehicle;
    };
}
