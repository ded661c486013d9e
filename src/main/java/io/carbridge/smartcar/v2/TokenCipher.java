package io.carbridge.smartcar.v2;

import io.carbridge.Settings;
import io.carbridge.smartcar.SealedTokens;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts the owners' Smartcar tokens (v2.0) at rest with AES-256-GCM (JDK only). Each value gets a fresh 96-bit
 * nonce, and is bound to its row and purpose ({@code user:access}, {@code user:refresh}) as associated data, so a
 * ciphertext copied into another row or column does not decrypt. Stored as base64 of nonce followed by ciphertext and
 * tag.
 */
public final class TokenCipher {

    /** The property holding the key, {@code TOKEN_ENCRYPTION_KEY} by default. */
    public static final String PROPERTY = "bridge.smartcar.token-encryption.secret-key";

    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Smartcar does not return it; its documentation and SDKs give refresh tokens 60 days. */
    private static final Duration REFRESH_TOKEN_LIFETIME = Duration.ofDays(60);

    private final SecretKeySpec key;

    private TokenCipher(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /** @param base64Key base64 of 32 random bytes, as {@code openssl rand -base64 32} prints */
    public static TokenCipher fromBase64(String base64Key) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64Key.trim());
        } catch (IllegalArgumentException e) {
            throw new Settings.InvalidSettingException(
                    PROPERTY,
                    "is not base64: set TOKEN_ENCRYPTION_KEY to the output of " + "'openssl rand -base64 32'");
        }
        if (key.length != KEY_BYTES) {
            throw new Settings.InvalidSettingException(
                    PROPERTY,
                    "decodes to " + key.length + " bytes, it must be " + KEY_BYTES
                            + ": set TOKEN_ENCRYPTION_KEY to the output of 'openssl rand -base64 32'");
        }
        return new TokenCipher(key);
    }

    /**
     * A token pair as the database keeps it: each token encrypted for the user and its purpose, with the expiry times.
     */
    SealedTokens seal(String userId, V2Client.TokenGrant grant, Instant now) {
        return new SealedTokens(
                encrypt(grant.accessToken(), accessContext(userId)),
                encrypt(grant.refreshToken(), refreshContext(userId)),
                now.plus(grant.expiresIn()),
                now.plus(REFRESH_TOKEN_LIFETIME));
    }

    static String accessContext(String userId) {
        return userId + ":access";
    }

    static String refreshContext(String userId) {
        return userId + ":refresh";
    }

    public String encrypt(String token, String context) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, context);
            byte[] sealed = cipher.doFinal(token.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder()
                    .encodeToString(ByteBuffer.allocate(NONCE_BYTES + sealed.length)
                            .put(nonce)
                            .put(sealed)
                            .array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    /**
     * @throws IllegalStateException when the value was not encrypted with this key for this context (or was altered)
     */
    public String decrypt(String stored, String context) {
        try {
            byte[] all = Base64.getDecoder().decode(stored);
            if (all.length <= NONCE_BYTES) {
                throw new IllegalStateException("a stored token for " + context + " is too short to be a ciphertext");
            }
            byte[] nonce = Arrays.copyOf(all, NONCE_BYTES);
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, nonce, context);
            return new String(cipher.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // the message names the row, never the value: a wrong TOKEN_ENCRYPTION_KEY is the usual cause
            throw new IllegalStateException(
                    "a stored token for " + context + " does not decrypt with TOKEN_ENCRYPTION_KEY");
        }
    }

    private Cipher cipher(int mode, byte[] nonce, String context) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }

    @Override
    public String toString() {
        return "TokenCipher[AES-256-GCM]";
    }
}
