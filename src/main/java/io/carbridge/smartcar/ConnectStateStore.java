package io.carbridge.smartcar;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import io.carbridge.storage.SqlTime;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * The {@code connect_state} table: the state parameter of each Connect redirect, with the customer reference it
 * carries. A state is consumed by one conditional UPDATE, so it works once, on one instance, before it expires.
 */
final class ConnectStateStore {

    private final NamedParameterJdbcTemplate jdbc;

    ConnectStateStore(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** What a valid state carried from {@code /connect/start} to the callback. */
    record ConnectState(String customerReference, String mode) {
    }

    /** Stores a new state; states that expired are deleted on the way, so the table stays small. */
    void save(String state, String customerReference, String mode, Instant now, Instant expiresAt) {
        jdbc.update("DELETE FROM connect_state WHERE expires_at < :now", Map.of("now", SqlTime.offset(now)));
        jdbc.update("INSERT INTO connect_state (state, customer_reference, mode, created_at, expires_at) "
                + "VALUES (:state, :reference, :mode, :now, :expiresAt)", new MapSqlParameterSource()
                .addValue("state", state).addValue("reference", customerReference).addValue("mode", mode)
                .addValue("now", SqlTime.offset(now)).addValue("expiresAt", SqlTime.offset(expiresAt)));
    }

    /** Uses the state up; empty when it is unknown, expired or was used already. */
    Optional<ConnectState> consume(String state, Instant now) {
        Map<String, Object> parameters = Map.of("state", state, "now", SqlTime.offset(now));
        if (jdbc.update("UPDATE connect_state SET used_at = :now WHERE state = :state AND used_at IS NULL AND expires_at > :now",
                parameters) == 0) {
            return Optional.empty();
        }
        return Optional.of(jdbc.queryForObject("SELECT customer_reference, mode FROM connect_state WHERE state = :state",
                parameters, (rows, i) -> new ConnectState(rows.getString("customer_reference"), rows.getString("mode"))));
    }
}
