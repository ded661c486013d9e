package io.carbridge.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import io.carbridge.storage.CanonicalEvent;
import io.carbridge.storage.SqlTime;
import io.carbridge.storage.Storage;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * The delivery rows of the outbox: claiming what is due, recording what each attempt did, releasing claims of a dead
 * instance, pausing and resuming destinations, replaying and purging for the admin API. Every state change is a
 * conditional update, so several instances can share one database: a delivery is claimed by one of them at a time,
 * and its claim expires if that instance dies.
 */
public final class Outbox {

    /** What a claim reads of each delivery: its row, its event, and what the bridge knows of its vehicle. */
    private static final String DELIVERY_COLUMNS = """
            SELECT d.id, d.event_id, d.ordering_key, d.attempts, d.replay, d.received_at AS queued_at, e.received_at,
                   e.event_type, e.recognised, e.vehicle_id, e.event_time, e.mode, e.webhook_id, e.envelope_version, e.raw_body,
                   e.trace_parent, v.make, v.model, v.model_year, c.customer_reference
              FROM delivery d JOIN webhook_event e ON e.event_id = d.event_id
                   LEFT JOIN vehicle v ON v.vehicle_id = e.vehicle_id
                   LEFT JOIN smartcar_connection c ON c.user_id = v.user_id
            """;
    /**
     * Due deliveries of one destination, at most one per ordering key: a delivery is claimable only when no earlier
     * delivery of its vehicle is still open (pending or in flight), which is what keeps one vehicle's events in order.
     * There is no ORDER BY on purpose: the database reads the due deliveries in the order of the index it drives from,
     * and asking for the earliest due first made a claim read and sort the backlog (on PostgreSQL, 34 ms a claim with
     * 20,000 pending, against 1.5 ms without). A paused destination has nothing due, in the same statement: a consumer that checked
     * the pause a moment before it was stored (by a 410 answered meanwhile, or an operator) claims nothing once it is (a
     * primary key seek). The earlier-open test follows, written for each database's index.
     */
    /** The first key of the claims' advisory locks (PostgreSQL's two-key space, apart from single-key locks such as Flyway's). */
    private static final int CLAIM_LOCK_SPACE = 0x0b0c;
    private static final String DUE = """
            d.destination = ? AND d.status = 'PENDING' AND d.next_attempt_at <= ?
               AND NOT EXISTS (SELECT 1 FROM destination_state s WHERE s.destination = d.destination AND s.paused = TRUE)""";
    /** H2: one seek per status on (destination, ordering key, status, id). */
    private static final String FIRST_OPEN_OF_ITS_VEHICLE_H2 = """
            AND NOT EXISTS (SELECT 1 FROM delivery p WHERE p.destination = d.destination
                                  AND p.ordering_key = d.ordering_key AND p.status = 'PENDING' AND p.id < d.id)
               AND NOT EXISTS (SELECT 1 FROM delivery p WHERE p.destination = d.destination
                                  AND p.ordering_key = d.ordering_key AND p.status = 'IN_FLIGHT' AND p.id < d.id)""";
    /**
     * PostgreSQL: the first entry of the vehicle in the partial index of open deliveries (V8), whose predicate both
     * subqueries repeat (without it the second read the vehicle's rows a few times slower), and none of the vehicle's
     * deliveries in flight. Each is written as "the first in id order" rather than
     * "none exists" on purpose: before the table had statistics, PostgreSQL answered a NOT EXISTS by reading every
     * pending delivery of the destination for each candidate (97 ms a claim with 20,000 pending), where asking for the
     * lowest id in index order leaves it nothing but the seek (1.5 ms). The check for one in flight matters when a
     * delivery commits after one with a higher id was claimed (the intakes of two instances, a replay or a backfill
     * beside an intake): the later commit is then the first open delivery. CASE makes it run for the first open
     * delivery only, not for every candidate (3 ms a claim instead of 10 with 24,000 pending).
     */
    private static final String FIRST_OPEN_OF_ITS_VEHICLE_POSTGRESQL = """
            AND CASE WHEN d.id = (SELECT p.id FROM delivery p WHERE p.destination = d.destination AND p.ordering_key = d.ordering_key
                                     AND p.status IN ('PENDING', 'IN_FLIGHT') ORDER BY p.id LIMIT 1)
                     THEN (SELECT f.id FROM delivery f WHERE f.destination = d.destination AND f.ordering_key = d.ordering_key
                              AND f.status IN ('PENDING', 'IN_FLIGHT') AND f.status = 'IN_FLIGHT' ORDER BY f.id LIMIT 1) IS NULL
                     ELSE FALSE END""";
    /**
     * Claims of one destination follow one another across instances: each claim's statement then sees every claim
     * committed before it, which the check for a delivery in flight needs (two at once could each take a different
     * delivery of one vehicle, neither seeing the other's). A claim takes about a millisecond.
     */
    private static final String ONE_CLAIM_AT_A_TIME = "SELECT pg_advisory_xact_lock(" + CLAIM_LOCK_SPACE + ", ?)";
    /**
     * Claims kept in memory (H2): the due deliveries of vehicles this process holds none of, read with what a delivery
     * needs. Leaving out the vehicles held, not only the deliveries, also keeps one in flight per vehicle when a replay or
     * a backfill commits a delivery with a lower id than one already held (it is then the vehicle's first open one).
     */
    private static final String SELECT_DUE = DELIVERY_COLUMNS + " WHERE " + DUE + " " + FIRST_OPEN_OF_ITS_VEHICLE_H2
            + " AND NOT (d.ordering_key = ANY (?)) LIMIT ?";
    /**
     * Claims in the database (PostgreSQL): the due deliveries that no other instance is claiming at this moment
     * ({@code SKIP LOCKED}: a row another claim has locked is passed over, not waited for), taken in one statement. The
     * due rows are chosen once ({@code MATERIALIZED}): as a subquery of the update, PostgreSQL may run them again and
     * claim more than the limit.
     */
    private static final String CLAIM_DUE = "WITH due AS MATERIALIZED (SELECT d.id FROM delivery d WHERE " + DUE + " "
            + FIRST_OPEN_OF_ITS_VEHICLE_POSTGRESQL + " LIMIT ? FOR UPDATE SKIP LOCKED) "
            + "UPDATE delivery SET status = 'IN_FLIGHT', attempts = attempts + 1, claimed_until = ?, claimed_by = ? "
            + "FROM due WHERE delivery.id = due.id RETURNING delivery.id";
    private static final String SELECT_CLAIMED = DELIVERY_COLUMNS + " WHERE d.id = ANY (?)";
    /** The outcome of an attempt whose claim is in memory: the delivery is still PENDING, its attempt counted now. */
    private static final String FINISH_HELD_IN_MEMORY = "UPDATE delivery SET status = ?, attempts = attempts + ?, next_attempt_at = ?, "
            + "finished_at = ?, last_status_code = ?, last_error = ? WHERE id = ? AND status = 'PENDING'";
    /**
     * The outcome of an attempt claimed in the database: only while this instance still holds that claim. The attempt
     * number tells the claim: one that expired and was claimed again (by any instance, this one included) counted
     * another attempt, and the late outcome of the first changes nothing.
     */
    private static final String FINISH_CLAIMED = "UPDATE delivery SET status = ?, attempts = attempts - ?, next_attempt_at = ?, "
            + "finished_at = ?, last_status_code = ?, last_error = ?, claimed_until = NULL, claimed_by = NULL "
            + "WHERE id = ? AND status = 'IN_FLIGHT' AND claimed_by = ? AND attempts = ?";
    private static final String INSERT_ATTEMPT = "INSERT INTO delivery_attempt (delivery_id, attempt, started_at, duration_ms, "
            + "status_code, error, outcome) VALUES (?, ?, ?, ?, ?, ?, ?)";

    private final Storage storage;
    private final String owner;
    /**
     * An embedded H2 database is open in this process only (H2 locks its file), so no other instance can claim: claims
     * are a set in memory instead of rows written and committed. On a server database (PostgreSQL), shared by several
     * instances, a claim is a row update that expires.
     */
    private final boolean claimsInMemory;

    public Outbox(Storage storage, String owner) {
        this.storage = storage;
        this.owner = owner;
        this.claimsInMemory = storage.isEmbedded();
    }

    /**
     * Claims up to {@code max} due deliveries of the destination for {@code claimFor}; returns what this instance won.
     *
     * @param heldHere the ordering keys (vehicles) of the deliveries this instance holds already: claimed, their outcome
     *                 not yet committed
     */
    List<ClaimedDelivery> claim(String destination, int max, Instant now, Duration claimFor, Collection<String> heldHere)
            throws SQLException {
        try (Connection connection = storage.dataSource().getConnection()) {
            if (claimsInMemory) {
                try (PreparedStatement select = connection.prepareStatement(SELECT_DUE)) {
                    select.setString(1, destination);
                    SqlTime.set(select, 2, now);
                    select.setArray(3, connection.createArrayOf("VARCHAR", heldHere.toArray()));
                    select.setInt(4, max);
                    return read(select, destination, 1);
                }
            }
            connection.setAutoCommit(false);
            try {
                relaxDurability(connection);
                try (PreparedStatement lock = connection.prepareStatement(ONE_CLAIM_AT_A_TIME)) {
                    lock.setInt(1, destination.hashCode());
                    lock.execute();
                }
                List<Long> claimed = new ArrayList<>(max);
                try (PreparedStatement claim = connection.prepareStatement(CLAIM_DUE)) {
                    claim.setString(1, destination);
                    SqlTime.set(claim, 2, now);
                    claim.setInt(3, max);
                    SqlTime.set(claim, 4, now.plus(claimFor));
                    claim.setString(5, owner);
                    try (ResultSet ids = claim.executeQuery()) {
                        while (ids.next()) {
                            claimed.add(ids.getLong(1));
                        }
                    }
                }
                List<ClaimedDelivery> won = List.of();
                if (!claimed.isEmpty()) {
                    try (PreparedStatement select = connection.prepareStatement(SELECT_CLAIMED)) {
                        select.setArray(1, connection.createArrayOf("BIGINT", claimed.toArray()));
                        won = read(select, destination, 0);
                    }
                }
                connection.commit();
                return won;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /** Claimed deliveries a consumer did not start (it is stopping, or its destination paused): claimable again now. */
    void giveBack(List<ClaimedDelivery> unstarted) {
        if (claimsInMemory || unstarted.isEmpty()) {
            return; // held in memory only, and the consumer forgets them
        }
        storage.jdbc().batchUpdate("UPDATE delivery SET status = 'PENDING', attempts = attempts - 1, claimed_until = NULL, "
                + "claimed_by = NULL WHERE id = :id AND status = 'IN_FLIGHT' AND claimed_by = :owner AND attempts = :attempt",
                unstarted.stream().map(delivery -> new MapSqlParameterSource().addValue("id", delivery.id())
                        .addValue("owner", owner).addValue("attempt", delivery.attempt())).toArray(MapSqlParameterSource[]::new));
    }

    /** @param attemptsAhead what to add to the stored attempts to number this one: 1 before a claim counted it, 0 after */
    private static List<ClaimedDelivery> read(PreparedStatement select, String destination, int attemptsAhead) throws SQLException {
        List<ClaimedDelivery> deliveries = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                CanonicalEvent event = new CanonicalEvent(rows.getString("event_id"), rows.getString("event_type"),
                        rows.getBoolean("recognised"), rows.getString("vehicle_id"), SqlTime.get(rows, "event_time"),
                        rows.getString("mode"), rows.getString("webhook_id"), rows.getString("envelope_version"),
                        SqlTime.get(rows, "received_at"), rows.getBytes("raw_body"));
                KnownVehicle vehicle = new KnownVehicle(rows.getString("make"), rows.getString("model"),
                        rows.getObject("model_year", Integer.class), rows.getString("customer_reference"));
                deliveries.add(new ClaimedDelivery(rows.getLong("id"), destination, rows.getString("ordering_key"),
                        rows.getInt("attempts") + attemptsAhead,
                        rows.getBoolean("replay"), SqlTime.get(rows, "queued_at"), event, vehicle, rows.getString("trace_parent")));
            }
        }
        return deliveries;
    }

    /**
     * Claims and outcomes need not wait for PostgreSQL to flush its log: one lost in a crash of the database server
     * means an attempt made again, which at-least-once delivery allows (and the idempotency key absorbs). The events
     * themselves are always committed durably, before Smartcar is answered.
     */
    private static void relaxDurability(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET LOCAL synchronous_commit TO OFF");
        }
    }

    /** Records a batch of finished attempts, each with its delivery's new state, in one transaction. */
    List<Boolean> record(List<AttemptOutcome> outcomes) throws SQLException {
        List<Boolean> applied = new ArrayList<>(outcomes.size());
        try (Connection connection = storage.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            if (!claimsInMemory) {
                relaxDurability(connection);
            }
            try (PreparedStatement finish = connection.prepareStatement(claimsInMemory ? FINISH_HELD_IN_MEMORY : FINISH_CLAIMED);
                 PreparedStatement attempt = connection.prepareStatement(INSERT_ATTEMPT)) {
                for (AttemptOutcome outcome : outcomes) {
                    boolean finished = outcome.result() == AttemptOutcome.Result.DELIVERED || outcome.result() == AttemptOutcome.Result.DEAD;
                    boolean paused = outcome.result() == AttemptOutcome.Result.PAUSED;
                    finish.setString(1, outcome.result().deliveryStatus());
                    // a pause is the destination's doing, not this delivery's: its attempt is not counted
                    finish.setInt(2, claimsInMemory ? (paused ? 0 : 1) : (paused ? 1 : 0));
                    SqlTime.set(finish, 3, outcome.nextAttemptAt() != null ? outcome.nextAttemptAt() : outcome.finishedAt());
                    SqlTime.set(finish, 4, finished ? outcome.finishedAt() : null);
                    setNullableInt(finish, 5, outcome.statusCode());
                    finish.setString(6, outcome.error());
                    finish.setLong(7, outcome.deliveryId());
                    if (!claimsInMemory) {
                        finish.setString(8, owner);
                        finish.setInt(9, outcome.attempt());
                    }
                    finish.addBatch();

                    attempt.setLong(1, outcome.deliveryId());
                    attempt.setInt(2, outcome.attempt());
                    SqlTime.set(attempt, 3, outcome.startedAt());
                    attempt.setLong(4, Duration.between(outcome.startedAt(), outcome.finishedAt()).toMillis());
                    setNullableInt(attempt, 5, outcome.statusCode());
                    attempt.setString(6, outcome.error());
                    attempt.setString(7, outcome.result().name());
                    attempt.addBatch();
                }
                int[] updated = finish.executeBatch();
                attempt.executeBatch();
                connection.commit();
                for (int count : updated) {
                    // 0: the claim expired and another instance owns the delivery now; its attempt still happened
                    applied.add(count == 1);
                }
                return applied;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /**
     * Gives back the deliveries whose claim expired (their instance died mid-attempt), and at start the ones this
     * instance itself held before a crash. Returns how many.
     */
    int releaseClaims(Instant now, boolean includingOwn) {
        String sql = "UPDATE delivery SET status = 'PENDING', claimed_until = NULL, claimed_by = NULL, next_attempt_at = :now "
                + "WHERE status = 'IN_FLIGHT' AND (claimed_until < :now" + (includingOwn ? " OR claimed_by = :owner)" : ")");
        return storage.jdbc().update(sql, new org.springframework.jdbc.core.namedparam.MapSqlParameterSource()
                .addValue("now", SqlTime.offset(now))
                .addValue("owner", owner));
    }

    /** What the bridge knows of a vehicle, as a claim reads it with a delivery: make, model, year, customer reference. */
    public KnownVehicle knownVehicle(String vehicleId) {
        List<KnownVehicle> known = vehicleId == null ? List.of() : storage.jdbc().query("SELECT v.make, v.model, v.model_year, "
                + "c.customer_reference FROM vehicle v LEFT JOIN smartcar_connection c ON c.user_id = v.user_id WHERE v.vehicle_id = :vehicle",
                Map.of("vehicle", vehicleId), (rows, i) -> new KnownVehicle(rows.getString("make"), rows.getString("model"),
                        rows.getObject("model_year", Integer.class), rows.getString("customer_reference")));
        return known.isEmpty() ? new KnownVehicle(null, null, null, null) : known.get(0);
    }

    /** When the newest stored event arrived; empty when none is stored, or when the database cannot say now. */
    public Optional<Instant> lastReceivedAt() {
        try {
            return Optional.ofNullable(storage.jdbc().query("SELECT MAX(received_at) AS newest FROM webhook_event", Map.of(),
                    rows -> rows.next() ? SqlTime.get(rows, "newest") : null));
        } catch (DataAccessException e) {
            return Optional.empty();
        }
    }

    /** What waits (pending or in flight) per destination. */
    public record Backlog(long pending, Instant oldestReceivedAt) {
        public static final Backlog EMPTY = new Backlog(0, null);
    }

    public Map<String, Backlog> backlog() {
        Map<String, Backlog> backlog = new HashMap<>();
        storage.jdbc().query("SELECT destination, COUNT(*) AS pending, MIN(received_at) AS oldest FROM delivery "
                + "WHERE status IN ('PENDING', 'IN_FLIGHT') GROUP BY destination", rows -> {
            backlog.put(rows.getString("destination"), new Backlog(rows.getLong("pending"), SqlTime.get(rows, "oldest")));
        });
        return backlog;
    }

    public boolean isPaused(String destination) {
        List<Boolean> paused = storage.jdbc().queryForList(
                "SELECT paused FROM destination_state WHERE destination = :destination",
                Map.of("destination", destination), Boolean.class);
        return !paused.isEmpty() && paused.get(0);
    }

    void pause(String destination, String reason, Instant at) {
        setPaused(destination, true, reason, at);
    }

    /** Returns false when the destination was not paused. */
    public boolean resume(String destination) {
        boolean paused = isPaused(destination);
        setPaused(destination, false, null, null);
        return paused;
    }

    private void setPaused(String destination, boolean paused, String reason, Instant at) {
        var parameters = new org.springframework.jdbc.core.namedparam.MapSqlParameterSource()
                .addValue("destination", destination)
                .addValue("paused", paused)
                .addValue("reason", reason)
                .addValue("at", SqlTime.offset(at));
        String update = "UPDATE destination_state SET paused = :paused, paused_reason = :reason, paused_at = :at "
                + "WHERE destination = :destination";
        if (storage.jdbc().update(update, parameters) == 0) {
            try {
                storage.jdbc().update("INSERT INTO destination_state (destination, paused, paused_reason, paused_at) "
                        + "VALUES (:destination, :paused, :reason, :at)", parameters);
            } catch (DuplicateKeyException insertedMeanwhile) {
                storage.jdbc().update(update, parameters);
            }
        }
    }

    /** Outcome of a replay request. */
    public enum Replay { QUEUED, NOT_FOUND, NOT_FINISHED }

    /**
     * Queues a finished delivery again as a new delivery marked as a replay, at the back of its vehicle's queue. A
     * dead letter becomes REPLAYED (it is no longer dead); a delivered one stays delivered. Returns the new id, or
     * why not.
     */
    public Replay replay(long deliveryId, Instant now) {
        return storage.transactions().execute(status -> replayInTransaction(deliveryId, now));
    }

    /** Replays every dead letter of the destination; returns how many were queued. */
    public int replayDead(String destination, Instant now) {
        return storage.transactions().execute(status -> {
            List<Long> dead = storage.jdbc().queryForList("SELECT id FROM delivery WHERE destination = :destination AND status = 'DEAD' ORDER BY id",
                    Map.of("destination", destination), Long.class);
            int queued = 0;
            for (long id : dead) {
                if (replayInTransaction(id, now) == Replay.QUEUED) {
                    queued++;
                }
            }
            return queued;
        });
    }

    private Replay replayInTransaction(long deliveryId, Instant now) {
        Map<String, Object> parameters = Map.of("id", deliveryId, "now", SqlTime.offset(now));
        List<String> status = storage.jdbc().queryForList("SELECT status FROM delivery WHERE id = :id", parameters, String.class);
        if (status.isEmpty()) {
            return Replay.NOT_FOUND;
        }
        boolean claimed = switch (status.get(0)) {
            case "DEAD" -> storage.jdbc().update("UPDATE delivery SET status = 'REPLAYED' WHERE id = :id AND status = 'DEAD'", parameters) == 1;
            case "DELIVERED" -> true;
            default -> false;
        };
        if (!claimed) {
            return Replay.NOT_FINISHED;
        }
        // received_at of the copy is the replay request: its age and latency count from now
        storage.jdbc().update("INSERT INTO delivery (event_id, destination, ordering_key, status, attempts, next_attempt_at, replay, "
                + "received_at, created_at) SELECT event_id, destination, ordering_key, 'PENDING', 0, :now, TRUE, :now, :now "
                + "FROM delivery WHERE id = :id", parameters);
        return Replay.QUEUED;
    }

    /** What a backfill did with the events of its window. */
    public record Backfill(int queued, int alreadyQueued, int notWanted) {
    }

    /**
     * Queues for the destination every event received in {@code [from, to)} that it wants and that has no delivery to it
     * yet, in receipt order, each at the back of its vehicle's queue. One backfill of a destination at a time, across
     * instances (a lock on its {@code destination_state} row), so that no event is queued twice.
     */
    public Backfill backfill(String destination, Predicate<CanonicalEvent> wants, Instant from, Instant to, Instant now) {
        ensureStateRow(destination);
        return storage.transactions().execute(status -> {
            MapSqlParameterSource parameters = new MapSqlParameterSource()
                    .addValue("destination", destination).addValue("from", SqlTime.offset(from)).addValue("to", SqlTime.offset(to))
                    .addValue("now", SqlTime.offset(now));
            lockDestination(destination);
            List<MapSqlParameterSource> queue = new ArrayList<>();
            int[] counts = new int[2]; // already queued, not wanted
            storage.jdbc().query("SELECT e.event_id, e.event_type, e.recognised, e.vehicle_id, e.mode, "
                    + "EXISTS (SELECT 1 FROM delivery d WHERE d.event_id = e.event_id AND d.destination = :destination) AS queued "
                    + "FROM webhook_event e WHERE e.received_at >= :from AND e.received_at < :to ORDER BY e.received_at, e.event_id",
                    parameters, rows -> {
                        CanonicalEvent event = new CanonicalEvent(rows.getString("event_id"), rows.getString("event_type"),
                                rows.getBoolean("recognised"), rows.getString("vehicle_id"), null, rows.getString("mode"), null, null, null, null);
                        if (rows.getBoolean("queued")) {
                            counts[0]++;
                        } else if (!wants.test(event)) {
                            counts[1]++;
                        } else {
                            queue.add(new MapSqlParameterSource(parameters.getValues()).addValue("eventId", event.eventId())
                                    .addValue("orderingKey", event.vehicleId() != null ? event.vehicleId() : event.eventId()));
                        }
                    });
            // received_at is the backfill's: its retry age counts from now, like a replay's
            storage.jdbc().batchUpdate("INSERT INTO delivery (event_id, destination, ordering_key, status, attempts, next_attempt_at, "
                    + "replay, received_at, created_at) VALUES (:eventId, :destination, :orderingKey, 'PENDING', 0, :now, FALSE, :now, :now)",
                    queue.toArray(MapSqlParameterSource[]::new));
            return new Backfill(queue.size(), counts[0], counts[1]);
        });
    }

    /** A destination's state row (unpaused when new), outside any transaction: the row a backfill locks. */
    private void ensureStateRow(String destination) {
        try {
            storage.jdbc().update("INSERT INTO destination_state (destination, paused) SELECT :destination, FALSE WHERE NOT EXISTS "
                    + "(SELECT 1 FROM destination_state WHERE destination = :destination)", Map.of("destination", destination));
        } catch (DuplicateKeyException insertedMeanwhile) {
            // there it is
        }
    }

    /** Holds the destination's state row until the transaction ends. */
    private void lockDestination(String destination) {
        storage.jdbc().queryForList("SELECT destination FROM destination_state WHERE destination = :destination FOR UPDATE",
                Map.of("destination", destination), String.class);
    }

    /** Deletes a dead letter and its attempts; false when there is no dead letter with that id. */
    public boolean purgeDead(long deliveryId) {
        return storage.jdbc().update("DELETE FROM delivery WHERE id = :id AND status = 'DEAD'", Map.of("id", deliveryId)) == 1;
    }

    private static void setNullableInt(PreparedStatement statement, int index, Integer value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.INTEGER);
        } else {
            statement.setInt(index, value);
        }
    }
}
