package io.carbridge.intake;

import io.carbridge.Settings;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Smartcar's Application Management Token(s), the HMAC-SHA256 key of both the verification challenge and the
 * {@code SC-Signature}. During a rotation several are configured: the first is the current one (it answers challenges),
 * every one is accepted for signatures. The tokens never leave this class, and {@link #toString()} says only how many
 * there are.
 */
public final class ManagementTokens {

    /** The property holding the token(s), {@code SMARTCAR_MANAGEMENT_TOKEN} by default. */
    public static final String PROPERTY = "bridge.smartcar.management-token";

    private static final String HMAC = "HmacSHA256";
    private static final HexFormat HEX = HexFormat.of();
    private static final int SIGNATURE_HEX_LENGTH = 64;

    private final List<SecretKeySpec> keys;
    private final ThreadLocal<Mac[]> macs;

    private ManagementTokens(List<SecretKeySpec> keys) {
        this.keys = keys;
        this.macs = ThreadLocal.withInitial(this::newMacs);
    }

    /** The tokens of {@code bridge.smartcar.management-token}; none stops the start. */
    public static ManagementTokens of(Settings settings) {
        return of(settings.of(ManagementTokenSettings.class).tokens());
    }

    /** @param commaSeparated {@code current[,previous...]} as in {@code SMARTCAR_MANAGEMENT_TOKEN} */
    public static ManagementTokens parse(String commaSeparated) {
        return of(Arrays.asList(commaSeparated.split(",")));
    }

    private static ManagementTokens of(List<String> tokens) {
        List<SecretKeySpec> keys = tokens.stream()
                .map(String::trim)
                .filter(token -> !token.isEmpty())
                .map(token -> new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), HMAC))
                .toList();
        if (keys.isEmpty()) {
            throw new Settings.InvalidSettingException(
                    PROPERTY,
                    "is not set: set the environment variable "
                            + "SMARTCAR_MANAGEMENT_TOKEN to the Application Management Token (Smartcar Dashboard > Configuration > "
                            + "API Keys); during a rotation list the new token first, then the old one, separated by a comma");
        }
        return new ManagementTokens(keys);
    }

    /** Lowercase hex HMAC-SHA256 of the message, keyed with the current token: the answer to a VERIFY challenge. */
    public String hmacHex(String message) {
        return HEX.formatHex(macs.get()[0].doFinal(message.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Whether {@code signatureHex} is the HMAC of exactly these bytes under any configured token. Every token is tried
     * and compared in constant time, so the answer's timing says nothing about the signature or about which token
     * matched.
     */
    public boolean isValidSignature(byte[] body, String signatureHex) {
        byte[] expected = decodeSignature(signatureHex);
        boolean valid = false;
        for (Mac mac : macs.get()) {
            byte[] actual = mac.doFinal(body);
            valid |= expected != null && MessageDigest.isEqual(actual, expected);
        }
        return valid;
    }

    int count() {
        return keys.size();
    }

    @Override
    public String toString() {
        return "ManagementTokens[" + keys.size() + " configured]";
    }

    private static byte[] decodeSignature(String signatureHex) {
        if (signatureHex == null) {
            return null;
        }
        String trimmed = signatureHex.trim();
        if (trimmed.length() != SIGNATURE_HEX_LENGTH) {
            return null;
        }
        try {
            return HEX.parseHex(trimmed.toLowerCase());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private Mac[] newMacs() {
        try {
            Mac[] result = new Mac[keys.size()];
            for (int i = 0; i < result.length; i++) {
                result[i] = Mac.getInstance(HMAC);
                result[i].init(keys.get(i));
            }
            return result;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }
}
