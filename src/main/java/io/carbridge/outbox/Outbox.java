package io.carbridge.outbox;

import io.carbridge.storage.CanonicalEvent;
import io.carbridge.storage.SqlTime;
import io.carbridge.storage.Storage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * The delivery rows of the outbox: claiming what is due, recording what each attempt did, releasing claims of a dead
 * instance, pausing and resuming destinations, replaying and purging for the admin API. Every state change is a
 * conditional update, so several instances can share one database: a delivery is claimed by one of them at a time, and
 * its claim expires if that instance dies.
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
     * Claims and outcomes need not wait for PostgreSQL to flush its log: one lost in a crash of the database server
     * means an attempt made again, which at-least-once delivery allows (and the idempotency key absorbs). The events
     * themselves are always committed durably, before Smartcar is answered. A select-list item, so that it travels with
     * the transaction's first statement.
     */
    private static final String NOT_DURABLE = "set_config('synchronous_commit', 'off', true)";
    /**
     * The first key of the claims' advisory locks (PostgreSQL's two-key space, apart from single-key locks such as
     * Flyway's).
     */
    private static final int CLAIM_LOCK_SPACE = 0x0b0c;
    /**
     * Due deliveries of one destination, at most one per ordering key: a delivery is claimable only when no earlier
     * delivery of its vehicle is still open (pending or in flight), which is what keeps one vehicle's events in order.
     * There is no ORDER BY on purpose: the database reads the due deliveries in the order of the index it drives from,
     * and asking for the earliest due first made a claim read and sort the backlog (on PostgreSQL, 34 ms a claim with
     * 20,000 pending, against 1.5 ms without). A paused destination has nothing due, in the same statement: a consumer
     * that checked the pause a moment before it was stored (by a 410 answered meanwhile, or an operator) claims nothing
     * once it is (a primary key seek). The earlier-open test follows, written for each database's index.
     */
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
     * deliveries in flight. Each is written as "the first in id order" rather than "none exists" on purpose: before the
     * table had statistics, PostgreSQL answered a NOT EXISTS by reading every pending delivery of the destination for
     * each candidate (97 ms a claim with 20,000 pending), where asking for the lowest id in index order leaves it
     * nothing but the seek (1.5 ms). The check for one in flight matters when a delivery commits after one with a
     * higher id was claimed (the intakes of two instances, a replay or a backfill beside an intake): the later commit
     * is then the first open delivery. CASE makes it run for the first open delivery only, not for every candidate (3
     * ms a claim instead of 10 with 24,000 pending).
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
     * delivery of one vehicle, neither seeing the other's). A claim takes about a millisecond. The lock is a statement
     * of its own, before the claim's: a statement sees what was committed when it began, not what was committed while
     * it waited for the lock. A claim is three round trips: this, the claim, and the commit.
     */
    private static final String ONE_CLAIM_AT_A_TIME =
            "SELECT pg_advisory_xact_lock(" + CLAIM_LOCK_SPACE + ", ?), " + NOT_DURABLE;
    /**
     * Claims kept in memory (H2): the due deliveries of vehicles this process holds none of, read with what a delivery
     * needs. Leaving out the vehicles held, not only the deliveries, also keeps one in flight per vehicle when a replay
     * or a backfill commits a delivery with a lower id than one already held (it is then the vehicle's first open one).
     */
    private static final String SELECT_DUE = DELIVERY_COLUMNS + " WHERE " + DUE + " " + FIRST_OPEN_OF_ITS_VEHICLE_H2
            + " AND NOT (d.ordering_key = ANY (?)) LIMIT ?";
    /**
     * Claims in the database (PostgreSQL), in one statement that also reads what each delivery needs: the due
     * deliveries that no other instance is claiming at this moment ({@code SKIP LOCKED}: a row another claim has locked
     * is passed over, not waited for). The due rows are chosen once ({@code MATERIALIZED}): as a subquery of the
     * update, PostgreSQL may run them again and claim more than the limit.
     */
    private static final String CLAIM_DUE = "WITH due AS MATERIALIZED (SELECT d.id FROM delivery d WHERE " + DUE + " "
            + FIRST_OPEN_OF_ITS_VEHICLE_POSTGRESQL + " LIMIT ? FOR UPDATE SKIP LOCKED), "
            + "claimed AS (UPDATE delivery SET status = 'IN_FLIGHT', attempts = attempts + 1, claimed_until = ?, claimed_by = ? "
            + "FROM due WHERE delivery.id = due.id RETURNING delivery.*) "
            + DELIVERY_COLUMNS.replace("FROM delivery d", "FROM claimed d");
    /** The outcome of an attempt whose claim is in memory: the delivery is still PENDING, its attempt counted now. */
    private static final String FINISH_HELD_IN_MEMORY =
            "UPDATE delivery SET status = ?, attempts = attempts + ?, next_attempt_at = ?, "
                    + "finished_at = ?, last_status_code = ?, last_error = ? WHERE id = ? AND status = 'PENDING'";
    /**
     * The outcomes of a batch of attempts claimed in the database (PostgreSQL), with their attempts, in one statement:
     * the batch is a row per attempt, unnested from one array per column. A delivery changes only while this instance
     * still holds the claim of that attempt: the attempt number tells the claim, since one that expired and was claimed
     * again (by any instance, this one included) counted another attempt, and the late outcome of the first changes
     * nothing. Answers the deliveries changed.
     */
    private static final String FINISH_CLAIMED =
            """
            WITH outcome AS (SELECT * FROM unnest(?::bigint[], ?::int[], ?::text[], ?::int[], ?::text[], ?::text[], ?::int[], ?::text[],
                                                  ?::text[], ?::bigint[], ?::text[])
                               AS o(id, attempt, status, uncounted, next_attempt_at, finished_at, status_code, error, started_at,
                                    duration_ms, result)),
                 finished AS (UPDATE delivery d SET status = o.status, attempts = d.attempts - o.uncounted,
                                     next_attempt_at = o.next_attempt_at::timestamptz, finished_at = o.finished_at::timestamptz,
                                     last_status_code = o.status_code, last_error = o.error, claimed_until = NULL, claimed_by = NULL
                                FROM outcome o WHERE d.id = o.id AND d.status = 'IN_FLIGHT' AND d.claimed_by = ? AND d.attempts = o.attempt
                              RETURNING d.id),
                 attempted AS (INSERT INTO delivery_attempt (delivery_id, attempt, started_at, duration_ms, status_code, error, outcome)
                               SELECT id, attempt, started_at::timestamptz, duration_ms, status_code, error, result FROM outcome)
            SELECT\s""" + NOT_DURABLE + " AS relaxed, ARRAY(SELECT id FROM finished) AS finished";

    private static final String INSERT_ATTEMPT =
            "INSERT INTO delivery_attempt (delivery_id, attempt, started_at, duration_ms, "
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
     * @param heldHere the ordering keys (vehicles) of the deliveries this instance holds already: claimed, their
     *     outcome not yet committed
     */
    List<ClaimedDelivery> claim(
            String destination, int max, Instant now, Duration claimFor, Collection<String> heldHere)
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
                try (PreparedStatement lock = connection.prepareStatement(ONE_CLAIM_AT_A_TIME)) {
                    lock.setInt(1, destination.hashCode());
                    lock.execute();
                }
                List<ClaimedDelivery> won;
                try (PreparedStatement claim = connection.prepareStatement(CLAIM_DUE)) {
                    claim.setString(1, destination);
                    SqlTime.set(claim, 2, now);
                    claim.setInt(3, max);
                    SqlTime.set(claim, 4, now.plus(claimFor));
                    claim.setString(5, owner);
                    won = read(claim, destination, 0);
                }
                connection.commit();
                return won;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /**
     * For a destination that takes a vehicle's state: whether this claimed {@code VEHICLE_STATE} delivery, the first
     * open one of its vehicle, is needless, and if so, finishes it as {@code SUPERSEDED} with the event that makes it
     * so, and returns that event's id with how many deliveries it superseded.
     *
     * <ul>
     *   <li>A later {@code VEHICLE_STATE} of the vehicle waits for the destination: that one will carry the vehicle's
     *       latest state, and it supersedes this one and every other state waiting before it.
     *   <li>None waits, and the vehicle's state has not changed since the destination was sent it last (no signal of
     *       the vehicle was written after that attempt began): the state delivered then supersedes this one, so the
     *       destination never goes back in time.
     * </ul>
     */
    /**
     * What {@link #supersede} finished: the deliveries it superseded (this one, and older states waiting), and by which
     * event.
     */
    record Superseded(String by, int deliveries) {}

    Optional<Superseded> supersede(ClaimedDelivery delivery, Instant now) {
        return Optional.ofNullable(storage.transactions().execute(status -> {
            MapSqlParameterSource parameters = new MapSqlParameterSource()
                    .addValue("destination", delivery.destination())
                    .addValue("key", delivery.orderingKey())
                    .addValue("id", delivery.id())
                    .addValue("vehicle", delivery.vehicleId())
                    .addValue("now", SqlTime.offset(now));
            List<Map<String, Object>> later = storage.jdbc()
                    .queryForList(
                            "SELECT d.id, d.event_id FROM delivery d "
                                    + "JOIN webhook_event e ON e.event_id = d.event_id WHERE d.destination = :destination AND d.ordering_key = :key "
                                    + "AND d.status = 'PENDING' AND d.id > :id AND e.event_type = 'VEHICLE_STATE' ORDER BY d.id DESC LIMIT 1",
                            parameters);
            if (!later.isEmpty()) {
                String by = (String) later.get(0).get("event_id");
                parameters
                        .addValue("by", by)
                        .addValue("newest", ((Number) later.get(0).get("id")).longValue());
                return new Superseded(
                        by,
                        storage.jdbc()
                                .update(
                                        SUPERSEDE + " AND (d.id = :id OR d.status = 'PENDING') AND d.id < :newest)",
                                        parameters));
            }
            List<Map.Entry<String, Instant>> sent = storage.jdbc()
                    .query(
                            "SELECT d.event_id, MAX(a.started_at) AS sent_at FROM delivery d "
                                    + "JOIN webhook_event e ON e.event_id = d.event_id JOIN delivery_attempt a ON a.delivery_id = d.id AND a.outcome = 'DELIVERED' "
                                    + "WHERE d.destination = :destination AND d.ordering_key = :key AND d.status = 'DELIVERED' AND e.event_type = 'VEHICLE_STATE' "
                                    + "GROUP BY d.id, d.event_id ORDER BY d.id DESC LIMIT 1",
                            parameters,
                            (rows, i) -> Map.entry(rows.getString("event_id"), SqlTime.get(rows, "sent_at")));
            Instant changedAt = storage.jdbc()
                    .query(
                            "SELECT MAX(updated_at) AS changed_at FROM vehicle_signal WHERE vehicle_id = :vehicle",
                            parameters,
                            rows -> rows.next() ? SqlTime.get(rows, "changed_at") : null);
            if (sent.isEmpty()
                    || changedAt == null
                    || changedAt.isAfter(sent.get(0).getValue())) {
                return null;
            }
            String by = sent.get(0).getKey();
            return new Superseded(
                    by, storage.jdbc().update(SUPERSEDE + " AND d.id = :id)", parameters.addValue("by", by)));
        }));
    }

    /** Finishes the state deliveries the condition that follows selects as superseded by {@code :by}. */
    private static final String SUPERSEDE =
            "UPDATE delivery SET status = 'SUPERSEDED', superseded_by = :by, finished_at = :now, "
                    + "claimed_until = NULL, claimed_by = NULL WHERE id IN (SELECT d.id FROM delivery d JOIN webhook_event e ON e.event_id = d.event_id "
                    + "WHERE d.destination = :destination AND d.ordering_key = :key AND e.event_type = 'VEHICLE_STATE'";

    /** Claimed deliveries a consumer did not start (it is stopping, or its destination paused): claimable again now. */
    void giveBack(List<ClaimedDelivery> unstarted) {
        if (claimsInMemory || unstarted.isEmpty()) {
            return; // held in memory only, and the consumer forgets them
        }
        storage.jdbc()
                .batchUpdate(
                        "UPDATE delivery SET status = 'PENDING', attempts = attempts - 1, claimed_until = NULL, "
                                + "claimed_by = NULL WHERE id = :id AND status = 'IN_FLIGHT' AND claimed_by = :owner AND attempts = :attempt",
                        unstarted.stream()
                                .map(delivery -> new MapSqlParameterSource()
                                        .addValue("id", delivery.id())
                                        .addValue("owner", owner)
                                        .addValue("attempt", delivery.attempt()))
                                .toArray(MapSqlParameterSource[]::new));
    }

    /**
     * @param attemptsAhead what to add to the stored attempts to number this one: 1 before a claim counted it, 0 after
     */
    private static List<ClaimedDelivery> read(PreparedStatement select, String destination, int attemptsAhead)
            throws SQLException {
        List<ClaimedDelivery> deliveries = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                CanonicalEvent event = new CanonicalEvent(
                        rows.getString("event_id"),
                        rows.getString("event_type"),
                        rows.getBoolean("recognised"),
                        rows.getString("vehicle_id"),
                        SqlTime.get(rows, "event_time"),
                        rows.getString("mode"),
                        rows.getString("webhook_id"),
                        rows.getString("envelope_version"),
                        SqlTime.get(rows, "received_at"),
                        rows.getBytes("raw_body"));
                KnownVehicle vehicle = new KnownVehicle(
                        rows.getString("make"),
                        rows.getString("model"),
                        rows.getObject("model_year", Integer.class),
                        rows.getString("customer_reference"));
                deliveries.add(new ClaimedDelivery(
                        rows.getLong("id"),
                        destination,
                        rows.getString("ordering_key"),
                        rows.getInt("attempts") + attemptsAhead,
                        rows.getBoolean("replay"),
                        SqlTime.get(rows, "queued_at"),
                        event,
                        vehicle,
                        rows.getString("trace_parent")));
            }
        }
        return deliveries;
    }

    /** Records a batch of finished attempts, each with its delivery's new state, in one transaction. */
    List<Boolean> record(List<AttemptOutcome> outcomes) throws SQLException {
        return claimsInMemory ? recordHeldInMemory(outcomes) : recordClaimed(outcomes);
    }

    private List<Boolean> recordClaimed(List<AttemptOutcome> outcomes) throws SQLException {
        int size = outcomes.size();
        Object[][] columns = new Object[11][size];
        for (int i = 0; i < size; i++) {
            AttemptOutcome outcome = outcomes.get(i);
            columns[0][i] = outcome.deliveryId();
            columns[1][i] = outcome.attempt();
            columns[2][i] = outcome.result().deliveryStatus();
            // a pause is the destination's doing, not this delivery's: the attempt its claim counted is taken back
            columns[3][i] = outcome.result() == AttemptOutcome.Result.PAUSED ? 1 : 0;
            columns[4][i] =
                    (outcome.nextAttemptAt() != null ? outcome.nextAttemptAt() : outcome.finishedAt()).toString();
            columns[5][i] = outcome.result().isFinal() ? outcome.finishedAt().toString() : null;
            columns[6][i] = outcome.statusCode();
            columns[7][i] = outcome.error();
            columns[8][i] = outcome.startedAt().toString();
            columns[9][i] =
                    Duration.between(outcome.startedAt(), outcome.finishedAt()).toMillis();
            columns[10][i] = outcome.result().name();
        }
        try (Connection connection = storage.dataSource().getConnection();
                PreparedStatement finish = connection.prepareStatement(FINISH_CLAIMED)) {
            String[] types = {"bigint", "int4", "text", "int4", "text", "text", "int4", "text", "text", "bigint", "text"
            };
            for (int column = 0; column < types.length; column++) {
                finish.setArray(column + 1, connection.createArrayOf(types[column], columns[column]));
            }
            finish.setString(types.length + 1, owner);
            Set<Long> finished = new HashSet<>();
            // one statement, committed on its own (auto-commit): the batch is one round trip
            try (ResultSet row = finish.executeQuery()) {
                row.next();
                Collections.addAll(finished, (Long[]) row.getArray("finished").getArray());
            }
            // not finished: the claim expired and another instance owns the delivery now; its attempt still happened
            return outcomes.stream()
                    .map(outcome -> finished.contains(outcome.deliveryId()))
                    .toList();
        }
    }

    /** H2: the deliveries are still PENDING (their claims are in memory); each attempt is counted now. */
    private List<Boolean> recordHeldInMemory(List<AttemptOutcome> outcomes) throws SQLException {
        try (Connection connection = storage.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement finish = connection.prepareStatement(FINISH_HELD_IN_MEMORY);
                    PreparedStatement attempt = connection.prepareStatement(INSERT_ATTEMPT)) {
                for (AttemptOutcome outcome : outcomes) {
                    finish.setString(1, outcome.result().deliveryStatus());
                    // a pause is the destination's doing, not this delivery's: its attempt is not counted
                    finish.setInt(2, outcome.result() == AttemptOutcome.Result.PAUSED ? 0 : 1);
                    SqlTime.set(
                            finish,
                            3,
                            outcome.nextAttemptAt() != null ? outcome.nextAttemptAt() : outcome.finishedAt());
                    SqlTime.set(finish, 4, outcome.result().isFinal() ? outcome.finishedAt() : null);
                    setNullableInt(finish, 5, outcome.statusCode());
                    finish.setString(6, outcome.error());
                    finish.setLong(7, outcome.deliveryId());
                    finish.addBatch();

                    attempt.setLong(1, outcome.deliveryId());
                    attempt.setInt(2, outcome.attempt());
                    SqlTime.set(attempt, 3, outcome.startedAt());
                    attempt.setLong(
                            4,
                            Duration.between(outcome.startedAt(), outcome.finishedAt())
                                    .toMillis());
                    setNullableInt(attempt, 5, outcome.statusCode());
                    attempt.setString(6, outcome.error());
                    attempt.setString(7, outcome.result().name());
                    attempt.addBatch();
                }
                int[] updated = finish.executeBatch();
                attempt.executeBatch();
                connection.commit();
                return Arrays.stream(updated).mapToObj(count -> count == 1).toList();
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
        String sql =
                "UPDATE delivery SET status = 'PENDING', claimed_until = NULL, claimed_by = NULL, next_attempt_at = :now "
                        + "WHERE status = 'IN_FLIGHT' AND (claimed_until < :now"
                        + (includingOwn ? " OR claimed_by = :owner)" : ")");
        return storage.jdbc()
                .update(
                        sql,
                        new org.springframework.jdbc.core.namedparam.MapSqlParameterSource()
                                .addValue("now", SqlTime.offset(now))
                                .addValue("owner", owner));
    }

    /**
     * What the bridge knows of a vehicle, as a claim reads it with a delivery: make, model, year, customer reference.
     */
    public KnownVehicle knownVehicle(String vehicleId) {
        List<KnownVehicle> known = vehicleId == null
                ? List.of()
                : storage.jdbc()
                        .query(
                                "SELECT v.make, v.model, v.model_year, "
                                        + "c.customer_reference FROM vehicle v LEFT JOIN smartcar_connection c ON c.user_id = v.user_id WHERE v.vehicle_id = :vehicle",
                                Map.of("vehicle", vehicleId),
                                (rows, i) -> new KnownVehicle(
                                        rows.getString("make"),
                                        rows.getString("model"),
                                        rows.getObject("model_year", Integer.class),
                                        rows.getString("customer_reference")));
        return known.isEmpty() ? new KnownVehicle(null, null, null, null) : known.get(0);
    }

    /** When the newest stored event arrived; empty when none is stored, or when the database cannot say now. */
    public Optional<Instant> lastReceivedAt() {
        try {
            return Optional.ofNullable(storage.jdbc()
                    .query(
                            "SELECT MAX(received_at) AS newest FROM webhook_event",
                            Map.of(),
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
        storage.jdbc()
                .query(
                        "SELECT destination, COUNT(*) AS pending, MIN(received_at) AS oldest FROM delivery "
                                + "WHERE status IN ('PENDING', 'IN_FLIGHT') GROUP BY destination",
                        rows -> {
                            backlog.put(
                                    rows.getString("destination"),
                                    new Backlog(rows.getLong("pending"), SqlTime.get(rows, "oldest")));
                        });
        return backlog;
    }

    public boolean isPaused(String destination) {
        List<Boolean> paused = storage.jdbc()
                .queryForList(
                        "SELECT paused FROM destination_state WHERE destination = :destination",
                        Map.of("destination", destination),
                        Boolean.class);
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
                storage.jdbc()
                        .update(
                                "INSERT INTO destination_state (destination, paused, paused_reason, paused_at) "
                                        + "VALUES (:destination, :paused, :reason, :at)",
                                parameters);
            } catch (DuplicateKeyException insertedMeanwhile) {
                storage.jdbc().update(update, parameters);
            }
        }
    }

    /** Outcome of a replay request. */
    public enum Replay {
        QUEUED,
        NOT_FOUND,
        NOT_FINISHED
    }

    /**
     * Queues a finished delivery again as a new delivery marked as a replay, at the back of its vehicle's queue. A dead
     * letter becomes REPLAYED (it is no longer dead); a delivered one stays delivered. Returns the new id, or why not.
     */
    public Replay replay(long deliveryId, Instant now) {
        return storage.transactions().execute(status -> replayInTransaction(deliveryId, now));
    }

    /** Replays every dead letter of the destination; returns how many were queued. */
    public int replayDead(String destination, Instant now) {
        return storage.transactions().execute(status -> {
            List<Long> dead = storage.jdbc()
                    .queryForList(
                            "SELECT id FROM delivery WHERE destination = :destination AND status = 'DEAD' ORDER BY id",
                            Map.of("destination", destination),
                            Long.class);
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
        List<String> status =
                storage.jdbc().queryForList("SELECT status FROM delivery WHERE id = :id", parameters, String.class);
        if (status.isEmpty()) {
            return Replay.NOT_FOUND;
        }
        boolean claimed =
                switch (status.get(0)) {
                    case "DEAD" ->
                        storage.jdbc()
                                        .update(
                                                "UPDATE delivery SET status = 'REPLAYED' WHERE id = :id AND status = 'DEAD'",
                                                parameters)
                                == 1;
                    case "DELIVERED" -> true;
                    default -> false;
                };
        if (!claimed) {
            return Replay.NOT_FINISHED;
        }
        // received_at of the copy is the replay request: its age and latency count from now
        storage.jdbc()
                .update(
                        "INSERT INTO delivery (event_id, destination, ordering_key, status, attempts, next_attempt_at, replay, "
                                + "received_at, created_at) SELECT event_id, destination, ordering_key, 'PENDING', 0, :now, TRUE, :now, :now "
                                + "FROM delivery WHERE id = :id",
                        parameters);
        return Replay.QUEUED;
    }

    /** What a backfill did with the events of its window. */
    public record Backfill(int queued, int alreadyQueued, int notWanted) {}

    /**
     * Queues for the destination every event received in {@code [from, to)} that it wants and that has no delivery to
     * it yet, in receipt order, each at the back of its vehicle's queue. One backfill of a destination at a time,
     * across instances (a lock on its {@code destination_state} row), so that no event is queued twice.
     */
    public Backfill backfill(
            String destination, Predicate<CanonicalEvent> wants, Instant from, Instant to, Instant now) {
        ensureStateRow(destination);
        return storage.transactions().execute(status -> {
            MapSqlParameterSource parameters = new MapSqlParameterSource()
                    .addValue("destination", destination)
                    .addValue("from", SqlTime.offset(from))
                    .addValue("to", SqlTime.offset(to))
                    .addValue("now", SqlTime.offset(now));
            lockDestination(destination);
            List<MapSqlParameterSource> queue = new ArrayList<>();
            int[] counts = new int[2]; // already queued, not wanted
            storage.jdbc()
                    .query(
                            "SELECT e.event_id, e.event_type, e.recognised, e.vehicle_id, e.mode, "
                                    + "EXISTS (SELECT 1 FROM delivery d WHERE d.event_id = e.event_id AND d.destination = :destination) AS queued "
                                    + "FROM webhook_event e WHERE e.received_at >= :from AND e.received_at < :to ORDER BY e.received_at, e.event_id",
                            parameters,
                            rows -> {
                                CanonicalEvent event = new CanonicalEvent(
                                        rows.getString("event_id"),
                                        rows.getString("event_type"),
                                        rows.getBoolean("recognised"),
                                        rows.getString("vehicle_id"),
                                        null,
                                        rows.getString("mode"),
                                        null,
                                        null,
                                        null,
                                        null);
                                if (rows.getBoolean("queued")) {
                                    counts[0]++;
                                } else if (!wants.test(event)) {
                                    counts[1]++;
                                } else {
                                    queue.add(new MapSqlParameterSource(parameters.getValues())
                                            .addValue("eventId", event.eventId())
                                            .addValue(
                                                    "orderingKey",
                                                    event.vehicleId() != null ? event.vehicleId() : event.eventId()));
                                }
                            });
            // received_at is the backfill's: its retry age counts from now, like a replay's
            storage.jdbc()
                    .batchUpdate(
                            "INSERT INTO delivery (event_id, destination, ordering_key, status, attempts, next_attempt_at, "
                                    + "replay, received_at, created_at) VALUES (:eventId, :destination, :orderingKey, 'PENDING', 0, :now, FALSE, :now, :now)",
                            queue.toArray(MapSqlParameterSource[]::new));
            return new Backfill(queue.size(), counts[0], counts[1]);
        });
    }

    /** A destination's state row (unpaused when new), outside any transaction: the row a backfill locks. */
    private void ensureStateRow(String destination) {
        try {
            storage.jdbc()
                    .update(
                            "INSERT INTO destination_state (destination, paused) SELECT :destination, FALSE WHERE NOT EXISTS "
                                    + "(SELECT 1 FROM destination_state WHERE destination = :destination)",
                            Map.of("destination", destination));
        } catch (DuplicateKeyException insertedMeanwhile) {
            // there it is
        }
    }

    /** Holds the destination's state row until the transaction ends. */
    private void lockDestination(String destination) {
        storage.jdbc()
                .queryForList(
                        "SELECT destination FROM destination_state WHERE destination = :destination FOR UPDATE",
                        Map.of("destination", destination),
                        String.class);
    }

    /** Deletes a dead letter and its attempts; false when there is no dead letter with that id. */
    public boolean purgeDead(long deliveryId) {
        return storage.jdbc()
                        .update("DELETE FROM delivery WHERE id = :id AND status = 'DEAD'", Map.of("id", deliveryId))
                == 1;
    }

    private static void setNullableInt(PreparedStatement statement, int index, Integer value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.INTEGER);
        } else {
            statement.setInt(index, value);
        }
    }
}
