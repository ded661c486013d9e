package io.carbridge.smartcar;

import java.time.Duration;
import java.time.Instant;

/**
 * A connection's token pair as the database holds it: encrypted for its user, with the expiry times. The stores only
 * ever see this form; plaintext tokens exist in memory while a call needs them.
 */
record SealedTokens(String accessToken, String refreshToken, Instant accessExpiresAt, Instant refreshExpiresAt) {

    /** Smartcar does not return it; its documentation and SDKs give refresh tokens 60 days. */
    static final Duration REFRESH_TOKEN_LIFETIME = Duration.ofDays(60);

    static SealedTokens seal(TokenCipher cipher, String userId, SmartcarApi.TokenGrant grant, Instant now) {
        return new SealedTokens(cipher.encrypt(grant.accessToken(), accessContext(userId)),
                cipher.encrypt(grant.refreshToken(), refreshContext(userId)),
                now.plus(grant.expiresIn()), now.plus(REFRESH_TOKEN_LIFETIME));
    }

    static String accessContext(String userId) {
        return userId + ":access";
    }

    static String refreshContext(String userId) {
        return userId + ":refresh";
    }

    @Override
    public String toString() {
        return "SealedTokens[accessExpiresAt=" + accessExpiresAt + ", refreshExpiresAt=" + refreshExpiresAt + "]";
    }
}
