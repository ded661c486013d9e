package io.carbridge.smartcar;

import io.carbridge.storage.SqlTime;
import java.sql.Types;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The {@code smartcar_connection} table: connections made through Connect, their sealed tokens, and the claim that lets
 * one instance at a time sync (and so refresh) a connection. Every write that depends on a claim or on the current
 * tokens says so in its WHERE clause, so instances never overwrite each other's newer state.
 */
public final class ConnectionStore {

    public static final String ACTIVE = "ACTIVE";
    public static final String NEEDS_REAUTHORIZATION = "NEEDS_REAUTHORIZATION";

    /** Due and free; not synced since the run began, so that of two overlapping runs only one lists it. */
    private static final String CLAIMABLE = "status = 'ACTIVE' AND refresh_token_enc IS NOT NULL"
            + " AND (next_sync_at IS NULL OR next_sync_at <= :now) AND (claimed_until IS NULL OR claimed_until < :now)"
            + " AND (last_synced_at IS NULL OR last_synced_at < :runStartedAt)";

    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate transactions;

    public ConnectionStore(NamedParameterJdbcTemplate jdbc, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    /** A connection as the sync reads it; the tokens are still sealed. */
    public record Connection(String userId, String customerReference, SealedTokens tokens, int failureCount) {}

    /**
     * Stores what a Connect callback got: a new connection, or new tokens and reference for a user who connected before
     * (active again, errors cleared). The user's vehicles that Smartcar refused (403, 430) are tried again, since the
     * new authorisation may carry what was missing.
     *
     * @param tokens the owner's tokens (v2.0); null with v3, which has none
     */
    void saveConnected(String userId, String customerReference, String mode, SealedTokens tokens, Instant now) {
        MapSqlParameterSource row = new MapSqlParameterSource()
                .addValue("userId", userId)
                .addValue("reference", customerReference)
                .addValue("mode", mode)
                .addValue("access", tokens == null ? null : tokens.accessToken(), Types.VARCHAR)
                .addValue("refresh", tokens == null ? null : tokens.refreshToken(), Types.VARCHAR)
                .addValue(
                        "accessExpiresAt",
                        tokens == null ? null : SqlTime.offset(tokens.accessExpiresAt()),
                        Types.TIMESTAMP_WITH_TIMEZONE)
                .addValue(
                        "refreshExpiresAt",
                        tokens == null ? null : SqlTime.offset(tokens.refreshExpiresAt()),
                        Types.TIMESTAMP_WITH_TIMEZONE)
                .addValue("now", SqlTime.offset(now));
        transactions.executeWithoutResult(status -> {
            if (!updateConnected(row)) {
                try {
                    jdbc.update(
                            "INSERT INTO smartcar_connection (user_id, customer_reference, mode, access_token_enc, "
                                    + "refresh_token_enc, access_expires_at, refresh_expires_at, status, failure_count, created_at, "
                                    + "updated_at) VALUES (:userId, :reference, :mode, :access, :refresh, :accessExpiresAt, "
                                    + ":refreshExpiresAt, 'ACTIVE', 0, :now, :now)",
                            row);
                } catch (DataAccessException e) {
                    // the same user finished Connect twice at once: the other callback inserted first
                    if (!Sql.isUniqueViolation(e) || !updateConnected(row)) {
                        throw e;
                    }
                }
            }
            jdbc.update(
                    "UPDATE vehicle SET subscription_status = 'NONE', failure_count = 0, next_attempt_at = NULL, "
                            + "updated_at = :now WHERE user_id = :userId AND subscription_status = 'FAILED'",
                    row);
        });
    }

    private boolean updateConnected(MapSqlParameterSource row) {
        return jdbc.update(
                        "UPDATE smartcar_connection SET customer_reference = :reference, mode = :mode, "
                                + "access_token_enc = :access, refresh_token_enc = :refresh, access_expires_at = :accessExpiresAt, "
                                + "refresh_expires_at = :refreshExpiresAt, status = 'ACTIVE', status_reason = NULL, failure_count = 0, "
                                + "next_sync_at = NULL, last_error = NULL, last_error_at = NULL, updated_at = :now WHERE user_id = :userId",
                        row)
                == 1;
    }

    /** The active connections due for a sync that nobody holds now. */
    public List<String> due(Instant now) {
        return jdbc.queryForList(
                "SELECT user_id FROM smartcar_connection WHERE " + CLAIMABLE + " ORDER BY user_id",
                Map.of("now", SqlTime.offset(now), "runStartedAt", SqlTime.offset(now)),
                String.class);
    }

    /** Takes the connection for this run; empty when another run holds it, or listed it since this run began. */
    public Optional<Connection> claim(
            String userId, String claimedBy, Instant runStartedAt, Instant now, Instant until) {
        int claimed = jdbc.update(
                "UPDATE smartcar_connection SET claimed_until = :until, claimed_by = :claimedBy "
                        + "WHERE user_id = :userId AND " + CLAIMABLE,
                new MapSqlParameterSource()
                        .addValue("userId", userId)
                        .addValue("claimedBy", claimedBy)
                        .addValue("runStartedAt", SqlTime.offset(runStartedAt))
                        .addValue("now", SqlTime.offset(now))
                        .addValue("until", SqlTime.offset(until)));
        return claimed == 1 ? find(userId) : Optional.empty();
    }

    public Optional<Connection> find(String userId) {
        return jdbc
                .query(
                        "SELECT user_id, customer_reference, access_token_enc, refresh_token_enc, access_expires_at, "
                                + "refresh_expires_at, failure_count FROM smartcar_connection WHERE user_id = :userId",
                        Map.of("userId", userId),
                        (rows, i) -> new Connection(
                                rows.getString("user_id"),
                                rows.getString("customer_reference"),
                                new SealedTokens(
                                        rows.getString("access_token_enc"),
                                        rows.getString("refresh_token_enc"),
                                        SqlTime.get(rows, "access_expires_at"),
                                        SqlTime.get(rows, "refresh_expires_at")),
                                rows.getInt("failure_count")))
                .stream()
                .findFirst();
    }

    /**
     * Stores a refreshed pair in place of the one it was refreshed from, in one statement. False when the stored
     * refresh token is no longer that one (a reconnect or another instance got there first): theirs stays.
     */
    public boolean replaceTokens(String userId, String refreshedFrom, SealedTokens tokens, Instant now) {
        return jdbc.update(
                        "UPDATE smartcar_connection SET access_token_enc = :access, refresh_token_enc = :refresh, "
                                + "access_expires_at = :accessExpiresAt, refresh_expires_at = :refreshExpiresAt, updated_at = :now "
                                + "WHERE user_id = :userId AND refresh_token_enc = :refreshedFrom",
                        new MapSqlParameterSource()
                                .addValue("userId", userId)
                                .addValue("refreshedFrom", refreshedFrom)
                                .addValue("access", tokens.accessToken())
                                .addValue("refresh", tokens.refreshToken())
                                .addValue("accessExpiresAt", SqlTime.offset(tokens.accessExpiresAt()))
                                .addValue("refreshExpiresAt", SqlTime.offset(tokens.refreshExpiresAt()))
                                .addValue("now", SqlTime.offset(now)))
                == 1;
    }

    /** Smartcar refused the refresh token: nothing works for this connection until its owner connects again. */
    public void needsReauthorization(String userId, String refreshedFrom, String reason, Instant now) {
        jdbc.update(
                "UPDATE smartcar_connection SET status = 'NEEDS_REAUTHORIZATION', status_reason = :reason, "
                        + "updated_at = :now WHERE user_id = :userId AND refresh_token_enc = :refreshedFrom",
                new MapSqlParameterSource()
                        .addValue("userId", userId)
                        .addValue("refreshedFrom", refreshedFrom)
                        .addValue("reason", Sql.errorText(reason))
                        .addValue("now", SqlTime.offset(now)));
    }

    /** The run listed the connection: claim released, failures forgotten. */
    public void synced(String userId, String claimedBy, Instant now) {
        jdbc.update(
                "UPDATE smartcar_connection SET claimed_until = NULL, claimed_by = NULL, failure_count = 0, "
                        + "next_sync_at = NULL, last_error = NULL, last_error_at = NULL, last_synced_at = :now, updated_at = :now "
                        + "WHERE user_id = :userId AND claimed_by = :claimedBy",
                new MapSqlParameterSource()
                        .addValue("userId", userId)
                        .addValue("claimedBy", claimedBy)
                        .addValue("now", SqlTime.offset(now)));
    }

    /**
     * The run failed on this connection: claim released, error recorded. With {@code nextSyncAt} it counts as a failure
     * and waits until then; without (a rate limit, which pauses every connection) it does not count.
     */
    public void failed(String userId, String claimedBy, String error, Instant nextSyncAt, Instant now) {
        jdbc.update(
                "UPDATE smartcar_connection SET claimed_until = NULL, claimed_by = NULL, last_error = :error, "
                        + "last_error_at = :now, updated_at = :now"
                        + (nextSyncAt == null ? "" : ", failure_count = failure_count + 1, next_sync_at = :nextSyncAt")
                        + " WHERE user_id = :userId AND claimed_by = :claimedBy",
                new MapSqlParameterSource()
                        .addValue("userId", userId)
                        .addValue("claimedBy", claimedBy)
                        .addValue("error", Sql.errorText(error))
                        .addValue("nextSyncAt", SqlTime.offset(nextSyncAt))
                        .addValue("now", SqlTime.offset(now)));
    }

    int countNeedingReauthorization() {
        Integer count = jdbc.queryForObject(
                "SELECT COUNT(*) FROM smartcar_connection WHERE status = 'NEEDS_REAUTHORIZATION'",
                Map.of(),
                Integer.class);
        return count == null ? 0 : count;
    }

    /** For the admin API: every column but the tokens, by user id. */
    List<Map<String, Object>> list(Optional<String> status, int limit) {
        return jdbc.query(
                "SELECT c.*, (SELECT COUNT(*) FROM vehicle v WHERE v.user_id = c.user_id) AS vehicles "
                        + "FROM smartcar_connection c" + (status.isPresent() ? " WHERE c.status = :status" : "")
                        + " ORDER BY c.user_id FETCH FIRST :limit ROWS ONLY",
                new MapSqlParameterSource()
                        .addValue("status", status.orElse(null))
                        .addValue("limit", limit),
                ADMIN_VIEW);
    }

    private static final RowMapper<Map<String, Object>> ADMIN_VIEW = (rows, i) -> {
        Map<String, Object> connection = new LinkedHashMap<>();
        connection.put("userId", rows.getString("user_id"));
        connection.put("customerReference", rows.getString("customer_reference"));
        connection.put("mode", rows.getString("mode"));
        connection.put("status", rows.getString("status"));
        connection.put("statusReason", rows.getString("status_reason"));
        connection.put("vehicles", rows.getInt("vehicles"));
        connection.put("accessExpiresAt", SqlTime.get(rows, "access_expires_at"));
        connection.put("refreshExpiresAt", SqlTime.get(rows, "refresh_expires_at"));
        connection.put("lastSyncedAt", SqlTime.get(rows, "last_synced_at"));
        connection.put("failureCount", rows.getInt("failure_count"));
        connection.put("nextSyncAt", SqlTime.get(rows, "next_sync_at"));
        connection.put("lastError", rows.getString("last_error"));
        connection.put("lastErrorAt", SqlTime.get(rows, "last_error_at"));
        connection.put("claimedBy", rows.getString("claimed_by"));
        connection.put("claimedUntil", SqlTime.get(rows, "claimed_until"));
        connection.put("createdAt", SqlTime.get(rows, "created_at"));
        connection.put("updatedAt", SqlTime.get(rows, "updated_at"));
        return connection;
    };
}
