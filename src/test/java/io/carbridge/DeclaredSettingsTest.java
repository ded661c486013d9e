package io.carbridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbridge.Settings.InvalidSettingException;
import io.carbridge.http.HttpSettings;
import io.carbridge.intake.IntakeSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The groups of {@code bridge.*} declared on beans: bound once, and a key none of them declares stops the start. */
class DeclaredSettingsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "bridge.db.pool-sise, bridge.db.pool-size",
        "bridge.http.idel-timeout, bridge.http.idle-timeout",
        "bridge.dleivery.poll-interval, bridge.delivery.poll-interval",
        "bridge.instance-ib, bridge.instance-id",
        "bridge.destinatons, bridge.destinations",
        "bridge.smartcar.clinet-id, bridge.smartcar.client-id",
        "bridge.smartcar.token-encription.secret-key, bridge.smartcar.token-encryption.secret-key",
        "bridge.connect.scopes, bridge.connect.scope",
        "bridge.sync.perod, bridge.sync.period",
        "bridge.reconcile.gap-treshold, bridge.reconcile.gap-threshold"
    })
    void aMistypedKeyIsRefusedNamingTheNearestValidOne(String mistyped, String meant) {
        assertThatThrownBy(() -> settings(Map.of(mistyped, "5")).refuseUnknownKeys())
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("Configuration error: " + mistyped + " is not a setting of the bridge: did you mean "
                        + meant + "?");
    }

    @Test
    void theKeysOfApplicationPropertiesAndADestinationsArePassedWrittenInAnyCase() throws Exception {
        Settings settings = settings(Map.of(
                "bridge.smartcar.clientid",
                "x",
                "bridge.destination.crm.url",
                "http://crm",
                "bridge.sync.period",
                "1m",
                "bridge.intake.maxBodyBytes",
                "2048"));
        assertThatCode(settings::refuseUnknownKeys).doesNotThrowAnyException();
        assertThat(settings.of(IntakeSettings.class).maxBatch()).isEqualTo(256);

        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.getPropertiesComponent().setLocation("file:application.properties");
            assertThatCode(() -> new Settings(camel).refuseUnknownKeys()).doesNotThrowAnyException();
        }
    }

    @Test
    void aGroupIsBoundOnceWithItsDefaultsAndChecks() {
        Settings settings = settings(Map.of("bridge.http.idle-timeout", "45s"));
        assertThat(settings.of(HttpSettings.class)).isSameAs(settings.of(HttpSettings.class));
        assertThat(settings.of(IntakeSettings.class).errorDedupeWindow()).isEqualTo(Duration.ofMinutes(5));
        assertThat(settings(Map.of("bridge.intake.error-dedupe-window", "0"))
                        .of(IntakeSettings.class)
                        .errorDedupeWindow())
                .isZero();
        assertThatThrownBy(() ->
                        settings(Map.of("bridge.http.worker-threads", "2")).of(HttpSettings.class))
                .hasMessage("Configuration error: bridge.http.worker-threads is 2, it must be between 4 and 1024");
    }

    private static Settings settings(Map<String, String> values) {
        DefaultCamelContext camel = new DefaultCamelContext();
        Properties properties = new Properties();
        properties.putAll(values);
        camel.getPropertiesComponent().setInitialProperties(properties);
        return new Settings(camel);
    }
}
