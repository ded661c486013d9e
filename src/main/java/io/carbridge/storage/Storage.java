package io.carbridge.storage;

import com.zaxxer.hikari.HikariDataSource;
import io.carbridge.Settings;
import java.time.Duration;
import java.util.Locale;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.support.LifecycleStrategySupport;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The bridge's database, open and migrated: the pool (bound as {@code bridgeDataSource} for {@code sql:} endpoints),
 * parameterised SQL ({@link #jdbc()}), transactions, and the readiness check. Closed once Camel has stopped, after the
 * routes and services that use it.
 */
public final class Storage {

    /** The registry name of the pool, for {@code sql:} endpoints ({@code dataSource=#bridgeDataSource}). */
    public static final String DATA_SOURCE = "bridgeDataSource";

    private final HikariDataSource dataSource;
    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate transactions;

    private Storage(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    public static Storage open(CamelContext camel, Settings settings) {
        HikariDataSource dataSource = Database.open(settings);
        camel.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopped(CamelContext context) {
                // last: after the routes, the intake's writer and the delivery engine have finished with it
                dataSource.close();
            }
        });
        HealthCheckRegistry.get(camel).register(new DatabaseHealthCheck(dataSource));
        if (Database.h2File(dataSource.getJdbcUrl()).isPresent()) {
            addService(camel, new H2Housekeeping(camel, dataSource), "the H2 file's housekeeping");
        }
        return new Storage(dataSource);
    }

    /**
     * The intake's outcomes per minute, written to the database off the request path every {@code flushInterval};
     * started and stopped with Camel.
     */
    public IntakeCounts intakeCounts(CamelContext camel, String instanceId, Duration flushInterval) {
        IntakeCounts counts = new IntakeCounts(jdbc, camel.getExecutorServiceManager(), instanceId, flushInterval);
        addService(camel, counts, "the intake's counts");
        return counts;
    }

    private static void addService(CamelContext camel, Object service, String what) {
        try {
            camel.addService(service);
        } catch (Exception e) {
            throw new IllegalStateException("could not start " + what, e);
        }
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * An H2 database, embedded in this process (the only H2 the bridge opens, {@link Database#durableUrl}): no other
     * process can open it while this one has it, so nothing written for other instances is needed. PostgreSQL may be
     * shared by several instances.
     */
    public boolean isEmbedded() {
        return dataSource.getJdbcUrl().toLowerCase(Locale.ROOT).startsWith("jdbc:h2:");
    }

    /** Parameterised SQL ({@code :name} placeholders) on the pool. */
    public NamedParameterJdbcTemplate jdbc() {
        return jdbc;
    }

    public TransactionTemplate transactions() {
        return transactions;
    }
}
