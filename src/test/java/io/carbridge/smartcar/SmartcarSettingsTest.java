package io.carbridge.smartcar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import io.carbridge.Settings;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The rule of an intake-only deployment, and the refusals that name the variable to set. */
class SmartcarSettingsTest {

    private static final Map<String, String> COMPLETE = Map.of(
            "bridge.smartcar.api-version", "v2",
            "bridge.smartcar.management-token", "amt-1,amt-0",
            "bridge.smartcar.client-id", "client",
            "bridge.smartcar.client-secret", "secret-value",
            "bridge.smartcar.redirect-uri", "https://bridge.example.com/connect/callback",
            "bridge.smartcar.webhook-id", "wh-1",
            "bridge.smartcar.token-encryption.secret-key", "BRaDHSSdQ5yjXG1FhzNbPiqL9Y2BnZH4iKO2q6Uv3xU=",
            "bridge.connect.scope", "read_vehicle_info, read_battery");

    @Test
    void withoutAClientIdConnectAndTheSyncAreOffWhateverElseIsSet() {
        assertThat(SmartcarSettings.load(settings(Map.of("bridge.smartcar.management-token", "amt")))).isEmpty();
        assertThat(SmartcarSettings.load(settings(with("bridge.smartcar.client-id", "")))).isEmpty();
    }

    @Test
    void aCompleteConfigurationHasSmartcarsDefaultsAndTheCurrentManagementToken() {
        SmartcarSettings loaded = SmartcarSettings.load(settings(COMPLETE)).orElseThrow();

        assertThat(loaded.apiUrl()).isEqualTo("https://api.smartcar.com/v2.0");
        assertThat(loaded.authUrl()).isEqualTo("https://auth.smartcar.com/oauth/token");
        assertThat(loaded.connectUrl()).isEqualTo("https://connect.smartcar.com/oauth/authorize");
        assertThat(loaded.scopes()).containsExactly("read_vehicle_info", "read_battery");
        assertThat(loaded.mode()).isEqualTo("live");
        assertThat(loaded.managementToken()).isEqualTo("amt-1");
        assertThat(loaded.toString()).doesNotContain("secret-value", "amt-1");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "bridge.smartcar.client-secret, SMARTCAR_CLIENT_SECRET",
            "bridge.smartcar.redirect-uri, SMARTCAR_REDIRECT_URI",
            "bridge.smartcar.webhook-id, SMARTCAR_WEBHOOK_ID",
            "bridge.smartcar.token-encryption.secret-key, TOKEN_ENCRYPTION_KEY"})
    void withAClientIdEveryRequiredSettingMustBeThereAndTheRefusalNamesItsVariable(String property, String variable) {
        assertThatThrownBy(() -> SmartcarSettings.load(settings(with(property, ""))))
                .isInstanceOf(Settings.InvalidSettingException.class)
                .hasMessageContaining(property).hasMessageContaining(variable);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
            "bridge.smartcar.api-url, api.smartcar.com/v2.0",
            "bridge.smartcar.auth-url, ftp://auth.smartcar.com/token",
            "bridge.smartcar.redirect-uri, https://bridge.example.com/cb?x=1",
            "bridge.connect.mode, production",
            "bridge.sync.period, PT60S",
            "bridge.sync.page-size, 500",
            "bridge.sync.max-retry-backoff, 10s"})
    void refusesAnInvalidValueNamingTheSetting(String property, String value) {
        assertThatThrownBy(() -> SmartcarSettings.load(settings(with(property, value))))
                .isInstanceOf(Settings.InvalidSettingException.class).hasMessageContaining(property);
    }

    @Test
    void theRetryDelayDoublesUpToTheMaximum() {
        SmartcarSettings loaded = SmartcarSettings.load(settings(with("bridge.sync.max-retry-backoff", "5m"))).orElseThrow();

        assertThat(loaded.retryDelay(1)).isEqualTo(Duration.ofMinutes(1));
        assertThat(loaded.retryDelay(2)).isEqualTo(Duration.ofMinutes(2));
        assertThat(loaded.retryDelay(3)).isEqualTo(Duration.ofMinutes(4));
        assertThat(loaded.retryDelay(4)).isEqualTo(Duration.ofMinutes(5));
        assertThat(loaded.retryDelay(60)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void readsRetryAfterInSecondsOrAsAnHttpDate() {
        assertThat(SmartcarHttp.retryAfter("120")).isEqualTo(Duration.ofSeconds(120));
        assertThat(SmartcarHttp.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(Duration.ZERO);
        assertThat(SmartcarHttp.retryAfter(DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusMinutes(10))))
                .isBetween(Duration.ofMinutes(9), Duration.ofMinutes(10));
        assertThat(SmartcarHttp.retryAfter("soon")).isNull();
        assertThat(SmartcarHttp.retryAfter(null)).isNull();
    }

    private static Map<String, String> with(String property, String value) {
        Map<String, String> properties = new HashMap<>(COMPLETE);
        properties.put(property, value);
        return properties;
    }

    private static Settings settings(Map<String, String> values) {
        Properties properties = new Properties();
        properties.putAll(values);
        DefaultCamelContext camel = new DefaultCamelContext();
        camel.getPropertiesComponent().setInitialProperties(properties);
        return new Settings(camel);
    }
}
