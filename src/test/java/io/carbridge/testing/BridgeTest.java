package io.carbridge.testing;

import io.carbridge.storage.Storage;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Property locations for {@code @CamelMainTest}, in this order ({@code propertyPlaceholderLocations = {TEST_PROPERTIES,
 * APPLICATION_PROPERTIES}}: the first location that defines a key wins): {@code test.properties} (test token, loopback
 * ports from {@link TestPorts}, short shutdown), then the real {@code application.properties}. A test class adds its
 * own database URL and any other override in {@code properties}.
 */
public final class BridgeTest {

    public static final String APPLICATION_PROPERTIES = "file:application.properties";
    public static final String TEST_PROPERTIES = "classpath:test.properties";
    /** Three destinations on the WireMock server of {@link TestPorts#SINK}, with short retries, and an admin token. */
    public static final String DESTINATIONS = "classpath:delivery-flow.properties";

    private BridgeTest() {}

    /** Parameterised SQL on the bridge's own pool, to read back what a test caused. */
    public static JdbcTemplate database(CamelContext camel) {
        return new JdbcTemplate(camel.getRegistry().lookupByNameAndType(Storage.DATA_SOURCE, DataSource.class));
    }
}
