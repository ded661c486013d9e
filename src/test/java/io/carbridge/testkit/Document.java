package io.carbridge.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What a destination got from one event: the document its sink receives (the bytes after the transform and the document
 * step, as the bridge sends them) with the headers of the message, or, for an event the destination does not want (its
 * {@code event-types}, {@code include-test-events}), nothing and the reason.
 *
 * @param refusal why the destination does not want the event, or null when it got the document
 * @param bytes the document, or null when refused
 * @param headers the message's headers at the sink: {@code CamelOutboxEventId}, {@code CamelOutboxEventType},
 *     {@code CamelOutboxVehicleId}, {@code CamelOutboxDestination}, ... and any the transform set
 */
public record Document(String refusal, byte[] bytes, Map<String, Object> headers) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Whether the destination got a document. */
    public boolean sent() {
        return refusal == null;
    }

    /** The document as JSON; fails the test when there is none or it is not JSON. */
    public JsonNode json() {
        try {
            return JSON.readTree(require());
        } catch (IOException e) {
            throw new AssertionError("the document is not JSON: " + text(), e);
        }
    }

    /** The document as UTF-8 text; fails the test when there is none. */
    public String text() {
        return new String(require(), StandardCharsets.UTF_8);
    }

    private byte[] require() {
        if (refusal != null) {
            throw new AssertionError("the destination got no document: " + refusal);
        }
        return bytes;
    }

    @Override
    public String toString() {
        return refusal != null
                ? "Document[not sent: " + refusal + "]"
                : "Document[" + new String(bytes, StandardCharsets.UTF_8) + "]";
    }
}
