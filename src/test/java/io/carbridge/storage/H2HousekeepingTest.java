package io.carbridge.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.Random;
import org.apache.camel.impl.DefaultCamelContext;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An H2 file written as the bridge writes it ({@code WRITE_DELAY=0}: rows inserted in small commits, then each updated
 * once, as the intake and the delivery engine do) keeps within a few times its data with {@link H2Housekeeping}, where
 * without it the file grows with every commit.
 */
class H2HousekeepingTest {

    private static final int ROWS = 30_000;
    private static final int BODY = 1_000;

    @TempDir
    Path directory;

    @Test
    void theFileStaysWithinAFewTimesItsDataWhereWithoutHousekeepingItKeepsGrowing() throws Exception {
        double without = fileAgainstData("without", false);
        double with = fileAgainstData("with", true);
        System.out.printf("the file against its data: H2 alone %.1f, with the housekeeping %.1f%n", without, with);

        assertThat(without).as("the file against its data, H2 alone").isGreaterThan(4);
        assertThat(with)
                .as("the file against its data, with the housekeeping")
                .isLessThan(3)
                .isLessThan(without / 2);
    }

    private double fileAgainstData(String name, boolean housekeeping) throws Exception {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL(
                Database.durableUrl("jdbc:h2:file:" + directory.resolve(name).resolve("db")));
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.start();
            // the test drives the compaction, a round every 1,000 rows, whatever the machine's speed; replaced pages go
            // at once
            H2Housekeeping keeper = new H2Housekeeping(camel, dataSource, Duration.ofHours(1), 0);
            try (Connection connection = dataSource.getConnection()) {
                if (housekeeping) {
                    keeper.start();
                }
                write(connection, housekeeping ? keeper::compact : () -> {});
                keeper.stop();
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SHUTDOWN IMMEDIATELY");
                }
            }
        }
        return (double) Files.size(directory.resolve(name).resolve("db.mv.db")) / ((long) ROWS * BODY);
    }

    private static void write(Connection connection, Runnable everyThousandRows) throws Exception {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE event (id BIGINT PRIMARY KEY, status VARCHAR(20), body VARBINARY)");
        }
        connection.setAutoCommit(false);
        byte[] body = new byte[BODY];
        new Random(1).nextBytes(body);
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO event VALUES (?, 'PENDING', ?)");
                PreparedStatement update =
                        connection.prepareStatement("UPDATE event SET status = 'DELIVERED' WHERE id = ?")) {
            for (int id = 0; id < ROWS; id++) {
                insert.setLong(1, id);
                insert.setBytes(2, body);
                insert.addBatch();
                if (id % 10 == 9) {
                    insert.executeBatch();
                    connection.commit();
                    for (int updated = id - 9; updated <= id; updated++) {
                        update.setLong(1, updated);
                        update.addBatch();
                    }
                    update.executeBatch();
                    connection.commit();
                }
                if (id % 1_000 == 999) {
                    everyThousandRows.run();
                }
            }
        }
    }
}
