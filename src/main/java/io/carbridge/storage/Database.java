package io.carbridge.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.carbridge.Settings;
import io.carbridge.StartupFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.h2.api.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection pool and the schema. Migrations in {@code db/migration} (and {@code db/vendor/h2} or
 * {@code db/vendor/postgresql}) run before any route starts, so a route never sees an old schema. H2 runs with
 * {@code WRITE_DELAY=0}: every commit reaches the file before the commit returns, which is what makes a 2xx survive
 * {@code kill -9} (H2's default keeps the last 500 ms of commits in memory); and with {@code DB_CLOSE_ON_EXIT=FALSE}:
 * the database closes when the bridge closes its pool, after Camel has stopped, not when H2's shutdown hook says.
 */
public final class Database {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private Database() {}

    public static HikariDataSource open(Settings settings) {
        DatabaseSettings db = settings.of(DatabaseSettings.class);
        String url = url(settings);
        h2File(url).ifPresent(file -> requireUsableH2File(file, url, db.user, db.password));
        HikariConfig config = new HikariConfig();
        config.setPoolName("bridge-db");
        config.setJdbcUrl(url);
        config.setUsername(db.user);
        config.setPassword(db.password);
        config.setMaximumPoolSize(db.poolSize);
        config.setConnectionTimeout(db.connectionTimeout.toMillis());
        if (url.startsWith("jdbc:postgresql:")) {
            // PostgreSQL plans a prepared statement once for all parameters after five runs, and keeps that plan until
            // the
            // table is analysed again: planned while the tables were nearly empty, the duplicate check read every
            // stored
            // event (7 ms at 40,000 events, growing with the table, against 0.2 ms). Planning each run costs
            // microseconds.
            config.setConnectionInitSql("SET plan_cache_mode = force_custom_plan");
        }
        // the pool starts even when the database is down; readiness reports it and the intake answers 503
        config.setInitializationFailTimeout(-1);
        HikariDataSource dataSource = new HikariDataSource(config);
        try {
            migrate(dataSource, url);
        } catch (FlywayException e) {
            dataSource.close();
            throw new StartupFailure("The database " + redact(url)
                    + " could not be opened and brought to the current schema: " + firstLine(e.getMessage()));
        }
        LOG.info("Database ready: {} (pool of {})", redact(url), config.getMaximumPoolSize());
        return dataSource;
    }

    static void migrate(DataSource dataSource, String url) {
        // db/vendor/<database>: what only that database needs, numbered with the common migrations
        String vendor = url.startsWith("jdbc:h2:") ? "h2" : "postgresql";
        String[] locations = {"classpath:db/migration", "classpath:db/vendor/" + vendor};
        Flyway.configure().dataSource(dataSource).locations(locations).load().migrate();
    }

    /**
     * What an H2 file database must be opened with, and why another value is refused: {@code WRITE_DELAY=0}, so that a
     * commit reaches the file before it returns, and {@code DB_CLOSE_ON_EXIT=FALSE}, so that H2's own JVM shutdown hook
     * does not close the database under the requests and delivery attempts still finishing on SIGTERM (the bridge
     * closes it once Camel has stopped).
     */
    private static final Map<String, String> H2_SETTINGS = Map.of(
            "WRITE_DELAY", "0; another value would acknowledge events that a crash can lose",
            "DB_CLOSE_ON_EXIT",
                    "FALSE; another value lets H2 close the database while the service is still shutting down");

    /**
     * The URL the pool opens: {@code bridge.db.url}, required, made durable ({@link #durableUrl}). Opens nothing: the
     * setting checks (--check) run it too.
     */
    public static String url(Settings settings) {
        String url = settings.of(DatabaseSettings.class).url;
        if (url == null) {
            throw new Settings.InvalidSettingException("bridge.db.url", "is not set: set DB_URL to a JDBC URL");
        }
        return durableUrl(url);
    }

    /**
     * Adds the {@link #H2_SETTINGS} to an H2 file URL that does not set them; refuses one that sets another value, and
     * a database the bridge does not run on: an embedded H2 database (one process) or PostgreSQL (one or several
     * instances). An H2 server or auto-server URL would let several processes share a database whose claims each keeps
     * in memory. Opens nothing: the route and setting checks (--check) run it too.
     */
    public static String durableUrl(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("jdbc:postgresql:") && !lower.startsWith("jdbc:h2:")) {
            throw new Settings.InvalidSettingException(
                    "bridge.db.url", "must be an H2 (jdbc:h2:) or PostgreSQL (jdbc:postgresql:) URL");
        }
        if (lower.startsWith("jdbc:h2:tcp:")
                || lower.startsWith("jdbc:h2:ssl:")
                || lower.contains(";auto_server=true")) {
            throw new Settings.InvalidSettingException(
                    "bridge.db.url",
                    "must be an embedded H2 database (jdbc:h2:file:), "
                            + "which one instance opens; several instances share a PostgreSQL database");
        }
        if (!url.startsWith("jdbc:h2:") || url.startsWith("jdbc:h2:mem:")) {
            return url;
        }
        StringBuilder durable = new StringBuilder(url);
        String upper = url.toUpperCase(Locale.ROOT);
        for (String setting : new TreeSet<>(H2_SETTINGS.keySet())) {
            String required = H2_SETTINGS.get(setting);
            String value = required.substring(0, required.indexOf(';'));
            if (!upper.contains(";" + setting + "=")) {
                durable.append(';').append(setting).append('=').append(value);
            } else if (!upper.contains(";" + setting + "=" + value + ";")
                    && !upper.endsWith(";" + setting + "=" + value)) {
                throw new Settings.InvalidSettingException(
                        "bridge.db.url", "sets H2's " + setting + ", which must be " + required + "; remove it");
            }
        }
        return durable.toString();
    }

    /**
     * The file an embedded H2 URL ({@code jdbc:h2:file:./data/bridge}, {@code jdbc:h2:./data/bridge},
     * {@code jdbc:h2:~/bridge}) keeps its database in, without H2's {@code .mv.db}; empty for any other database.
     */
    static Optional<Path> h2File(String url) {
        if (!url.startsWith("jdbc:h2:")) {
            return Optional.empty();
        }
        String location = url.substring("jdbc:h2:".length()).split(";", 2)[0];
        if (location.startsWith("file:")) {
            location = location.substring("file:".length());
        } else if (location.matches("^[a-z]+:.*") && !location.matches("^[A-Za-z]:[\\/].*")) {
            return Optional.empty(); // mem:, tcp:, ssl:, zip:, ...
        }
        if (location.startsWith("~")) {
            location = System.getProperty("user.home") + location.substring(1);
        }
        return Optional.of(Path.of(location).toAbsolutePath().normalize());
    }

    /**
     * An H2 database that cannot be opened stops the service at once with one line that says why: its directory cannot
     * be written, its file is damaged (docs/operations.md says how to recover), or another process holds it. Without
     * this the pool would wait out its connection timeout and Flyway would fail with a long stack trace.
     */
    private static void requireUsableH2File(Path file, String url, String user, String password) {
        Path directory = file.getParent();
        try {
            Files.createDirectories(directory);
            Files.delete(Files.createTempFile(directory, ".bridge-write-check", ".tmp"));
        } catch (IOException | RuntimeException e) {
            throw new Settings.InvalidSettingException(
                    "bridge.db.url",
                    "keeps the H2 database in " + directory + ", which cannot be "
                            + "written (" + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage())
                            + "): make it writable by this "
                            + "user, or set DB_URL to a directory that is");
        }
        try (Connection connection = DriverManager.getConnection(url, user, password)) {
            connection.isValid(1);
        } catch (SQLException e) {
            String mvFile = file + ".mv.db";
            throw new StartupFailure(
                    switch (e.getErrorCode()) {
                        case ErrorCode.FILE_CORRUPTED_1 ->
                            "The H2 database file " + mvFile + " is damaged (" + firstLine(e.getMessage())
                                    + "): see \"Recovering a damaged H2 database\" in docs/operations.md.";
                        case ErrorCode.DATABASE_ALREADY_OPEN_1 ->
                            "The H2 database file " + mvFile + " is in use by another process (another "
                                    + "instance of the bridge?): stop it, or set DB_URL to another file.";
                        default -> "The H2 database " + mvFile + " cannot be opened: " + firstLine(e.getMessage());
                    });
        }
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("").trim();
    }

    /** Whether the database answers a trivial query within the given time. */
    public static boolean isReachable(DataSource dataSource, Duration timeout) {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid((int) Math.max(1, timeout.toSeconds()));
        } catch (SQLException e) {
            return false;
        }
    }

    /** The URL without its parameters (H2's after {@code ;}, PostgreSQL's after {@code ?}), where a password may be. */
    static String redact(String url) {
        int parameters = url.replace('?', ';').indexOf(';');
        return parameters < 0 ? url : url.substring(0, parameters);
    }
}
