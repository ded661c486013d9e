package io.carbridge.benchmark;

import io.carbridge.testing.PostgresServer;
import io.carbridge.testing.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.h2.engine.Constants;

/**
 * A database kind the benchmark measures on: a fresh database for each service under test, what it takes on disk, and
 * how much data it holds. "Its data" is the bytes of the values in every row of every table: text and binary values at
 * their length (the event bodies, exactly as received, are most of it), numbers, booleans and timestamps at their
 * binary size (8 bytes for a timestamp, as PostgreSQL stores it). Indexes are not data: they are part of what a
 * database needs on top of it, as are free pages.
 */
abstract class BenchmarkDatabase {

    /** Binary sizes of the fixed-size column types; every other value counts as its length in bytes. */
    private static final Map<Integer, Integer> FIXED_SIZES = Map.of(
            Types.BIGINT,
            8,
            Types.INTEGER,
            4,
            Types.SMALLINT,
            2,
            Types.BOOLEAN,
            1,
            Types.BIT,
            1,
            Types.DOUBLE,
            8,
            Types.REAL,
            4,
            Types.DATE,
            4,
            Types.TIMESTAMP,
            8,
            Types.TIMESTAMP_WITH_TIMEZONE,
            8);

    private static final List<Integer> BYTE_STRINGS = List.of(
            Types.VARCHAR,
            Types.CHAR,
            Types.LONGVARCHAR,
            Types.CLOB,
            Types.BINARY,
            Types.VARBINARY,
            Types.LONGVARBINARY,
            Types.BLOB);

    private int databases;

    /** {@code h2} or {@code postgresql}, as {@code -Dbenchmark.db} names it. */
    abstract String key();

    /** How the figures name it. */
    abstract String label();

    /** A fresh, empty database; returns its JDBC URL. */
    final String newDatabase(String name) {
        return create(name + "_" + (++databases));
    }

    abstract String create(String name);

    /** The service's environment for the database at {@code url}. */
    abstract Map<String, String> environment(String url);

    /** The database server's process, when it runs apart from the service (its CPU is counted separately). */
    abstract Long serverPid();

    /** The bytes it takes on disk now (H2: the file, PostgreSQL: the database). */
    abstract long onDiskBytes(String url);

    /** Deletes what {@link #newDatabase} made, once its figures are taken. */
    abstract void drop(String url);

    /** One line on how it runs, for the figures' settings. */
    abstract String describe();

    /** The database user the services connect as (no password). */
    abstract String user();

    /** The database server's statistics of the database at {@code url}: {@link SqlActivity#NONE} on H2. */
    abstract SqlActivity sqlActivity(String url);

    /**
     * The bytes of its data per table, see above; H2 is read once the service stopped (it holds the file while it
     * runs).
     */
    final Map<String, Long> dataBytes(String url) {
        Map<String, Long> bytes = new LinkedHashMap<>();
        try (Connection connection = DriverManager.getConnection(url, user(), "")) {
            DatabaseMetaData metadata = connection.getMetaData();
            String quote = metadata.getIdentifierQuoteString();
            List<String> tables = new ArrayList<>();
            try (ResultSet rows = metadata.getTables(null, connection.getSchema(), "%", new String[] {"TABLE"})) {
                while (rows.next()) {
                    tables.add(rows.getString("TABLE_NAME"));
                }
            }
            for (String table : tables) {
                List<String> terms = new ArrayList<>();
                try (ResultSet columns = metadata.getColumns(null, connection.getSchema(), table, "%")) {
                    while (columns.next()) {
                        String column = quote + columns.getString("COLUMN_NAME") + quote;
                        int type = columns.getInt("DATA_TYPE");
                        terms.add(
                                FIXED_SIZES.containsKey(type)
                                        ? "COUNT(" + column + ") * " + FIXED_SIZES.get(type)
                                        : "COALESCE(SUM(OCTET_LENGTH("
                                                + (BYTE_STRINGS.contains(type)
                                                        ? column
                                                        : "CAST(" + column + " AS VARCHAR)")
                                                + ")), 0)");
                    }
                }
                try (Statement statement = connection.createStatement();
                        ResultSet sum = statement.executeQuery(
                                "SELECT " + String.join(" + ", terms) + " FROM " + quote + table + quote)) {
                    sum.next();
                    bytes.put(table.toLowerCase(Locale.ROOT), sum.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the data of " + url, e);
        }
        return bytes;
    }

    /** An H2 file database under {@code target/it-data}, as the service makes it durable: {@code WRITE_DELAY=0}. */
    static BenchmarkDatabase h2() {
        return new H2File();
    }

    /**
     * A database of its own on a PostgreSQL server the benchmark started with durable commits and
     * {@link SqlActivity#SERVER_SETTINGS}.
     */
    static BenchmarkDatabase postgres(PostgresServer server) {
        SqlActivity.install(server.url(), "postgres");
        return new Postgres(server);
    }

    private static final class H2File extends BenchmarkDatabase {

        private static final Path DIRECTORY = Path.of("target", "it-data");

        @Override
        String key() {
            return "h2";
        }

        @Override
        String label() {
            return "H2";
        }

        @Override
        String create(String name) {
            return ServiceProcess.newDatabaseUrl("benchmark-" + name);
        }

        @Override
        Map<String, String> environment(String url) {
            return Map.of();
        }

        @Override
        Long serverPid() {
            return null;
        }

        @Override
        long onDiskBytes(String url) {
            try {
                Path file = file(url);
                return Files.exists(file) ? Files.size(file) : 0;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        void drop(String url) {
            try (Stream<Path> files = Files.walk(file(url).getParent())) {
                files.sorted(Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        String describe() {
            try {
                Files.createDirectories(DIRECTORY);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return "H2 " + Constants.FULL_VERSION + " file, fresh for each service, under target/it-data ("
                    + fileSystem(DIRECTORY) + "), WRITE_DELAY=0: a commit returns once it is written to the file";
        }

        @Override
        String user() {
            return "sa";
        }

        @Override
        SqlActivity sqlActivity(String url) {
            return SqlActivity.NONE;
        }

        private static Path file(String url) {
            return Path.of(url.substring("jdbc:h2:file:".length()) + ".mv.db");
        }
    }

    private static final class Postgres extends BenchmarkDatabase {

        private final PostgresServer server;

        Postgres(PostgresServer server) {
            this.server = server;
        }

        @Override
        String key() {
            return "postgresql";
        }

        @Override
        String label() {
            return "PostgreSQL";
        }

        /**
         * A new database, after a checkpoint: the previous service's writes are not flushed during this one's loads.
         */
        @Override
        String create(String name) {
            String url = server.createDatabase(name);
            query(url, "CHECKPOINT");
            return url;
        }

        @Override
        Map<String, String> environment(String url) {
            return Map.of("DB_USER", user(), "DB_PASSWORD", "");
        }

        @Override
        Long serverPid() {
            return server.pid();
        }

        @Override
        long onDiskBytes(String url) {
            return Long.parseLong(query(url, "SELECT pg_database_size(current_database())"));
        }

        @Override
        void drop(String url) {
            // the server is discarded with its data at the end of the run
        }

        @Override
        String describe() {
            String url = server.url();
            List<String> settings = new ArrayList<>();
            for (String setting :
                    List.of("fsync", "synchronous_commit", "wal_sync_method", "full_page_writes", "shared_buffers")) {
                settings.add(setting + "=" + query(url, "SHOW " + setting));
            }
            return "PostgreSQL " + query(url, "SHOW server_version")
                    + " (the suite's embedded binaries, started by the benchmark on "
                    + "loopback, one database per service), " + String.join(", ", settings)
                    + ": a commit returns once its WAL "
                    + "is flushed to the disk; data directory on "
                    + fileSystem(Path.of(query(url, "SHOW data_directory")))
                    + "; shared_preload_libraries=" + query(url, "SHOW shared_preload_libraries")
                    + " (pg_stat_statements "
                    + "with track_utility=" + query(url, "SHOW pg_stat_statements.track_utility")
                    + ", for the SQL counts)"
                    + "; every other setting PostgreSQL's default";
        }

        @Override
        String user() {
            return "postgres";
        }

        @Override
        SqlActivity sqlActivity(String url) {
            String path = url.substring(url.lastIndexOf('/') + 1);
            return new SqlActivity(
                    server.url(), url, path.contains("?") ? path.substring(0, path.indexOf('?')) : path, user());
        }

        /** Runs one statement; returns the first value it answers, or null. */
        private String query(String url, String sql) {
            try (Connection connection = DriverManager.getConnection(url, user(), "");
                    Statement statement = connection.createStatement()) {
                if (!statement.execute(sql)) {
                    return null;
                }
                try (ResultSet value = statement.getResultSet()) {
                    value.next();
                    return value.getString(1);
                }
            } catch (SQLException e) {
                throw new IllegalStateException("could not run on PostgreSQL: " + sql, e);
            }
        }
    }

    private static String fileSystem(Path path) {
        try {
            return Files.getFileStore(path).type();
        } catch (IOException e) {
            return "an unknown file system";
        }
    }
}
