package io.carbridge.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.delivery.Destinations;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/**
 * {@code --check} reads the settings the service reads at start, part by part ({@link StartupSettings}): a setting
 * added to {@code application.properties} and read by the service is to be read by the check as well, or a mistake in
 * it would pass the check and stop the start.
 */
class ConfigurationCheckCoverageTest {

    @Test
    void theCheckReadsEverySettingOfApplicationProperties() throws Exception {
        Set<String> declared = new TreeSet<>();
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("application.properties"))) {
            properties.load(reader);
        }
        properties.stringPropertyNames().stream()
                .filter(key -> key.startsWith("bridge."))
                .forEach(declared::add);

        Set<String> read = new TreeSet<>();
        // Smartcar's settings are read once Connect is on (SMARTCAR_CLIENT_ID), each API version its own
        for (String version : new String[] {"v3", "v2"}) {
            read.addAll(readBy(Map.of(
                    "bridge.smartcar.api-version",
                    version,
                    "bridge.smartcar.client-id",
                    "client_check",
                    "bridge.smartcar.client-secret",
                    "secret",
                    "bridge.smartcar.application-id",
                    "app",
                    "bridge.smartcar.redirect-uri",
                    "https://bridge.example/connect/callback",
                    "bridge.smartcar.webhook-id",
                    "webhook",
                    "bridge.smartcar.token-encryption.secret-key",
                    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                    "bridge.smartcar.management-token",
                    "token",
                    "bridge.destinations",
                    "example")));
        }

        assertThat(declared)
                .as("settings of application.properties that --check does not read")
                .isSubsetOf(read);
    }

    /** The keys the check's settings part and the destinations read, with these settings added. */
    private static Set<String> readBy(Map<String, String> settings) throws Exception {
        Set<String> read = new TreeSet<>();
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.getPropertiesComponent().setLocation("file:application.properties");
            Properties overrides = new Properties();
            overrides.putAll(settings);
            camel.getPropertiesComponent().setOverrideProperties(overrides);
            assertThat(StartupSettings.check(ReadKeys.recording(camel, read))).isEmpty();
            Destinations.from(ReadKeys.settings(camel, read));
        }
        return read;
    }
}
