package io.carbridge.smartcar;

import io.carbridge.smartcar.v2.TokenCipher;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.SmartcarDouble;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What the Smartcar route tests share: the bridge over HTTP, the Smartcar double, the admin bearer token, the key the
 * test properties encrypt tokens with, an empty database and double before each test, and the reads of a run and of the
 * vehicle table. Each test class still carries its own {@code @CamelMainTest}, naming its database and the API
 * version's properties ({@link SmartcarDouble#PROPERTIES}, {@link SmartcarDouble#V3_PROPERTIES}).
 */
abstract class SmartcarRouteTestSupport {

    static final BridgeHttp HTTP = BridgeHttp.bridge();
    static final SmartcarDouble SMARTCAR = new SmartcarDouble();
    static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer test-admin-token");
    static final TokenCipher CIPHER = TokenCipher.fromBase64("BRaDHSSdQ5yjXG1FhzNbPiqL9Y2BnZH4iKO2q6Uv3xU=");

    @BeanInject
    CamelContext camel;

    JdbcTemplate db() {
        return BridgeTest.database(camel);
    }

    @BeforeEach
    void emptyDatabaseAndDouble() {
        SMARTCAR.resetWith(db());
    }

    /** One sync run, on the route the timer starts; its summary. */
    Map<String, Object> runSync() {
        @SuppressWarnings("unchecked")
        Map<String, Object> summary =
                camel.createProducerTemplate().requestBody(Smartcar.SYNC_ENDPOINT, null, Map.class);
        return summary;
    }

    String status(String vehicleId) {
        return db().queryForObject(
                        "SELECT subscription_status FROM vehicle WHERE vehicle_id = ?", String.class, vehicleId);
    }

    Map<String, Object> vehicle(String vehicleId) {
        return db().queryForMap("SELECT * FROM vehicle WHERE vehicle_id = ?", vehicleId);
    }

    /** A timestamp column of a queried row: H2 gives an OffsetDateTime, PostgreSQL a Timestamp. */
    static Instant instant(Object timestamp) {
        return timestamp instanceof OffsetDateTime offset ? offset.toInstant() : ((Timestamp) timestamp).toInstant();
    }

    /** {@code work} once {@code start} opens, so that work on several threads begins at once. */
    static <T> T afterLatch(CountDownLatch start, Supplier<T> work) {
        try {
            start.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return work.get();
    }
}
