package io.carbridge.storage;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BiConsumer;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * The intake's outcomes per minute, for the console's charts: counted in memory as deliveries are answered, and added
 * to this instance's rows of {@code intake_count} every flush interval, on a thread of its own (never on the request
 * path). Counts the database did not take are kept for the next flush. A {@code kill -9} loses at most the last
 * interval's counts: statistics, never events.
 */
public final class IntakeCounts extends ServiceSupport {

    /**
     * The outcomes charted, each a column of {@code intake_count}; a challenge answer is not a delivery of an event.
     */
    public static final String[] OUTCOMES = {"accepted", "duplicate", "rejected", "unrecognised"};

    private static final Logger LOG = LoggerFactory.getLogger(IntakeCounts.class);
    private static final String ADD =
            "UPDATE intake_count SET accepted = accepted + :accepted, duplicate = duplicate + :duplicate, "
                    + "rejected = rejected + :rejected, unrecognised = unrecognised + :unrecognised "
                    + "WHERE minute_start = :minute AND instance_id = :instance";
    private static final String WRITTEN_PER_MINUTE = "SELECT minute_start, SUM(accepted) AS accepted, "
            + "SUM(duplicate) AS duplicate, SUM(rejected) AS rejected, SUM(unrecognised) AS unrecognised FROM intake_count "
            + "WHERE minute_start >= :from AND minute_start < :to GROUP BY minute_start";
    private static final String INSERT =
            "INSERT INTO intake_count (minute_start, instance_id, accepted, duplicate, rejected, "
                    + "unrecognised) VALUES (:minute, :instance, :accepted, :duplicate, :rejected, :unrecognised)";

    /** Counts not written yet, by epoch minute. */
    private final Map<Long, AtomicLongArray> pending = new ConcurrentSkipListMap<>();
    /** The counts of the minute a flush is writing now: taken out of {@link #pending}, not committed yet. */
    private volatile Map.Entry<Long, long[]> writing;

    private final NamedParameterJdbcTemplate jdbc;
    private final ExecutorServiceManager executors;
    private final String instanceId;
    private final Duration flushInterval;
    private ScheduledExecutorService flusher;
    private volatile boolean failing;

    IntakeCounts(
            NamedParameterJdbcTemplate jdbc,
            ExecutorServiceManager executors,
            String instanceId,
            Duration flushInterval) {
        this.jdbc = jdbc;
        this.executors = executors;
        this.instanceId = instanceId;
        this.flushInterval = flushInterval;
    }

    /** Counts one answered delivery under its intake outcome; outcomes that are not charted are ignored. */
    public void count(String outcome) {
        for (int column = 0; column < OUTCOMES.length; column++) {
            if (OUTCOMES[column].equals(outcome)) {
                long minute = System.currentTimeMillis() / 60_000;
                pending.computeIfAbsent(minute, m -> new AtomicLongArray(OUTCOMES.length))
                        .incrementAndGet(column);
                return;
            }
        }
    }

    /**
     * The counts every instance wrote, per minute of {@code [from, to)}: the sums in the order of {@link #OUTCOMES}.
     */
    public void written(Instant from, Instant to, BiConsumer<Instant, long[]> perMinute) {
        jdbc.query(WRITTEN_PER_MINUTE, Map.of("from", SqlTime.offset(from), "to", SqlTime.offset(to)), rows -> {
            long[] sums = new long[OUTCOMES.length];
            for (int outcome = 0; outcome < OUTCOMES.length; outcome++) {
                sums[outcome] = rows.getLong(OUTCOMES[outcome]);
            }
            perMinute.accept(SqlTime.get(rows, "minute_start"), sums);
        });
    }

    /**
     * The counts of this instance that are not in the database yet (the last flush interval's), by epoch minute, for
     * readers that add them to what the database holds: the current minute is then complete for this instance.
     */
    public Map<Long, long[]> unwritten() {
        Map<Long, long[]> unwritten = new TreeMap<>();
        pending.forEach((minute, counts) -> {
            long[] copy = new long[OUTCOMES.length];
            for (int column = 0; column < copy.length; column++) {
                copy[column] = counts.get(column);
            }
            unwritten.put(minute, copy);
        });
        Map.Entry<Long, long[]> inWrite = writing;
        if (inWrite != null) {
            long[] sum = unwritten.computeIfAbsent(inWrite.getKey(), minute -> new long[OUTCOMES.length]);
            for (int column = 0; column < sum.length; column++) {
                sum[column] += inWrite.getValue()[column];
            }
        }
        return unwritten;
    }

    @Override
    protected void doStart() {
        flusher = executors.newSingleThreadScheduledExecutor(this, "intake-counts");
        flusher.scheduleWithFixedDelay(
                this::flush, flushInterval.toMillis(), flushInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** After the routes stopped: what the last requests counted is written too. */
    @Override
    protected void doStop() {
        if (flusher != null) {
            executors.shutdownGraceful(flusher);
        }
        flush();
    }

    /**
     * Adds every pending count to the database, one minute at a time; a minute that fails is kept for the next flush.
     */
    void flush() {
        long currentMinute = System.currentTimeMillis() / 60_000;
        for (Map.Entry<Long, AtomicLongArray> entry : pending.entrySet()) {
            AtomicLongArray counts = entry.getValue();
            long[] drained = new long[OUTCOMES.length];
            boolean any = false;
            for (int column = 0; column < drained.length; column++) {
                drained[column] = counts.getAndSet(column, 0);
                any |= drained[column] != 0;
            }
            if (any) {
                writing = Map.entry(entry.getKey(), drained);
                boolean written = write(entry.getKey(), drained);
                if (!written) {
                    for (int column = 0; column < drained.length; column++) {
                        counts.addAndGet(column, drained[column]);
                    }
                }
                writing = null;
                if (!written) {
                    return;
                }
            }
            // a minute that ended a while ago gets no more counts: forget it
            if (entry.getKey() < currentMinute - 1) {
                pending.remove(entry.getKey());
            }
        }
    }

    private boolean write(long minute, long[] counts) {
        MapSqlParameterSource parameters = new MapSqlParameterSource()
                .addValue("minute", SqlTime.offset(Instant.ofEpochSecond(minute * 60)))
                .addValue("instance", instanceId);
        for (int column = 0; column < OUTCOMES.length; column++) {
            parameters.addValue(OUTCOMES[column], counts[column]);
        }
        try {
            if (jdbc.update(ADD, parameters) == 0) {
                try {
                    jdbc.update(INSERT, parameters);
                } catch (DuplicateKeyException insertedMeanwhile) {
                    jdbc.update(ADD, parameters);
                }
            }
            if (failing) {
                failing = false;
                LOG.info("Intake counts are written to the database again");
            }
            return true;
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                LOG.warn(
                        "Intake counts could not be written ({}); they are kept and written at the next flush",
                        e.getMessage());
            }
            return false;
        }
    }
}
