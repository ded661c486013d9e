package io.carbridge.smartcar;

import java.time.Instant;

/**
 * A connection's token pair (v2.0) as the database holds it: encrypted for its user ({@code v2.TokenCipher}), with the
 * expiry times. The stores only ever see this form; plaintext tokens exist in memory while a call needs them.
 */
public record SealedTokens(String accessToken, String refreshToken, Instant accessExpiresAt, Instant refreshExpiresAt) {

    @Override
    public String toString() {
        return "SealedTokens[accessExpiresAt=" + accessExpiresAt + ", refreshExpiresAt=" + refreshExpiresAt + "]";
    }
}
