package io.carbridge.smartcar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbridge.Settings;
import io.carbridge.smartcar.v2.TokenCipher;
import io.carbridge.smartcar.v2.V2Settings;
import io.carbridge.smartcar.v3.V3Settings;
import java.lang.reflect.Field;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The rule of an intake-only deployment, the API version, and the refusals that name the variable to set. */
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

    /**
     * A v3 configuration as docs/smartcar-setup.md has it: no TOKEN_ENCRYPTION_KEY, no api-version (v3 is the default).
     */
    private static final Map<String, String> COMPLETE_V3 = Map.of(
            "bridge.smartcar.management-token", "amt-1",
            "bridge.smartcar.client-id", "client_api-1",
            "bridge.smartcar.client-secret", "secret-value",
            "bridge.smartcar.application-id", "app-uuid-1",
            "bridge.smartcar.redirect-uri", "https://bridge.example.com/connect/callback",
            "bridge.smartcar.webhook-id", "wh-1",
            "bridge.connect.scope", "read_vehicle_info");

    @Test
    void v3IsTheDefaultItsUrlsAreSmartcarsAndItNeedsNoTokenEncryptionKey() {
        SmartcarSettings loaded = SmartcarSettings.load(settings(COMPLETE_V3)).orElseThrow();

        assertThat(loaded.apiVersion()).isEqualTo(ApiVersion.V3);
        V3Settings v3 = (V3Settings) loaded.api();
        assertThat(v3.iamUrl()).isEqualTo("https://iam.smartcar.com/oauth2/token");
        assertThat(v3.vehicleApiUrl()).isEqualTo("https://vehicle.api.smartcar.com/v3");
        assertThat(v3.managementApiUrl()).isEqualTo("https://management.api.smartcar.com/v3");
        assertThat(v3.api(new SmartcarApi.Parts(loaded, null, null, null, null, null))
                        .connectClientId())
                .as("Connect takes the Application ID")
                .isEqualTo("app-uuid-1");
        assertThat(loaded.clientId()).isEqualTo("client_api-1");
        assertThat(Arrays.stream(V3Settings.class.getDeclaredFields()).map(Field::getType))
                .as("no token cipher: v3 stores no owner tokens")
                .doesNotContain(TokenCipher.class);
        assertThat(loaded.toString()).doesNotContain("secret-value", "amt-1");
        assertThat(SmartcarSettings.load(settings(with(COMPLETE_V3, "bridge.sync.page-size", "100")))
                        .orElseThrow()
                        .pageSize())
                .isEqualTo(100);
    }

    @Test
    void aV2DeploymentUpgradedWithoutTheVersionSettingStopsWithOneLineSayingWhatToSet() {
        Map<String, String> v2WithoutVersion = new HashMap<>(COMPLETE);
        v2WithoutVersion.remove("bridge.smartcar.api-version");

        assertThatThrownBy(() -> SmartcarSettings.load(settings(v2WithoutVersion)))
                .isInstanceOf(Settings.InvalidSettingException.class)
                .hasMessageContaining("bridge.smartcar.application-id")
                .hasMessageContaining("SMARTCAR_APPLICATION_ID")
                .hasMessageContaining("SMARTCAR_CLIENT_ID")
                .hasMessageContaining("SMARTCAR_API_VERSION=v2")
                .hasMessageNotContaining("\n");
        assertThat(SmartcarSettings.load(settings(COMPLETE)).orElseThrow().apiVersion())
                .isEqualTo(ApiVersion.V2);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"V3", "3", "v2.0", "latest"})
    void anApiVersionOtherThanV3OrV2IsRefusedEvenWithoutAClientId(String version) {
        assertThatThrownBy(() -> SmartcarSettings.load(settings(Map.of("bridge.smartcar.api-version", version))))
                .isInstanceOf(Settings.InvalidSettingException.class)
                .hasMessageContaining("bridge.smartcar.api-version")
                .hasMessageContaining("SMARTCAR_API_VERSION to v3 or v2");
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "bridge.smartcar.iam-url, iam.smartcar.com/oauth2/token",
        "bridge.smartcar.vehicle-api-url, https://vehicle.api.smartcar.com/v3?x=1",
        "bridge.smartcar.management-api-url, ftp://management.api.smartcar.com/v3",
        "bridge.smartcar.client-secret, ''",
        "bridge.sync.page-size, 101"
    })
    void v3RefusesAnInvalidValueNamingTheSetting(String property, String value) {
        assertThatThrownBy(() -> SmartcarSettings.load(settings(with(COMPLETE_V3, property, value))))
                .isInstanceOf(Settings.InvalidSettingException.class)
                .hasMessageContaining(property);
    }

    @Test
    void withoutAClientIdConnectAndTheSyncAreOffWhateverElseIsSet() {
        assertThat(SmartcarSettings.load(settings(Map.of("bridge.smartcar.management-token", "amt"))))
                .isEmpty();
        assertThat(SmartcarSettings.load(settings(with("bridge.smartcar.client-id", ""))))
                .isEmpty();
    }

    @Test
    void aCompleteConfigurationHasSmartcarsDefaultsAndTheCurrentManagementToken() {
        SmartcarSettings loaded = SmartcarSettings.load(settings(COMPLETE)).orElseThrow();

        V2Settings v2 = (V2Settings) loaded.api();
        assertThat(v2.apiUrl()).isEqualTo("https://api.smartcar.com/v2.0");
        assertThat(v2.authUrl()).isEqualTo("https://auth.smartcar.com/oauth/token");
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
        "bridge.smartcar.token-encryption.secret-key, TOKEN_ENCRYPTION_KEY"
    })
    void withAClientIdEveryRequiredSettingMustBeThereAndTheRefusalNamesItsVariable(String property, String variable) {
        assertThatThrownBy(() -> SmartcarSettings.load(settings(with(property, ""))))
                .isInstanceOf(Settings.InvalidSettingException.class)
                .hasMessageContaining(property)
                .hasMessageContaining(variable);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "bridge.smartcar.api-url, api.smartcar.com/v2.0",
        "bridge.smartcar.auth-url, ftp://auth.smartcar.com/token",
        "bridge.smartcar.redirect-uri, https://bridge.example.com/cb?x=1",
        "bridge.connect.mode, production",
        "bridge.sync.period, PT60S",
        "bridge.sync.page-size, 500",
        "bridge.sync.max-retry-backoff, 10s"
    })
    void refusesAnInvalidValueNamingTheSetting(String property, String value) {
        assertThatThrownBy(() -> SmartcarSettings.load(settings(with(property, value))))
                .isInstanceOf(Settings.InvalidSettingException.class)
                .hasMessageContaining(property);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "bridge.reconcile.requests-per-minute | 0.001 | is 0.001, it must be between 0.01 and 100000.0",
                "bridge.reconcile.gap-threshold | 20s | must be longer than bridge.reconcile.heartbeat-interval",
                "bridge.reconcile.heartbeat-interval | PT10S | is 'PT10S': write a positive duration such as 60s or 5m"
            })
    void gapFillingRefusesAnInvalidValueAsBefore(String property, String value, String problem) {
        assertThatThrownBy(() -> ReconciliationSettings.of(settings(Map.of(property, value))))
                .isInstanceOf(Settings.InvalidSettingException.class)
                .hasMessageContaining(property + " " + problem);
    }

    @Test
    void aValueOfTheWrongTypeStopsAnIntakeOnlyDeploymentToo() {
        assertThatThrownBy(() -> SmartcarSettings.load(settings(Map.of("bridge.sync.retry-backoff", "soon"))))
                .isInstanceOf(Settings.InvalidSettingException.class)
                .hasMessageContaining("bridge.sync.retry-backoff is 'soon'");
    }

    @Test
    void theRetryDelayDoublesUpToTheMaximum() {
        SmartcarSettings loaded = SmartcarSettings.load(settings(with("bridge.sync.max-retry-backoff", "5m")))
                .orElseThrow();

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
        assertThat(SmartcarHttp.retryAfter(DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        ZonedDateTime.now(ZoneOffset.UTC).plusMinutes(10))))
                .isBetween(Duration.ofMinutes(9), Duration.ofMinutes(10));
        assertThat(SmartcarHttp.retryAfter("soon")).isNull();
        assertThat(SmartcarHttp.retryAfter(null)).isNull();
    }

    private static Map<String, String> with(String property, String value) {
        return with(COMPLETE, property, value);
    }

    private static Map<String, String> with(Map<String, String> base, String property, String value) {
        Map<String, String> properties = new HashMap<>(base);
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
