package io.carbridge.smartcar;

import java.util.Map;

import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.smartcar.v2.TokenCipher;
import io.carbridge.testing.SmartcarDouble;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What the Smartcar route tests share: the bridge over HTTP, the Smartcar double, the admin bearer token, the key the
 * test properties encrypt tokens with, and an empty database and double before each test. Each test class still
 * carries its own {@code @CamelMainTest}, naming its database.
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
}
