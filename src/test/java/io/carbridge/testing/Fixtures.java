package io.carbridge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Smartcar's sample deliveries ({@code src/test/resources/smartcar}) and the signatures computed for them outside this
 * project ({@code vectors.json}), so tests check the bridge against the protocol, not against itself.
 */
public final class Fixtures {

    /** The token the vectors were computed with; {@code test.properties} configures the bridge with it. */
    public static final String MANAGEMENT_TOKEN;

    private static final JsonNode VECTORS;

    static {
        try {
            VECTORS = new ObjectMapper().readTree(bytes("vectors.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        MANAGEMENT_TOKEN = VECTORS.get("managementToken").asText();
    }

    private Fixtures() {}

    public static byte[] bytes(String file) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/smartcar/" + file)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + file);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code SC-Signature} Smartcar would send with this fixture. */
    public static String signature(String file) {
        return vector(file).get("scSignature").asText();
    }

    /** The challenge answer Smartcar expects for this VERIFY fixture. */
    public static String expectedChallengeResponse(String file) {
        return vector(file).get("expectedChallengeResponse").asText();
    }

    public static JsonNode knownVector() {
        return VECTORS.get("knownVector");
    }

    /** Signs a body the test made up, as Smartcar would: lowercase hex HMAC-SHA256 keyed with the token. */
    public static String sign(byte[] body, String token) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sign(byte[] body) {
        return sign(body, MANAGEMENT_TOKEN);
    }

    /**
     * A current-format (4.0) delivery the test makes up, live mode; {@code extraFields} replaces the empty
     * {@code "data"} block when given (it starts with a comma).
     */
    public static byte[] currentEvent(String eventId, String type, String vehicleId, String extraFields) {
        return ("{\"eventId\":\"" + eventId + "\",\"eventType\":\"" + type + "\",\"vehicleId\":\"" + vehicleId + "\""
                        + (extraFields.isEmpty() ? ",\"data\":{}" : extraFields)
                        + ",\"meta\":{\"version\":\"4.0\",\"mode\":\"LIVE\",\"webhookId\":\"wh-test\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode vector(String file) {
        for (JsonNode entry : VECTORS.get("files")) {
            if (entry.get("file").asText().equals(file)) {
                return entry;
            }
        }
        throw new IllegalArgumentException("no vector for " + file);
    }
}
