package io.carbridge.admin;

import io.carbridge.http.RequestRefused;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The bearer token every admin call must carry ({@code ADMIN_TOKEN}). Unset, the admin API is off: every call is
 * refused. Only a digest of the token is kept, and tokens are compared by digest in constant time.
 */
public final class AdminAccess {

    /** The {@code reason} of the 401 answered while the admin API is off, which the console shows as such. */
    public static final String DISABLED = "admin_api_disabled";

    private final byte[] tokenDigest;

    public AdminAccess(String token) {
        this.tokenDigest = token == null || token.isBlank() ? null : sha256(token.trim());
    }

    public boolean isEnabled() {
        return tokenDigest != null;
    }

    /** @throws RequestRefused 401 unless the Authorization header is {@code Bearer <ADMIN_TOKEN>} */
    public void check(String authorizationHeader) {
        if (tokenDigest == null) {
            throw new RequestRefused(401, DISABLED, "the admin API is disabled: set ADMIN_TOKEN to enable it");
        }
        String presented = authorizationHeader != null && authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorizationHeader.substring(7).trim()
                : "";
        if (!MessageDigest.isEqual(tokenDigest, sha256(presented))) {
            throw new RequestRefused(401, "unauthorized", "missing or wrong bearer token");
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "AdminAccess[" + (isEnabled() ? "enabled" : "disabled") + "]";
    }
}
