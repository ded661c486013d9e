package io.carbridge.smartcar;

import io.carbridge.storage.SqlTime;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * Smartcar's 429 {@code retry-after}, kept in the database so that every instance honours it: no sync run calls
 * Smartcar before it has passed. A later 429 can only lengthen the pause.
 */
final class RateLimitPause {

    private static final String SCOPE = "smartcar-api";

    private final NamedParameterJdbcTemplate jdbc;

    RateLimitPause(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The end of the pause, when one is running at {@code now}. */
    Optional<Instant> pausedUntil(Instant now) {
        return jdbc
                .query(
                        "SELECT paused_until FROM smartcar_rate_limit WHERE scope = :scope AND paused_until > :now",
                        Map.of("scope", SCOPE, "now", SqlTime.offset(now)),
                        (rows, i) -> SqlTime.get(rows, "paused_until"))
                .stream()
                .findFirst();
    }

    void pauseUntil(Instant until, String reason) {
        MapSqlParameterSource row = new MapSqlParameterSource()
                .addValue("scope", SCOPE)
                .addValue("until", SqlTime.offset(until))
                .addValue("reason", Sql.errorText(reason));
        // a unique-key violation: another instance recorded a pause at the same moment; the longer one is kept
        Sql.upsert(
                jdbc,
                row,
                this::extend,
                "INSERT INTO smartcar_rate_limit (scope, paused_until, reason) VALUES (:scope, :until, :reason)");
    }

    private int extend(MapSqlParameterSource row) {
        // matches the row even when the stored pause is longer, so that a present row is never inserted twice
        return jdbc.update(
                "UPDATE smartcar_rate_limit SET reason = CASE WHEN paused_until < :until THEN :reason ELSE reason END, "
                        + "paused_until = CASE WHEN paused_until < :until THEN :until ELSE paused_until END WHERE scope = :scope",
                row);
    }
}
