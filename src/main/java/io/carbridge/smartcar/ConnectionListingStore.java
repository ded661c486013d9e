package io.carbridge.smartcar;

import io.carbridge.storage.SqlTime;
import java.sql.Types;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * The {@code connection_listing} table: the v3 sync's listing of every connection of the application, claimed by one
 * run at a time across instances (as a v2.0 connection is), with its backoff after a failure and what it last found.
 */
public final class ConnectionListingStore {

    private static final String SCOPE = "connections";
    /** Due and free; not listed since the run began, so that of two overlapping runs only one lists. */
    private static final String CLAIMABLE = "scope = :scope AND (next_sync_at IS NULL OR next_sync_at <= :now)"
            + " AND (claimed_until IS NULL OR claimed_until < :now) AND (last_synced_at IS NULL OR last_synced_at < :runStartedAt)";

    private final NamedParameterJdbcTemplate jdbc;

    public ConnectionListingStore(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The listing, held by one run; its failure count sets the next backoff. */
    public record Claim(String claimedBy, int failureCount) {}

    /**
     * Takes the listing for this run; empty when another run holds it, it waits for a backoff, or it was listed since
     * the run began.
     */
    public Optional<Claim> claim(String claimedBy, Instant runStartedAt, Instant now, Instant until) {
        MapSqlParameterSource parameters = parameters(claimedBy, now)
                .addValue("runStartedAt", SqlTime.offset(runStartedAt))
                .addValue("until", SqlTime.offset(until));
        if (jdbc.update(
                        "UPDATE connection_listing SET claimed_until = :until, claimed_by = :claimedBy, updated_at = :now WHERE "
                                + CLAIMABLE,
                        parameters)
                == 0) {
            return Optional.empty();
        }
        Integer failures = jdbc.queryForObject(
                "SELECT failure_count FROM connection_listing WHERE scope = :scope", parameters, Integer.class);
        return Optional.of(new Claim(claimedBy, failures == null ? 0 : failures));
    }

    /**
     * The run listed the connections and handled their vehicles: claim released, failures forgotten. {@code problem}
     * says why the listing was incomplete, if it was (no backoff: its readable part was handled).
     */
    public void synced(Claim claim, int connections, boolean autoSubscribe, String problem, Instant now) {
        jdbc.update(
                "UPDATE connection_listing SET claimed_until = NULL, claimed_by = NULL, failure_count = 0, next_sync_at = NULL, "
                        + "last_error = :error, last_error_at = :errorAt, last_synced_at = :now, listed_connections = :connections, "
                        + "webhook_auto_subscribe = :autoSubscribe, updated_at = :now WHERE scope = :scope AND claimed_by = :claimedBy",
                parameters(claim.claimedBy(), now)
                        .addValue("connections", connections)
                        .addValue("autoSubscribe", autoSubscribe)
                        .addValue("error", Sql.errorText(problem), Types.VARCHAR)
                        .addValue(
                                "errorAt",
                                problem == null ? null : SqlTime.offset(now),
                                Types.TIMESTAMP_WITH_TIMEZONE));
    }

    /**
     * The listing failed: claim released, error recorded. With {@code nextSyncAt} it counts as a failure and waits
     * until then; without (a rate limit, which pauses every call) it does not count.
     */
    public void failed(Claim claim, String error, Instant nextSyncAt, Instant now) {
        jdbc.update(
                "UPDATE connection_listing SET claimed_until = NULL, claimed_by = NULL, last_error = :error, last_error_at = :now, "
                        + "updated_at = :now"
                        + (nextSyncAt == null ? "" : ", failure_count = failure_count + 1, next_sync_at = :nextSyncAt")
                        + " WHERE scope = :scope AND claimed_by = :claimedBy",
                parameters(claim.claimedBy(), now)
                        .addValue("error", Sql.errorText(error))
                        .addValue("nextSyncAt", SqlTime.offset(nextSyncAt)));
    }

    /** For the admin API. */
    public Map<String, Object> view() {
        return jdbc.queryForObject(
                "SELECT * FROM connection_listing WHERE scope = :scope", Map.of("scope", SCOPE), (rows, i) -> {
                    Map<String, Object> listing = new LinkedHashMap<>();
                    listing.put("lastSyncedAt", SqlTime.get(rows, "last_synced_at"));
                    listing.put("listedConnections", rows.getObject("listed_connections", Integer.class));
                    listing.put(
                            "webhookSubscribesEveryVehicle", rows.getObject("webhook_auto_subscribe", Boolean.class));
                    listing.put("failureCount", rows.getInt("failure_count"));
                    listing.put("nextSyncAt", SqlTime.get(rows, "next_sync_at"));
                    listing.put("lastError", rows.getString("last_error"));
                    listing.put("lastErrorAt", SqlTime.get(rows, "last_error_at"));
                    listing.put("claimedBy", rows.getString("claimed_by"));
                    listing.put("claimedUntil", SqlTime.get(rows, "claimed_until"));
                    return listing;
                });
    }

    private static MapSqlParameterSource parameters(String claimedBy, Instant now) {
        return new MapSqlParameterSource()
                .addValue("scope", SCOPE)
                .addValue("claimedBy", claimedBy)
                .addValue("now", SqlTime.offset(now));
    }
}
