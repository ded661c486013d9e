package io.carbridge.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbridge.Settings;
import io.carbridge.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ManagementTokensTest {

    @Test
    void answersSmartcarsOwnKnownVector() {
        var vector = Fixtures.knownVector();
        ManagementTokens tokens = ManagementTokens.parse(vector.get("key").asText());

        assertThat(tokens.hmacHex(vector.get("message").asText()))
                .isEqualTo(vector.get("hmacSha256Hex").asText())
                .isEqualTo("9baf5a7464bd86740ad5a06e439dcf535a075022ed2c92d74efacf646d79328e");
    }

    @Test
    void acceptsTheFixtureSignaturesOnTheExactBytes() {
        ManagementTokens tokens = ManagementTokens.parse(Fixtures.MANAGEMENT_TOKEN);
        for (String file :
                new String[] {"legacy-event-charging-completed.json", "v4-vehicle-state.json", "v4-vehicle-error.json"
                }) {
            byte[] body = Fixtures.bytes(file);
            assertThat(tokens.isValidSignature(body, Fixtures.signature(file)))
                    .as(file)
                    .isTrue();
            assertThat(tokens.isValidSignature(body, Fixtures.signature(file).toUpperCase()))
                    .as(file + " upper case")
                    .isTrue();

            byte[] withoutTrailingNewline = java.util.Arrays.copyOf(body, body.length - 1);
            assertThat(tokens.isValidSignature(withoutTrailingNewline, Fixtures.signature(file)))
                    .as(file + " one byte less")
                    .isFalse();
        }
    }

    @Test
    void refusesMissingShortAndNonHexSignatures() {
        ManagementTokens tokens = ManagementTokens.parse(Fixtures.MANAGEMENT_TOKEN);
        byte[] body = Fixtures.bytes("v4-vehicle-state.json");

        assertThat(tokens.isValidSignature(body, null)).isFalse();
        assertThat(tokens.isValidSignature(body, "")).isFalse();
        assertThat(tokens.isValidSignature(
                        body, Fixtures.signature("v4-vehicle-state.json").substring(2)))
                .isFalse();
        assertThat(tokens.isValidSignature(body, "z".repeat(64))).isFalse();
    }

    @Test
    void duringARotationAcceptsEveryTokenAndAnswersChallengesWithTheFirst() {
        byte[] body = "{\"eventId\":\"e\"}".getBytes(StandardCharsets.UTF_8);
        ManagementTokens tokens = ManagementTokens.parse(" new-token , old-token ");

        assertThat(tokens.count()).isEqualTo(2);
        assertThat(tokens.isValidSignature(body, Fixtures.sign(body, "old-token")))
                .isTrue();
        assertThat(tokens.isValidSignature(body, Fixtures.sign(body, "new-token")))
                .isTrue();
        assertThat(tokens.isValidSignature(body, Fixtures.sign(body, "other-token")))
                .isFalse();
        assertThat(tokens.hmacHex("challenge"))
                .isEqualTo(ManagementTokens.parse("new-token").hmacHex("challenge"));
    }

    @Test
    void refusesToStartWithoutAToken() {
        assertThatThrownBy(() -> ManagementTokens.parse(" , "))
                .isInstanceOf(Settings.InvalidSettingException.class)
                .hasMessageContaining("SMARTCAR_MANAGEMENT_TOKEN");
    }

    @Test
    void neverShowsTheTokenInItsDescription() {
        assertThat(ManagementTokens.parse("secret-token-value").toString()).doesNotContain("secret-token-value");
    }
}
