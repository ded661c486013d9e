package io.carbridge.smartcar.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbridge.Settings;
import java.util.Base64;
import org.apache.camel.util.SensitiveUtils;
import org.junit.jupiter.api.Test;

class TokenCipherTest {

    private static final String KEY = "BRaDHSSdQ5yjXG1FhzNbPiqL9Y2BnZH4iKO2q6Uv3xU=";
    private final TokenCipher cipher = TokenCipher.fromBase64(KEY);

    @Test
    void decryptsWhatItEncryptedAndNeverTheSameCiphertextTwice() {
        String first = cipher.encrypt("access-token-value", "user-1:access");
        String second = cipher.encrypt("access-token-value", "user-1:access");

        assertThat(first).isNotEqualTo(second).doesNotContain("access-token-value");
        assertThat(cipher.decrypt(first, "user-1:access")).isEqualTo("access-token-value");
        assertThat(cipher.decrypt(second, "user-1:access")).isEqualTo("access-token-value");
    }

    @Test
    void aCiphertextMovedToAnotherRowOrColumnOrAlteredDoesNotDecrypt() {
        String sealed = cipher.encrypt("refresh-token-value", "user-1:refresh");
        byte[] altered = Base64.getDecoder().decode(sealed);
        altered[altered.length - 1] ^= 1;

        assertThatThrownBy(() -> cipher.decrypt(sealed, "user-2:refresh"))
                .hasMessageContaining("user-2:refresh")
                .hasMessageNotContaining("refresh-token-value");
        assertThatThrownBy(() -> cipher.decrypt(sealed, "user-1:access")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> cipher.decrypt(Base64.getEncoder().encodeToString(altered), "user-1:refresh"))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> TokenCipher.fromBase64(Base64.getEncoder().encodeToString(new byte[32]))
                        .decrypt(sealed, "user-1:refresh"))
                .hasMessageContaining("TOKEN_ENCRYPTION_KEY");
    }

    @Test
    void theKeysPropertyIsOneCamelMasksInTheSummaryItLogsAtStart() {
        assertThat(SensitiveUtils.containsSensitive(TokenCipher.PROPERTY)).isTrue();
    }

    @Test
    void refusesAKeyThatIsNotBase64OfThirtyTwoBytesNamingTheVariable() {
        assertThatThrownBy(() -> TokenCipher.fromBase64("not base64!"))
                .isInstanceOf(Settings.InvalidSettingException.class)
                .hasMessageContaining("TOKEN_ENCRYPTION_KEY")
                .hasMessageContaining("openssl rand -base64 32");
        assertThatThrownBy(() -> TokenCipher.fromBase64(Base64.getEncoder().encodeToString(new byte[16])))
                .isInstanceOf(Settings.InvalidSettingException.class)
                .hasMessageContaining("16 bytes");
    }
}
