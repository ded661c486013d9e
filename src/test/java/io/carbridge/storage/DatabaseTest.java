package io.carbridge.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {

    @TempDir
    Path directory;

    @Test
    void anH2UrlIsMadeDurableAndClosedByTheBridgeAndOneThatSaysOtherwiseIsRefused() {
        assertThat(Database.durableUrl("jdbc:h2:file:./data/bridge"))
                .isEqualTo("jdbc:h2:file:./data/bridge;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0");
        assertThat(Database.durableUrl("jdbc:h2:file:./data/bridge;write_delay=0;DB_CLOSE_ON_EXIT=false"))
                .isEqualTo("jdbc:h2:file:./data/bridge;write_delay=0;DB_CLOSE_ON_EXIT=false");
        assertThat(Database.durableUrl("jdbc:postgresql://db/bridge")).isEqualTo("jdbc:postgresql://db/bridge");
        assertThatThrownBy(() -> Database.durableUrl("jdbc:h2:file:./data/bridge;write_delay=500"))
                .hasMessageContaining("WRITE_DELAY");
        assertThatThrownBy(() -> Database.durableUrl("jdbc:h2:file:./data/bridge;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=TRUE"))
                .hasMessageContaining("DB_CLOSE_ON_EXIT");
    }

    @Test
    void onlyAnEmbeddedH2DatabaseOrPostgresqlIsAccepted() {
        // an H2 server would let several instances share a database whose claims each keeps in memory
        assertThatThrownBy(() -> Database.durableUrl("jdbc:h2:tcp://db/bridge")).hasMessageContaining("embedded H2");
        assertThatThrownBy(() -> Database.durableUrl("jdbc:h2:ssl://db/bridge")).hasMessageContaining("embedded H2");
        assertThatThrownBy(() -> Database.durableUrl("jdbc:h2:file:./data/bridge;AUTO_SERVER=TRUE"))
                .hasMessageContaining("embedded H2");
        assertThatThrownBy(() -> Database.durableUrl("jdbc:mysql://db/bridge"))
                .hasMessageContaining("H2 (jdbc:h2:) or PostgreSQL");
        assertThat(Database.durableUrl("jdbc:h2:mem:bridge")).isEqualTo("jdbc:h2:mem:bridge");
    }

    @Test
    void theLoggedUrlLeavesOutParametersThatMayHoldAPassword() {
        assertThat(Database.redact("jdbc:postgresql://db:5432/bridge?user=bridge&password=secret"))
                .isEqualTo("jdbc:postgresql://db:5432/bridge");
        assertThat(Database.redact("jdbc:h2:file:./data/bridge;PASSWORD=secret;WRITE_DELAY=0"))
                .isEqualTo("jdbc:h2:file:./data/bridge");
    }

    /**
     * H2 caches 1,000 delivery ids at a time (db/vendor/h2); a crash must not make ids, and so delivery order, go back.
     */
    @Test
    void deliveryIdsKeepIncreasingAcrossACrashOfH2() throws SQLException {
        String url = Database.durableUrl("jdbc:h2:file:" + directory.resolve("bridge"));
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL(url);
        h2.setUser("sa");
        Database.migrate(h2, url);
        assertThat(queryLong(
                        h2,
                        "SELECT IDENTITY_CACHE FROM INFORMATION_SCHEMA.COLUMNS "
                                + "WHERE TABLE_NAME = 'DELIVERY' AND COLUMN_NAME = 'ID'"))
                .isEqualTo(1000);
        long beforeCrash = queueDelivery(h2, "event-1");

        try (Connection connection = h2.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("SHUTDOWN IMMEDIATELY"); // closes the file as a kill -9 would leave it
        } catch (SQLException expected) {
            // the connection dies with the database
        }
        Database.migrate(h2, url);

        assertThat(queueDelivery(h2, "event-2")).isGreaterThan(beforeCrash);
    }

    private static long queueDelivery(DataSource dataSource, String eventId) throws SQLException {
        Timestamp now = new Timestamp(System.currentTimeMillis());
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement event =
                    connection.prepareStatement("INSERT INTO webhook_event (event_id, event_type, "
                            + "recognised, received_at, raw_body) VALUES (?, 'VEHICLE_STATE', TRUE, ?, X'7B7D')")) {
                event.setString(1, eventId);
                event.setTimestamp(2, now);
                event.executeUpdate();
            }
            try (PreparedStatement delivery =
                    connection.prepareStatement("INSERT INTO delivery (event_id, destination, "
                            + "ordering_key, status, attempts, next_attempt_at, replay, received_at, created_at) "
                            + "VALUES (?, 'crm', 'vehicle-1', 'PENDING', 0, ?, FALSE, ?, ?)")) {
                delivery.setString(1, eventId);
                delivery.setTimestamp(2, now);
                delivery.setTimestamp(3, now);
                delivery.setTimestamp(4, now);
                delivery.executeUpdate();
            }
        }
        return queryLong(dataSource, "SELECT MAX(id) FROM delivery");
    }

    private static long queryLong(DataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        }
    }
}
