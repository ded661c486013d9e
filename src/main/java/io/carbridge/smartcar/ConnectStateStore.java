package io.carbridge.smartcar;

import io.carbridge.storage.SqlTime;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * The {@code connect_state} table: the state parameter of each Connect redirect, with the customer reference it
 * carries. A state is consumed by one conditional UPDATE, so it works once, on one instance, before it expires.
 */
final class ConnectStateStore {

    private final NamedParameterJdbcTemplate jdbc;
    private final int maxLiveStates;

    /**
     * @param maxLiveStates the most states that may exist before they expire ({@code bridge.connect.max-open-states}):
     *     each anonymous {@code /connect/start} writes one, kept for the state lifetime
     */
    ConnectStateStore(NamedParameterJdbcTemplate jdbc, int maxLiveStates) {
        this.jdbc = jdbc;
        this.maxLiveStates = maxLiveStates;
    }

    /** What a valid state carried from {@code /connect/start} to the callback. */
    record ConnectState(String customerReference, String mode) {}

    /**
     * Stores a new state; states that expired are deleted on the way, so the table stays small. Returns false, storing
     * nothing, while {@code maxLiveStates} states have not expired yet, used or not (a used one is kept until it
     * expires).
     */
    boolean save(String state, String customerReference, String mode, Instant now, Instant expiresAt) {
        Map<String, Object> at = Map.of("now", SqlTime.offset(now));
        jdbc.update("DELETE FROM connect_state WHERE expires_at < :now", at);
        Integer live =
                jdbc.queryForObject("SELECT COUNT(*) FROM connect_state WHERE expires_at >= :now", at, Integer.class);
        if (live != null && live >= maxLiveStates) {
            return false;
        }
        jdbc.update(
                "INSERT INTO connect_state (state, customer_reference, mode, created_at, expires_at) "
                        + "VALUES (:state, :reference, :mode, :now, :expiresAt)",
                new MapSqlParameterSource()
                        .addValue("state", state)
                        .addValue("reference", customerReference)
                        .addValue("mode", mode)
                        .addValue("now", SqlTime.offset(now))
                        .addValue("expiresAt", SqlTime.offset(expiresAt)));
        return true;
    }

    /** Uses the state up; empty when it is unknown, expired or was used already. */
    Optional<ConnectState> consume(String state, Instant now) {
        Map<String, Object> parameters = Map.of("state", state, "now", SqlTime.offset(now));
        if (jdbc.update(
                        "UPDATE connect_state SET used_at = :now WHERE state = :state AND used_at IS NULL AND expires_at > :now",
                        parameters)
                == 0) {
            return Optional.empty();
        }
        return Optional.of(jdbc.queryForObject(
                "SELECT customer_reference, mode FROM connect_state WHERE state = :state",
                parameters,
                (rows, i) -> new ConnectState(rows.getString("customer_reference"), rows.getString("mode"))));
    }
}
