package io.carbridge.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What H2 does in a background thread of its own, except with {@code WRITE_DELAY=0}, which the bridge needs (a commit
 * reaches the file before it returns) and which turns that thread off: the file is forced to the disk every second, and
 * the chunks its commits leave partly used are compacted in short rounds. Without it the file only grows: each commit
 * writes a new chunk, and a chunk is reused only once none of its pages is live and it is older than the retention time
 * (45 s by default, for a disk that has not flushed it yet). Measured: 1.7 GB for 274 MB of events; with this, 0.5 GB.
 *
 * <p>Forced every second, the file can let old chunks go after three seconds, more than two forces later, without a
 * power loss ever finding a chunk the last forced state needs overwritten. That is also what a power loss costs now:
 * the last second or two of commits, where H2 alone gave no bound. A {@code kill -9} costs nothing either way. Runs on
 * H2's own API ({@link MVStore}), which its SQL does not expose.
 */
final class H2Housekeeping extends ServiceSupport {

    private static final Duration SYNC_EVERY = Duration.ofSeconds(1);
    /**
     * Compaction runs in short rounds: a round holds the store's lock, and so every commit, while it rewrites. One
     * round of 16 MB a second held commits up to 320 ms, the intake's p99 at 1,000 events/s with them; ten a second
     * keep the same pace ({@link #COMPACT_BYTES_PER_SECOND}).
     */
    private static final Duration COMPACT_EVERY = Duration.ofMillis(100);

    private static final int RETENTION_MILLIS = 3_000;
    /** A chunk less full than this is rewritten, up to {@link #COMPACT_BYTES} a round. */
    private static final int COMPACT_FILL_RATE = 80;

    private static final int COMPACT_BYTES_PER_SECOND = 16 << 20;
    private static final int COMPACT_BYTES = (int) (COMPACT_BYTES_PER_SECOND * COMPACT_EVERY.toMillis() / 1_000);
    private static final Logger LOG = LoggerFactory.getLogger(H2Housekeeping.class);

    private final CamelContext camel;
    private final DataSource dataSource;
    private final Duration compactEvery;
    private final int retentionMillis;
    private ScheduledExecutorService timer;
    private MVStore store;

    H2Housekeeping(CamelContext camel, DataSource dataSource) {
        this(camel, dataSource, COMPACT_EVERY, RETENTION_MILLIS);
    }

    /** At another pace: a test that drives the rounds itself. */
    H2Housekeeping(CamelContext camel, DataSource dataSource, Duration compactEvery, int retentionMillis) {
        this.camel = camel;
        this.dataSource = dataSource;
        this.compactEvery = compactEvery;
        this.retentionMillis = retentionMillis;
    }

    @Override
    protected void doStart() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            SessionLocal session =
                    (SessionLocal) connection.unwrap(JdbcConnection.class).getSession();
            store = session.getDatabase().getStore().getMvStore();
        }
        store.setRetentionTime(retentionMillis);
        timer = camel.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "h2-housekeeping");
        long syncMillis = SYNC_EVERY.toMillis();
        timer.scheduleWithFixedDelay(this::sync, syncMillis, syncMillis, TimeUnit.MILLISECONDS);
        long compactMillis = compactEvery.toMillis();
        timer.scheduleWithFixedDelay(this::compact, compactMillis, compactMillis, TimeUnit.MILLISECONDS);
    }

    /** The file forced to the disk. */
    void sync() {
        whileOpen(store::sync);
    }

    /** One round of compaction: up to {@link #COMPACT_BYTES} of partly used chunks rewritten. */
    void compact() {
        whileOpen(() -> store.compact(COMPACT_FILL_RATE, COMPACT_BYTES));
    }

    private void whileOpen(Runnable task) {
        try {
            if (!store.isClosed()) {
                task.run();
            }
        } catch (RuntimeException e) { // the next round tries again; a scheduled task that throws is never run again
            LOG.warn("H2 housekeeping failed: {}", e.toString());
        }
    }

    @Override
    protected void doStop() {
        if (timer != null) {
            camel.getExecutorServiceManager().shutdownGraceful(timer);
        }
    }
}
