package io.carbridge.smartcar;

import io.carbridge.storage.SqlTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * The {@code vehicle_reconciliation} row: the claim that lets one run at a time reconcile, across the instances (a run
 * keeps its claim alive as it goes; a claim left by an instance that died expires), and the progress and outcome of the
 * last run, which the admin API and the console show. Also the bridge's heartbeat ({@code bridge_heartbeat}): when each
 * instance last said it was running.
 */
final class ReconciliationStore {

    private static final String SCOPE = "signals";

    private final NamedParameterJdbcTemplate jdbc;

    ReconciliationStore(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * A subscribed vehicle to reconcile: its user (the {@code sc-user-id} of the call) and what the bridge knows of it.
     */
    record Vehicle(String vehicleId, String userId, String make, String model, Integer year) {}

    /** Takes the reconciliation for this run, unless another run holds it; the last run's figures start again. */
    boolean claim(ReconciliationRun run, Instant now, Instant until) {
        return jdbc.update(
                        "UPDATE vehicle_reconciliation SET claimed_by = :by, claimed_until = :until, run_trigger = :trigger, "
                                + "down_since = :downSince, started_at = :now, finished_at = NULL, vehicles_total = NULL, vehicles_read = 0, "
                                + "signals_newer = 0, events_stored = 0, failures = 0, last_error = NULL, updated_at = :now "
                                + "WHERE scope = :scope AND (claimed_until IS NULL OR claimed_until < :now)",
                        new MapSqlParameterSource()
                                .addValue("by", run.claimedBy())
                                .addValue("until", SqlTime.offset(until))
                                .addValue(
                                        "trigger",
                                        run.request().trigger().name().toLowerCase())
                                .addValue(
                                        "downSince",
                                        SqlTime.offset(run.request().downSince()))
                                .addValue("now", SqlTime.offset(now))
                                .addValue("scope", SCOPE))
                == 1;
    }

    /** The run's figures so far, and its claim kept until {@code until}. */
    void progress(ReconciliationRun run, Instant now, Instant until) {
        jdbc.update(
                "UPDATE vehicle_reconciliation SET claimed_until = :until, " + FIGURES
                        + " WHERE scope = :scope AND claimed_by = :by",
                figures(run, now).addValue("until", SqlTime.offset(until)));
    }

    /** The run is over: its figures, and the claim released. */
    void finish(ReconciliationRun run, Instant now) {
        jdbc.update(
                "UPDATE vehicle_reconciliation SET claimed_by = NULL, claimed_until = NULL, finished_at = :now, "
                        + FIGURES + " WHERE scope = :scope AND claimed_by = :by",
                figures(run, now));
    }

    private static final String FIGURES =
            "vehicles_total = :total, vehicles_read = :read, signals_newer = :newer, events_stored = :stored, "
                    + "failures = :failures, last_error = :lastError, updated_at = :now";

    private static MapSqlParameterSource figures(ReconciliationRun run, Instant now) {
        return new MapSqlParameterSource()
                .addValue("scope", SCOPE)
                .addValue("by", run.claimedBy())
                .addValue("total", run.vehiclesTotal())
                .addValue("read", run.vehiclesRead())
                .addValue("newer", run.signalsNewer())
                .addValue("stored", run.eventsStored())
                .addValue("failures", run.failures())
                .addValue("lastError", Sql.errorText(run.lastError()))
                .addValue("now", SqlTime.offset(now));
    }

    /** The subscribed vehicles with a user, in a stable order. */
    List<Vehicle> subscribedVehicles() {
        return jdbc.query(
                "SELECT vehicle_id, user_id, make, model, model_year FROM vehicle WHERE subscription_status = 'SUBSCRIBED' "
                        + "AND user_id IS NOT NULL ORDER BY vehicle_id",
                Map.of(),
                (rows, i) -> new Vehicle(
                        rows.getString("vehicle_id"),
                        rows.getString("user_id"),
                        rows.getString("make"),
                        rows.getString("model"),
                        (Integer) rows.getObject("model_year")));
    }

    /** The mode of the vehicle's newest event ({@code live}, {@code test}, {@code simulated}), or null. */
    String lastMode(String vehicleId) {
        return jdbc.query(
                "SELECT mode FROM webhook_event WHERE vehicle_id = :vehicleId AND recognised = TRUE AND mode IS NOT NULL "
                        + "ORDER BY received_at DESC LIMIT 1",
                Map.of("vehicleId", vehicleId),
                rows -> rows.next() ? rows.getString(1) : null);
    }

    /** The last run (or the one running), for the admin API. */
    Map<String, Object> view(Instant now) {
        return jdbc.query("SELECT * FROM vehicle_reconciliation WHERE scope = :scope", Map.of("scope", SCOPE), rows -> {
            Map<String, Object> view = new LinkedHashMap<>();
            if (!rows.next()) {
                return view;
            }
            Instant claimedUntil = SqlTime.get(rows, "claimed_until");
            view.put(
                    "running",
                    rows.getString("claimed_by") != null && claimedUntil != null && claimedUntil.isAfter(now));
            view.put("runBy", rows.getString("claimed_by"));
            view.put("trigger", rows.getString("run_trigger"));
            view.put("downSince", text(SqlTime.get(rows, "down_since")));
            view.put("startedAt", text(SqlTime.get(rows, "started_at")));
            view.put("finishedAt", text(SqlTime.get(rows, "finished_at")));
            view.put("vehiclesTotal", rows.getObject("vehicles_total"));
            view.put("vehiclesRead", rows.getObject("vehicles_read"));
            view.put("signalsNewer", rows.getObject("signals_newer"));
            view.put("eventsStored", rows.getObject("events_stored"));
            view.put("failures", rows.getObject("failures"));
            view.put("lastError", rows.getString("last_error"));
            return view;
        });
    }

    // --- heartbeat ---------------------------------------------------------------------------------------------------

    /** When any instance last said it was running, or null when none ever did. */
    Instant lastHeartbeat() {
        return jdbc.query(
                "SELECT MAX(beat_at) AS beat_at FROM bridge_heartbeat",
                Map.of(),
                rows -> rows.next() ? SqlTime.get(rows, "beat_at") : null);
    }

    void beat(String instance, Instant now) {
        MapSqlParameterSource row =
                new MapSqlParameterSource().addValue("instance", instance).addValue("now", SqlTime.offset(now));
        Sql.upsert(
                jdbc,
                row,
                r -> jdbc.update("UPDATE bridge_heartbeat SET beat_at = :now WHERE instance_id = :instance", r),
                "INSERT INTO bridge_heartbeat (instance_id, beat_at) VALUES (:instance, :now)");
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
