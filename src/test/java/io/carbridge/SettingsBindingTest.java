package io.carbridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbridge.Settings.InvalidSettingException;
import io.carbridge.testing.LogCapture;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** One duration syntax, Camel's, which still reads every form the bridge's own grammar read before it. */
class SettingsBindingTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "500ms, PT0.5S",
        "30s, PT30S",
        "5m, PT5M",
        "2h, PT2H",
        "7d, PT168H",
        "1h30m, PT1H30M",
        "0, PT0S",
        "PT30S, PT30S",
        "pt30s, PT30S"
    })
    void readsDurationsAsCamelWritesThemAndIso8601(String text, Duration expected) {
        try (LogCapture log = LogCapture.start()) {
            assertThat(SettingsBinding.duration("bridge.x", text)).isEqualTo(expected);
            assertThat(log.containing("bridge.x")).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"5M, PT5M, 5m", "30S, PT30S, 30s", "500MS, PT0.5S, 500ms", "7D, PT168H, 7d", "5 m, PT5M, 5m"})
    void readsTheFormerFormsWithAWarnNamingCamelsForm(String text, Duration expected, String camelForm) {
        try (LogCapture log = LogCapture.start()) {
            assertThat(SettingsBinding.duration("bridge.x", text)).isEqualTo(expected);
            assertThat(log.containing("bridge.x"))
                    .singleElement()
                    .asString()
                    .contains("'" + text + "'", "write " + camelForm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"1 hour", "5x", "-5s", "1.5s", "P", "PTx"})
    void refusesWhatIsNoDurationNamingTheSetting(String text) {
        assertThatThrownBy(() -> SettingsBinding.duration("bridge.x", text))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("Configuration error: bridge.x is '" + text
                        + "', expected a duration such as 500ms, 30s, 5m, 2h, 7d or PT30S");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"PT1H", "1H", "0", "0s"})
    void aTimersPeriodIsPositiveAndInCamelsOwnForm(String text) {
        assertThatThrownBy(() -> SettingsBinding.timerPeriod("bridge.x", text))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage(
                        "Configuration error: bridge.x is '" + text + "': write a positive duration such as 60s or 5m");
        assertThat(SettingsBinding.timerPeriod("bridge.x", "1h")).isEqualTo(Duration.ofHours(1));
    }
}
