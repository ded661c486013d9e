package io.carbridge.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbridge.Settings;
import io.carbridge.intake.IntakeSettings;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.impl.DefaultCamelContext;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/** The intake's counts per minute, written off the request path: added up, kept while the database refuses them. */
class IntakeCountsTest {

    private final DefaultCamelContext camel = new DefaultCamelContext();
    private JdbcDataSource h2;
    private NamedParameterJdbcTemplate jdbc;

    @BeforeEach
    void emptyDatabase() {
        String url = "jdbc:h2:mem:intake-counts-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
        h2 = new JdbcDataSource();
        h2.setURL(url);
        h2.setUser("sa");
        jdbc = new NamedParameterJdbcTemplate(h2);
    }

    @AfterEach
    void dropDatabase() throws Exception {
        jdbc.getJdbcTemplate().execute("SHUTDOWN");
        camel.close();
    }

    @Test
    void addsEachFlushToThisInstancesRowOfTheMinuteAndIgnoresChallenges() {
        Database.migrate(h2, h2.getURL());
        IntakeCounts counts = counts("instance-a", Duration.ofHours(1));
        count(counts, "accepted", 3);
        count(counts, "duplicate", 1);
        count(counts, "challenge", 5);
        counts.flush();
        count(counts, "accepted", 2);
        count(counts, "rejected", 1);
        count(counts, "unrecognised", 4);
        counts.flush();
        counts.flush();

        assertThat(sums()).isEqualTo(Map.of("ACCEPTED", 5L, "DUPLICATE", 1L, "REJECTED", 1L, "UNRECOGNISED", 4L));
        // one row, or two if the test ran across the turn of a minute
        for (Map<String, Object> row : rows()) {
            assertThat(row.get("INSTANCE_ID")).isEqualTo("instance-a");
            Instant minute = ((OffsetDateTime) row.get("MINUTE_START")).toInstant();
            assertThat(minute.getEpochSecond() % 60).as("a whole minute").isZero();
            assertThat(Duration.between(minute, Instant.now())).isBetween(Duration.ZERO, Duration.ofMinutes(2));
        }
    }

    @Test
    void keepsWhatTheDatabaseRefusedForTheNextFlush() {
        IntakeCounts counts = counts("instance-a", Duration.ofHours(1));
        count(counts, "accepted", 2);

        counts.flush(); // no table yet: the database refuses the counts

        Database.migrate(h2, h2.getURL());
        count(counts, "accepted", 1);
        counts.flush();
        assertThat(sums()).containsEntry("ACCEPTED", 3L);
    }

    @Test
    void writesWhatItHoldsWhenItStops() {
        Database.migrate(h2, h2.getURL());
        IntakeCounts counts = counts("instance-a", Duration.ofHours(1));
        counts.start();
        count(counts, "accepted", 1);

        counts.stop();

        assertThat(sums()).containsEntry("ACCEPTED", 1L);
    }

    @Test
    void aFlushIntervalThatIsNotPositiveStopsTheServiceAtStartNamingTheSetting() {
        Properties properties = new Properties();
        properties.setProperty("bridge.db.url", h2.getURL());
        properties.setProperty("bridge.db.user", "sa");
        properties.setProperty("bridge.intake.counts-flush-interval", "0s");
        camel.getPropertiesComponent().setInitialProperties(properties);

        assertThatThrownBy(() -> new Settings(camel).of(IntakeSettings.class).countsFlushInterval())
                .isInstanceOf(Settings.InvalidSettingException.class)
                .hasMessageContaining("bridge.intake.counts-flush-interval");
    }

    private IntakeCounts counts(String instance, Duration flushInterval) {
        return new IntakeCounts(jdbc, camel.getExecutorServiceManager(), instance, flushInterval);
    }

    private static void count(IntakeCounts counts, String outcome, int times) {
        for (int i = 0; i < times; i++) {
            counts.count(outcome);
        }
    }

    private Map<String, Object> sums() {
        return jdbc.getJdbcTemplate()
                .queryForMap(
                        "SELECT CAST(SUM(accepted) AS BIGINT) AS accepted, CAST(SUM(duplicate) AS BIGINT) AS duplicate, "
                                + "CAST(SUM(rejected) AS BIGINT) AS rejected, CAST(SUM(unrecognised) AS BIGINT) AS unrecognised FROM intake_count");
    }

    private List<Map<String, Object>> rows() {
        return jdbc.getJdbcTemplate().queryForList("SELECT * FROM intake_count");
    }
}
