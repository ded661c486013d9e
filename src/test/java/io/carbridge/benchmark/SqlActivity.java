package io.carbridge.benchmark;

import io.carbridge.benchmark.Figures.DatabaseActivity;
import io.carbridge.benchmark.Figures.LockWaits;
import io.carbridge.benchmark.Figures.StatementFigures;
import io.carbridge.benchmark.Figures.TableFigures;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What PostgreSQL did for one service during one load, from its own statistics: every statement the service's database
 * ran ({@code pg_stat_statements}, reset for that database as the load starts, read as it ends), the rows each of its
 * tables took ({@code pg_stat_user_tables}, the difference over the load), and the lock waits of its backends
 * ({@code pg_stat_activity} and {@code pg_locks} sampled every {@value #SAMPLE_MILLIS} ms). The statistics are read
 * over connections to the server's {@code postgres} database, so that the benchmark's own queries are not counted with
 * the service's (the table counts, which only the service's database shows, are read before the reset and after the
 * read).
 *
 * <p>Each statement is put on the intake's side or the delivery's by its text ({@link #side}).
 * {@code pg_stat_statements} does not count a {@code COMMIT} that the JDBC driver sends as a server-side prepared
 * statement (it does so from a connection's fifth commit on), while it counts every {@code BEGIN} (sent with the
 * transaction's first statement): so transactions are counted by their {@code BEGIN}, and each is two statements, its
 * {@code BEGIN} and its end. Which transactions are the intake's is told by its one statement per transaction, the
 * duplicate check ({@link #INTAKE_TRANSACTION}); see {@link DatabaseActivity#of}.
 *
 * <p>H2 runs inside the service and keeps no such statistics: {@link #NONE}.
 */
final class SqlActivity {

    /** What the benchmark's PostgreSQL server starts with, besides its durable commits. */
    static final List<String> SERVER_SETTINGS = List.of(
            "shared_preload_libraries=pg_stat_statements",
            "pg_stat_statements.track_utility=on",
            "pg_stat_statements.max=10000");

    static final long SAMPLE_MILLIS = 50;
    /**
     * Backends report their table counts at most once a second: a load's window opens after a second without load, so
     * that the previous load's counts are in before it.
     */
    private static final Duration SETTLE = Duration.ofMillis(1_100);

    /** The intake's statement that runs once per transaction of its group commit: its duplicate check. */
    static final String INTAKE_TRANSACTION = "from webhook_event where event_id = any";
    /** Statements of the delivery engine: claims, outcomes, attempts, the pause, claims given back. */
    private static final List<String> DELIVERY = List.of(
            "pg_advisory_xact_lock",
            "update delivery set",
            "delivery_attempt",
            "set local ",
            "from delivery d join webhook_event e",
            "destination_state",
            "with due as",
            "listen ",
            "unlisten ");
    /**
     * Statements of the intake: the event, its outbox rows, the vehicle's facts and state, the intake's counts, a
     * wake-up.
     */
    private static final List<String> INTAKE = List.of(
            INTAKE_TRANSACTION,
            "insert into webhook_event",
            "insert into delivery ",
            "insert into delivery(",
            "update vehicle set",
            "insert into vehicle ",
            "vehicle_signal",
            "error_repeat",
            "intake_count",
            "notify ",
            "pg_notify(");

    /** No statistics: H2. */
    static final SqlActivity NONE = new SqlActivity(null, null, null, null);

    private final String monitorUrl;
    private final String serviceUrl;
    private final String database;
    private final String user;

    /**
     * @param monitorUrl the server's {@code postgres} database, where the extension is
     * @param serviceUrl the service's database
     */
    SqlActivity(String monitorUrl, String serviceUrl, String database, String user) {
        this.monitorUrl = monitorUrl;
        this.serviceUrl = serviceUrl;
        this.database = database;
        this.user = user;
    }

    /** Makes {@code pg_stat_statements} readable in the server's {@code postgres} database; once per server. */
    static void install(String monitorUrl, String user) {
        try (Connection connection = DriverManager.getConnection(monitorUrl, user, "");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "pg_stat_statements could not be created (the server starts with " + SERVER_SETTINGS + ")", e);
        }
    }

    /** The side of a statement, by its text (as {@code pg_stat_statements} shows it: constants as {@code $n}). */
    static String side(String query) {
        String sql = query.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").trim();
        if (sql.equals("begin")
                || sql.startsWith("begin ")
                || sql.startsWith("start transaction")
                || sql.equals("commit")
                || sql.startsWith("commit ")
                || sql.equals("end")
                || sql.equals("rollback")
                || sql.startsWith("rollback ") && !sql.startsWith("rollback to")) {
            return DatabaseActivity.TRANSACTION;
        }
        if (DELIVERY.stream().anyMatch(sql::contains)) {
            return DatabaseActivity.DELIVERY;
        }
        if (INTAKE.stream().anyMatch(sql::contains)) {
            return DatabaseActivity.INTAKE;
        }
        return DatabaseActivity.OTHER;
    }

    static boolean isBegin(String query) {
        String sql = query.trim().toLowerCase(Locale.ROOT);
        return sql.startsWith("begin") || sql.startsWith("start transaction");
    }

    static boolean isIntakeTransaction(String query) {
        return query.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").contains(INTAKE_TRANSACTION);
    }

    /**
     * Opens a window on the database: waits a second without load (see {@link #SETTLE}), takes the table counts, resets
     * the database's statement statistics, starts sampling lock waits.
     */
    Window start() {
        if (this == NONE) {
            return null;
        }
        sleep(SETTLE);
        return new Window(tables(), resetStatements());
    }

    /** One load's window; {@link #stop} closes it. */
    final class Window {

        private final Map<String, TableFigures> tablesBefore;
        private final long startedNanos;
        private final LockSampler sampler = new LockSampler();
        private final Thread sampling;

        private Window(Map<String, TableFigures> tablesBefore, long startedNanos) {
            this.tablesBefore = tablesBefore;
            this.startedNanos = startedNanos;
            this.sampling = new Thread(sampler, "benchmark-lock-sampler");
            sampling.setDaemon(true);
            sampling.start();
        }

        /**
         * Reads the statements and the table counts now, and what the lock samples found.
         *
         * @param intakeOnly whether the delivery engine had nothing to do meanwhile (its destination paused)
         * @param acceptedEvents events the intake accepted (202) during the load
         * @param deliveries deliveries the sink took during the load
         */
        DatabaseActivity stop(String load, boolean intakeOnly, long acceptedEvents, LongSupplier deliveries) {
            List<StatementFigures> statements = statements();
            long deliveredMeanwhile = deliveries.getAsLong();
            double seconds = (System.nanoTime() - startedNanos) / 1e9;
            Map<String, TableFigures> tables = difference(tablesBefore, tables());
            sampler.running = false;
            try {
                sampling.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return DatabaseActivity.of(
                    load,
                    seconds,
                    intakeOnly,
                    acceptedEvents,
                    deliveredMeanwhile,
                    statements,
                    tables,
                    sampler.figures());
        }
    }

    private long resetStatements() {
        try (Connection connection = DriverManager.getConnection(monitorUrl, user, "");
                PreparedStatement reset = connection.prepareStatement(
                        "SELECT pg_stat_statements_reset(0::oid, (SELECT oid FROM pg_database WHERE datname = ?), 0::bigint)")) {
            reset.setString(1, database);
            reset.execute();
            return System.nanoTime();
        } catch (SQLException e) {
            throw new IllegalStateException("could not reset pg_stat_statements of " + database, e);
        }
    }

    /** Every statement the database ran since the reset, top-level ones only. */
    private List<StatementFigures> statements() {
        List<StatementFigures> statements = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(monitorUrl, user, "");
                PreparedStatement select = connection.prepareStatement(
                        "SELECT s.query, s.calls, s.rows, s.total_exec_time, "
                                + "s.shared_blks_hit, s.shared_blks_read, s.shared_blks_dirtied, s.wal_bytes FROM pg_stat_statements s "
                                + "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = ? AND s.toplevel ORDER BY s.total_exec_time DESC")) {
            select.setString(1, database);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    String query = rows.getString("query");
                    statements.add(new StatementFigures(
                            side(query),
                            query,
                            rows.getLong("calls"),
                            rows.getLong("rows"),
                            rows.getDouble("total_exec_time"),
                            rows.getLong("shared_blks_hit"),
                            rows.getLong("shared_blks_read"),
                            rows.getLong("shared_blks_dirtied"),
                            rows.getLong("wal_bytes")));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read pg_stat_statements of " + database, e);
        }
        return statements;
    }

    /** The rows each table of the service's database took so far, from {@code pg_stat_user_tables}. */
    private Map<String, TableFigures> tables() {
        Map<String, TableFigures> tables = new TreeMap<>();
        try (Connection connection = DriverManager.getConnection(serviceUrl, user, "");
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del, "
                                + "COALESCE(seq_tup_read, 0) AS seq_tup_read, COALESCE(idx_tup_fetch, 0) AS idx_tup_fetch FROM pg_stat_user_tables")) {
            while (rows.next()) {
                tables.put(
                        rows.getString("relname"),
                        new TableFigures(
                                rows.getLong("n_tup_ins"),
                                rows.getLong("n_tup_upd"),
                                rows.getLong("n_tup_hot_upd"),
                                rows.getLong("n_tup_del"),
                                rows.getLong("seq_tup_read"),
                                rows.getLong("idx_tup_fetch")));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read pg_stat_user_tables of " + database, e);
        }
        return tables;
    }

    /** What each table took between two readings; tables that took nothing are left out. */
    private static Map<String, TableFigures> difference(
            Map<String, TableFigures> before, Map<String, TableFigures> after) {
        Map<String, TableFigures> difference = new TreeMap<>();
        after.forEach((table, now) -> {
            TableFigures then = before.getOrDefault(table, new TableFigures(0, 0, 0, 0, 0, 0));
            TableFigures took = new TableFigures(
                    now.inserted() - then.inserted(),
                    now.updated() - then.updated(),
                    now.hotUpdated() - then.hotUpdated(),
                    now.deleted() - then.deleted(),
                    now.sequentiallyRead() - then.sequentiallyRead(),
                    now.indexFetched() - then.indexFetched());
            if (took.inserted() + took.updated() + took.deleted() + took.sequentiallyRead() + took.indexFetched()
                    != 0) {
                difference.put(table, took);
            }
        });
        return difference;
    }

    /**
     * Samples the service's backends every {@value #SAMPLE_MILLIS} ms: those waiting on a heavyweight lock
     * ({@code wait_event_type = 'Lock'}: a row, a transaction id, an advisory lock), the locks they have not been
     * granted, and what every active backend waits on.
     */
    private final class LockSampler implements Runnable {

        private static final String SAMPLE = "SELECT a.state, a.wait_event_type, a.wait_event, a.query, "
                + "(SELECT string_agg(l.locktype || ' ' || l.mode, ', ' ORDER BY l.locktype) FROM pg_locks l WHERE l.pid = a.pid "
                + "AND NOT l.granted) AS waiting_for FROM pg_stat_activity a WHERE a.datname = ? AND a.backend_type = 'client backend'";

        volatile boolean running = true;
        private int samples;
        private int samplesWithLockWait;
        private int samplesWithUngrantedLock;
        private long backendsWaitingOnLocks;
        private long activeBackends;
        private final Map<String, Long> ungrantedLocks = new HashMap<>();
        private final Map<String, Long> waitEvents = new HashMap<>();
        private final Map<String, Long> waitingStatements = new HashMap<>();
        private String failure;

        @Override
        public void run() {
            try (Connection connection = DriverManager.getConnection(monitorUrl, user, "");
                    PreparedStatement sample = connection.prepareStatement(SAMPLE)) {
                sample.setString(1, database);
                while (running) {
                    long next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SAMPLE_MILLIS);
                    sample(sample);
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
            } catch (SQLException e) {
                failure = e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void sample(PreparedStatement sample) throws SQLException {
            boolean lockWait = false;
            boolean ungranted = false;
            try (ResultSet rows = sample.executeQuery()) {
                while (rows.next()) {
                    String waitType = rows.getString("wait_event_type");
                    String waitingFor = rows.getString("waiting_for");
                    if (waitingFor != null) {
                        ungranted = true;
                        ungrantedLocks.merge(waitingFor, 1L, Long::sum);
                    }
                    if (!"active".equals(rows.getString("state"))) {
                        continue;
                    }
                    activeBackends++;
                    waitEvents.merge(
                            waitType == null ? "none (on CPU)" : waitType + ": " + rows.getString("wait_event"),
                            1L,
                            Long::sum);
                    if ("Lock".equals(waitType)) {
                        lockWait = true;
                        backendsWaitingOnLocks++;
                        waitingStatements.merge(shortened(rows.getString("query")), 1L, Long::sum);
                    }
                }
            }
            samples++;
            samplesWithLockWait += lockWait ? 1 : 0;
            samplesWithUngrantedLock += ungranted ? 1 : 0;
        }

        LockWaits figures() {
            return new LockWaits(
                    SAMPLE_MILLIS,
                    samples,
                    samplesWithLockWait,
                    samplesWithUngrantedLock,
                    backendsWaitingOnLocks,
                    activeBackends,
                    new TreeMap<>(ungrantedLocks),
                    new TreeMap<>(waitEvents),
                    new TreeMap<>(waitingStatements),
                    failure);
        }
    }

    /** A statement's text on one line, cut to 120 characters. */
    static String shortened(String query) {
        String line = query == null ? "" : query.replaceAll("\\s+", " ").trim();
        return line.length() <= 120 ? line : line.substring(0, 117) + "...";
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
