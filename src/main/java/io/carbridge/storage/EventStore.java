package io.carbridge.storage;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.sql.DataSource;

import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores events durably with group commit: concurrent requests hand their event to one writer thread, which commits
 * everything waiting in a single transaction (events plus their outbox rows) and only then releases the requests. One
 * commit per batch instead of one per request is what lets a durable database keep up with a burst of webhooks.
 */
public final class EventStore extends ServiceSupport {

    public enum Outcome { STORED, DUPLICATE }

    private static final Logger LOG = LoggerFactory.getLogger(EventStore.class);
    private static final String UNIQUE_VIOLATION = "23505";

    private static final String SELECT_EXISTING = "SELECT event_id FROM webhook_event WHERE event_id = ANY (?)";
    private static final String INSERT_EVENT = "INSERT INTO webhook_event (event_id, event_type, recognised, vehicle_id, "
            + "event_time, mode, webhook_id, envelope_version, received_at, raw_body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String INSERT_DELIVERY = "INSERT INTO delivery (event_id, destination, ordering_key, status, "
            + "attempts, next_attempt_at, replay, received_at, created_at) VALUES (?, ?, ?, 'PENDING', 0, ?, FALSE, ?, ?)";

    private final DataSource dataSource;
    private final OutboxRouting routing;
    private final Runnable afterCommit;
    private final BlockingQueue<PendingWrite> queue;
    private final int maxBatch;
    private final Duration commitTimeout;
    private volatile boolean running;
    private Thread writer;

    /**
     * @param routing       which destinations get an outbox row for an event
     * @param afterCommit   called after each commit that stored outbox rows (wakes the delivery engine)
     * @param maxBatch      the most events committed together
     * @param commitTimeout how long a request waits for its commit before the intake answers 503
     */
    public EventStore(DataSource dataSource, OutboxRouting routing, Runnable afterCommit, int maxBatch, Duration commitTimeout) {
        this.dataSource = dataSource;
        this.routing = routing;
        this.afterCommit = afterCommit;
        this.maxBatch = maxBatch;
        this.commitTimeout = commitTimeout;
        this.queue = new ArrayBlockingQueue<>(maxBatch * 16);
    }

    /** Blocks until the event is committed (or known to be there already); throws if that cannot happen in time. */
    public Outcome store(CanonicalEvent event) {
        PendingWrite write = new PendingWrite(event, new CompletableFuture<>());
        try {
            if (!running || !queue.offer(write, commitTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new StorageUnavailableException("the event store is not accepting writes", null);
            }
            return write.result().get(commitTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageUnavailableException("interrupted while waiting for the commit", e);
        } catch (TimeoutException e) {
            throw new StorageUnavailableException("the database did not commit within " + commitTimeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof StorageUnavailableException unavailable
                    ? unavailable : new StorageUnavailableException("the event could not be stored", e.getCause());
        }
    }

    @Override
    protected void doStart() {
        running = true;
        writer = new Thread(this::writeLoop, "event-store-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** Commits what is queued, then stops: runs after the routes stopped taking requests. */
    @Override
    protected void doStop() throws InterruptedException {
        running = false;
        if (writer != null) {
            writer.join(commitTimeout.toMillis() * 2);
        }
    }

    private void writeLoop() {
        List<PendingWrite> batch = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty()) {
            try {
                PendingWrite first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("Event store writer failed on a batch of {}", batch.size(), e);
                batch.forEach(write -> write.result().completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<PendingWrite> batch) {
        try {
            boolean outboxWritten = commitTogether(batch);
            if (outboxWritten) {
                afterCommit.run();
            }
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                // another instance stored one of these ids between our check and our insert: settle them one by one
                commitOneByOne(batch);
            } else {
                StorageUnavailableException failure = new StorageUnavailableException("database error " + e.getSQLState(), e);
                LOG.warn("Could not store {} event(s): {}", batch.size(), e.getMessage());
                batch.forEach(write -> write.result().completeExceptionally(failure));
            }
        }
    }

    /** One transaction for the whole batch; completes every write. Returns whether any outbox row was written. */
    private boolean commitTogether(List<PendingWrite> batch) throws SQLException {
        List<PendingWrite> fresh = new ArrayList<>(batch.size());
        List<PendingWrite> duplicates = new ArrayList<>();
        int outboxRows;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                Set<String> known = existingIds(connection, batch);
                for (PendingWrite write : batch) {
                    (known.add(write.event().eventId()) ? fresh : duplicates).add(write);
                }
                outboxRows = insert(connection, fresh);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        fresh.forEach(write -> write.result().complete(Outcome.STORED));
        duplicates.forEach(write -> write.result().complete(Outcome.DUPLICATE));
        return outboxRows > 0;
    }

    private void commitOneByOne(List<PendingWrite> batch) {
        boolean outboxWritten = false;
        for (PendingWrite write : batch) {
            try {
                outboxWritten |= commitTogether(List.of(write));
            } catch (SQLException e) {
                if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    write.result().complete(Outcome.DUPLICATE);
                } else {
                    write.result().completeExceptionally(new StorageUnavailableException("database error " + e.getSQLState(), e));
                }
            }
        }
        if (outboxWritten) {
            afterCommit.run();
        }
    }

    private static Set<String> existingIds(Connection connection, List<PendingWrite> batch) throws SQLException {
        Object[] ids = batch.stream().map(write -> write.event().eventId()).toArray();
        Set<String> existing = new HashSet<>();
        try (PreparedStatement select = connection.prepareStatement(SELECT_EXISTING)) {
            Array array = connection.createArrayOf("VARCHAR", ids);
            select.setArray(1, array);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    existing.add(rows.getString(1));
                }
            }
        }
        return existing;
    }

    private int insert(Connection connection, List<PendingWrite> writes) throws SQLException {
        if (writes.isEmpty()) {
            return 0;
        }
        Instant now = Instant.now();
        int outboxRows = 0;
        try (PreparedStatement events = connection.prepareStatement(INSERT_EVENT);
             PreparedStatement deliveries = connection.prepareStatement(INSERT_DELIVERY)) {
            for (PendingWrite write : writes) {
                CanonicalEvent event = write.event();
                events.setString(1, event.eventId());
                events.setString(2, event.eventType());
                events.setBoolean(3, event.recognised());
                events.setString(4, event.vehicleId());
                SqlTime.set(events, 5, event.eventTime());
                events.setString(6, event.mode());
                events.setString(7, event.webhookId());
                events.setString(8, event.envelopeVersion());
                SqlTime.set(events, 9, event.receivedAt());
                events.setBytes(10, event.rawBody());
                events.addBatch();
                if (!event.recognised()) {
                    continue;
                }
                for (String destination : routing.destinationsFor(event)) {
                    deliveries.setString(1, event.eventId());
                    deliveries.setString(2, destination);
                    deliveries.setString(3, event.vehicleId() != null ? event.vehicleId() : event.eventId());
                    SqlTime.set(deliveries, 4, now);
                    SqlTime.set(deliveries, 5, event.receivedAt());
                    SqlTime.set(deliveries, 6, now);
                    deliveries.addBatch();
                    outboxRows++;
                }
            }
            events.executeBatch();
            if (outboxRows > 0) {
                deliveries.executeBatch();
            }
        }
        return outboxRows;
    }

    private record PendingWrite(CanonicalEvent event, CompletableFuture<Outcome> result) {
    }
}
