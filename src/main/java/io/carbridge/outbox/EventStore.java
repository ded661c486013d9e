package io.carbridge.outbox;

import io.carbridge.state.VehicleStateWriter;
import io.carbridge.storage.CanonicalEvent;
import io.carbridge.storage.GroupCommit;
import io.carbridge.storage.SqlTime;
import io.carbridge.storage.StorageUnavailableException;
import io.carbridge.storage.VehicleFacts;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;

/**
 * What {@code to: outbox:all} does: stores events durably through a {@link GroupCommit}. The events of concurrent
 * requests, their outbox rows and what they say about their vehicles are committed together, and each request is
 * released only once its event is committed (or known to be there already).
 */
final class EventStore extends ServiceSupport {

    public enum Outcome {
        STORED,
        DUPLICATE
    }

    /**
     * What became of an event: stored or a duplicate; when stored as a repeat of an error received shortly before (see
     * {@link VehicleStateWriter#repeats}), the event it repeats, and it has no deliveries.
     */
    record Stored(Outcome outcome, String repeatOf) {
        static final Stored STORED = new Stored(Outcome.STORED, null);
        static final Stored DUPLICATE = new Stored(Outcome.DUPLICATE, null);
    }

    private static final String UNIQUE_VIOLATION = "23505";

    private static final String SELECT_EXISTING = "SELECT event_id FROM webhook_event WHERE event_id = ANY (?)";
    private static final String INSERT_EVENT =
            "INSERT INTO webhook_event (event_id, event_type, recognised, vehicle_id, "
                    + "event_time, mode, webhook_id, envelope_version, received_at, raw_body, event_time_unreadable, repeat_of, "
                    + "signal_time_unreadable, trace_parent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String INSERT_DELIVERY = "INSERT INTO delivery (event_id, destination, ordering_key, status, "
            + "attempts, next_attempt_at, replay, received_at, created_at) VALUES (?, ?, ?, 'PENDING', 0, ?, FALSE, ?, ?)";
    private static final String UPDATE_VEHICLE =
            "UPDATE vehicle SET user_id = COALESCE(?, user_id), make = COALESCE(?, make), "
                    + "model = COALESCE(?, model), model_year = COALESCE(?, model_year), updated_at = ? WHERE vehicle_id = ?";
    private static final String INSERT_VEHICLE =
            "INSERT INTO vehicle (user_id, make, model, model_year, updated_at, vehicle_id) "
                    + "VALUES (?, ?, ?, ?, ?, ?)";
    /** The first FIRST_DELIVERY confirms a subscription; so does the first after a new subscription (subscribed_at). */
    private static final String CONFIRM_SUBSCRIPTION =
            "UPDATE vehicle SET subscription_confirmed_at = ?, updated_at = ? "
                    + "WHERE vehicle_id = ? AND (subscription_confirmed_at IS NULL OR subscription_confirmed_at < subscribed_at)";

    private static final int REMEMBERED_VEHICLES = 10_000;

    private final DataSource dataSource;
    private final OutboxRouting routing;
    private final Runnable afterOutboxWrite;
    private final Duration commitTimeout;
    private final GroupCommit<Submitted, Stored> writer;
    /** The vehicles' state, written with the events; null when none is kept. Set before the writer starts. */
    private VehicleStateWriter state;
    /**
     * The vehicle facts last committed for each vehicle (writer thread only): a stream of events about one vehicle
     * writes them once.
     */
    private final Map<String, VehicleFacts> writtenFacts = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, VehicleFacts> eldest) {
            return size() > REMEMBERED_VEHICLES;
        }
    };

    /**
     * @param routing which destinations get an outbox row for an event
     * @param afterOutboxWrite called after a commit that wrote outbox rows (wakes the consumers)
     * @param maxBatch the most events committed together
     * @param commitTimeout how long a request waits for its commit before the intake answers 503
     * @param minCommitInterval the shortest time between two commits under steady load, see {@link GroupCommit}
     */
    EventStore(
            DataSource dataSource,
            OutboxRouting routing,
            Runnable afterOutboxWrite,
            int maxBatch,
            Duration commitTimeout,
            Duration minCommitInterval) {
        this.dataSource = dataSource;
        this.routing = routing;
        this.afterOutboxWrite = afterOutboxWrite;
        this.commitTimeout = commitTimeout;
        this.writer = new GroupCommit<>(
                "event-store-writer", this::commit, maxBatch, minCommitInterval, commitTimeout.multipliedBy(2));
    }

    /** Keeps the vehicles' state in the transactions that store events; before {@link #start()}. */
    void keepVehicleState(VehicleStateWriter state) {
        this.state = state;
    }

    /** An event to store, with the trace context stored with it (null when not traced, see {@link OutboxTracing}). */
    private record Submitted(CanonicalEvent event, String traceParent) {}

    /**
     * Blocks until the event is committed (or known to be there already); throws if that cannot happen in time.
     *
     * @param traceParent the W3C trace context stored with a new event, or null
     */
    Stored store(CanonicalEvent event, String traceParent) {
        try {
            // one deadline for queueing and committing: the answer must reach Smartcar well within its 15 s
            long deadline = System.nanoTime() + commitTimeout.toNanos();
            CompletableFuture<Stored> committed = writer.submit(new Submitted(event, traceParent), commitTimeout);
            return committed.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageUnavailableException("interrupted while waiting for the commit", e);
        } catch (TimeoutException e) {
            throw new StorageUnavailableException(
                    "the database did not commit within " + commitTimeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof StorageUnavailableException unavailable
                    ? unavailable
                    : new StorageUnavailableException("the event could not be stored", e.getCause());
        }
    }

    /**
     * Its writer's thread comes from the context's {@link org.apache.camel.spi.ExecutorServiceManager}; before start.
     */
    void useThreadsOf(CamelContext camelContext) {
        writer.setCamelContext(camelContext);
    }

    @Override
    protected void doStart() {
        writer.start();
    }

    @Override
    protected void doStop() {
        writer.stop();
    }

    private List<Stored> commit(List<Submitted> submitted) throws SQLException {
        List<CanonicalEvent> events = new ArrayList<>(submitted.size());
        Map<String, String> traceParents = Map.of();
        for (Submitted one : submitted) {
            events.add(one.event());
            if (one.traceParent() != null) {
                if (traceParents.isEmpty()) {
                    traceParents = new HashMap<>();
                }
                traceParents.putIfAbsent(one.event().eventId(), one.traceParent());
            }
        }
        try {
            return commitTogether(events, traceParents);
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw e;
            }
            // another instance stored one of these ids between our check and our insert: settle them one by one
            List<Stored> outcomes = new ArrayList<>(events.size());
            for (CanonicalEvent event : events) {
                try {
                    outcomes.add(commitTogether(List.of(event), traceParents).get(0));
                } catch (SQLException single) {
                    if (!UNIQUE_VIOLATION.equals(single.getSQLState())) {
                        throw single;
                    }
                    outcomes.add(Stored.DUPLICATE);
                }
            }
            return outcomes;
        }
    }

    /**
     * One transaction for all the events: the new ones are inserted with their outbox rows (none for a repeat of an
     * error), their vehicle facts and the vehicles' state; the others are duplicates.
     */
    private List<Stored> commitTogether(List<CanonicalEvent> events, Map<String, String> traceParents)
            throws SQLException {
        List<Stored> outcomes = new ArrayList<>(events.size());
        List<CanonicalEvent> fresh = new ArrayList<>(events.size());
        int outboxRows;
        Map<String, VehicleFacts> facts;
        VehicleStateWriter.Written stateWritten = null;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                Set<String> known = existingIds(connection, events);
                for (CanonicalEvent event : events) {
                    boolean isNew = known.add(event.eventId());
                    if (isNew) {
                        fresh.add(event);
                    }
                }
                Map<String, String> repeats =
                        state == null || fresh.isEmpty() ? Map.of() : state.repeats(connection, fresh);
                for (int i = 0, next = 0; i < events.size(); i++) {
                    CanonicalEvent event = events.get(i);
                    boolean isNew = next < fresh.size() && fresh.get(next) == event;
                    next += isNew ? 1 : 0;
                    String repeatOf = isNew ? repeats.get(event.eventId()) : null;
                    outcomes.add(
                            !isNew
                                    ? Stored.DUPLICATE
                                    : repeatOf == null ? Stored.STORED : new Stored(Outcome.STORED, repeatOf));
                }
                outboxRows = insert(connection, fresh, repeats, traceParents);
                facts = writeVehicleFacts(connection, fresh);
                if (state != null && !fresh.isEmpty()) {
                    stateWritten = state.write(connection, fresh, Instant.now());
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        writtenFacts.putAll(facts);
        if (stateWritten != null) {
            stateWritten.committed();
        }
        if (outboxRows > 0) {
            afterOutboxWrite.run();
        }
        return outcomes;
    }

    /**
     * Writes the vehicle facts of the new events that differ from what was last written, and confirms the subscriptions
     * of FIRST_DELIVERY events; returns the facts written. A vehicle another transaction inserts meanwhile is updated
     * instead, within a savepoint: the events of the batch are not affected.
     */
    private Map<String, VehicleFacts> writeVehicleFacts(Connection connection, List<CanonicalEvent> events)
            throws SQLException {
        Map<String, VehicleFacts> written = new HashMap<>();
        Instant now = Instant.now();
        for (CanonicalEvent event : events) {
            VehicleFacts facts = event.vehicleFacts();
            if (facts == null) {
                continue;
            }
            VehicleFacts attributes = facts.attributes();
            if (!attributes.equals(written.getOrDefault(facts.vehicleId(), writtenFacts.get(facts.vehicleId())))) {
                upsertVehicle(connection, attributes, now);
                written.put(facts.vehicleId(), attributes);
            }
            if (facts.firstDelivery()) {
                try (PreparedStatement confirm = connection.prepareStatement(CONFIRM_SUBSCRIPTION)) {
                    SqlTime.set(confirm, 1, event.receivedAt());
                    SqlTime.set(confirm, 2, now);
                    confirm.setString(3, facts.vehicleId());
                    confirm.executeUpdate();
                }
            }
        }
        return written;
    }

    private static void upsertVehicle(Connection connection, VehicleFacts facts, Instant now) throws SQLException {
        if (writeVehicle(connection, UPDATE_VEHICLE, facts, now) == 1) {
            return;
        }
        Savepoint beforeInsert = connection.setSavepoint();
        try {
            writeVehicle(connection, INSERT_VEHICLE, facts, now);
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw e;
            }
            connection.rollback(beforeInsert); // inserted meanwhile by another transaction (the sync, another instance)
            writeVehicle(connection, UPDATE_VEHICLE, facts, now);
        }
    }

    /** UPDATE_VEHICLE and INSERT_VEHICLE take the same parameters in the same order. */
    private static int writeVehicle(Connection connection, String sql, VehicleFacts facts, Instant now)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, facts.userId());
            statement.setString(2, facts.make());
            statement.setString(3, facts.model());
            if (facts.year() == null) {
                statement.setNull(4, Types.INTEGER);
            } else {
                statement.setInt(4, facts.year());
            }
            SqlTime.set(statement, 5, now);
            statement.setString(6, facts.vehicleId());
            return statement.executeUpdate();
        }
    }

    private static Set<String> existingIds(Connection connection, List<CanonicalEvent> events) throws SQLException {
        Set<String> existing = new HashSet<>();
        try (PreparedStatement select = connection.prepareStatement(SELECT_EXISTING)) {
            Array ids = connection.createArrayOf(
                    "VARCHAR", events.stream().map(CanonicalEvent::eventId).toArray());
            select.setArray(1, ids);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    existing.add(rows.getString(1));
                }
            }
        }
        return existing;
    }

    private int insert(
            Connection connection,
            List<CanonicalEvent> events,
            Map<String, String> repeats,
            Map<String, String> traceParents)
            throws SQLException {
        if (events.isEmpty()) {
            return 0;
        }
        Instant now = Instant.now();
        int outboxRows = 0;
        try (PreparedStatement eventRows = connection.prepareStatement(INSERT_EVENT);
                PreparedStatement deliveryRows = connection.prepareStatement(INSERT_DELIVERY)) {
            for (CanonicalEvent event : events) {
                eventRows.setString(1, event.eventId());
                eventRows.setString(2, event.eventType());
                eventRows.setBoolean(3, event.recognised());
                eventRows.setString(4, event.vehicleId());
                SqlTime.set(eventRows, 5, event.eventTime());
                eventRows.setString(6, event.mode());
                eventRows.setString(7, event.webhookId());
                eventRows.setString(8, event.envelopeVersion());
                SqlTime.set(eventRows, 9, event.receivedAt());
                eventRows.setBytes(10, event.rawBody());
                eventRows.setBoolean(11, event.eventTimeUnreadable());
                String repeatOf = repeats.get(event.eventId());
                eventRows.setString(12, repeatOf);
                eventRows.setBoolean(13, event.signalTimeUnreadable());
                eventRows.setString(14, traceParents.get(event.eventId()));
                eventRows.addBatch();
                if (!event.recognised() || repeatOf != null) {
                    continue;
                }
                for (String destination : routing.destinationsFor(event)) {
                    deliveryRows.setString(1, event.eventId());
                    deliveryRows.setString(2, destination);
                    deliveryRows.setString(3, event.vehicleId() != null ? event.vehicleId() : event.eventId());
                    SqlTime.set(deliveryRows, 4, now);
                    SqlTime.set(deliveryRows, 5, event.receivedAt());
                    SqlTime.set(deliveryRows, 6, now);
                    deliveryRows.addBatch();
                    outboxRows++;
                }
            }
            eventRows.executeBatch();
            if (outboxRows > 0) {
                deliveryRows.executeBatch();
            }
        }
        return outboxRows;
    }
}
