package io.carbridge.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.carbridge.Settings;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection pool and the schema. Migrations in {@code db/migration} (and {@code db/vendor/h2} on H2) run before
 * any route starts, so a route never sees an old schema. H2 runs with {@code WRITE_DELAY=0}: every commit reaches the
 * file before the commit returns, which is what makes a 2xx survive {@code kill -9} (H2's default keeps the last
 * 500 ms of commits in memory).
 */
public final class Database {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private Database() {
    }

    public static HikariDataSource open(Settings settings) {
        String url = durableUrl(settings.required("bridge.db.url", "set DB_URL to a JDBC URL"));
        HikariConfig config = new HikariConfig();
        config.setPoolName("bridge-db");
        config.setJdbcUrl(url);
        config.setUsername(settings.string("bridge.db.user", ""));
        config.setPassword(settings.string("bridge.db.password", ""));
        config.setMaximumPoolSize(settings.integer("bridge.db.pool-size", 16, 2, 500));
        config.setConnectionTimeout(settings.duration("bridge.db.connection-timeout", Duration.ofSeconds(5)).toMillis());
        // the pool starts even when the database is down; readiness reports it and the intake answers 503
        config.setInitializationFailTimeout(-1);
        HikariDataSource dataSource = new HikariDataSource(config);
        migrate(dataSource, url);
        LOG.info("Database ready: {} (pool of {})", redact(url), config.getMaximumPoolSize());
        return dataSource;
    }

    static void migrate(DataSource dataSource, String url) {
        // db/vendor/h2: what only H2 needs, numbered with the common migrations
        String[] locations = url.startsWith("jdbc:h2:") ? new String[] {"classpath:db/migration", "classpath:db/vendor/h2"}
                : new String[] {"classpath:db/migration"};
        Flyway.configure()
                .dataSource(dataSource)
                .locations(locations)
                .load()
                .migrate();
    }

    /** Adds {@code WRITE_DELAY=0} to an H2 URL that does not set it; refuses one that sets another value. */
    static String durableUrl(String url) {
        if (!url.startsWith("jdbc:h2:") || url.startsWith("jdbc:h2:mem:")) {
            return url;
        }
        String upper = url.toUpperCase();
        if (upper.contains(";WRITE_DELAY=")) {
            if (!upper.contains(";WRITE_DELAY=0")) {
                throw new IllegalStateException("Configuration error: bridge.db.url sets an H2 WRITE_DELAY other than 0, "
                        + "which would acknowledge events that a crash can lose; remove it");
            }
            return url;
        }
        return url + ";WRITE_DELAY=0";
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
