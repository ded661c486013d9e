package io.carbridge.intake;

import io.carbridge.storage.CanonicalEvent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the intake answers Smartcar: status, JSON body, and the outcome it is counted and logged under.
 *
 * @param reason why a delivery was refused; for an event, what its log line adds (where it is forwarded, when a stale
 *     copy was delivered), or null
 * @param event the event concerned, when the delivery got that far
 */
record IntakeAnswer(int status, String outcome, String reason, Map<String, Object> body, CanonicalEvent event) {

    static IntakeAnswer challenge(String hmacHex) {
        return new IntakeAnswer(200, "challenge", null, Map.of("challenge", hmacHex), null);
    }

    static IntakeAnswer accepted(CanonicalEvent event, String forwarding) {
        return new IntakeAnswer(202, "accepted", forwarding, status("accepted", event), event);
    }

    static IntakeAnswer duplicate(CanonicalEvent event) {
        return new IntakeAnswer(200, "duplicate", null, status("duplicate", event), event);
    }

    static IntakeAnswer unrecognised(CanonicalEvent event) {
        return new IntakeAnswer(202, "unrecognised", null, status("unrecognised", event), event);
    }

    /**
     * A copy delivered before the replay window (see {@link ReplayWindow}): nothing stored; 2xx, so that it is not sent
     * again.
     */
    static IntakeAnswer stale(CanonicalEvent event, String reason) {
        return new IntakeAnswer(200, "stale", reason, status("stale", event), event);
    }

    static IntakeAnswer rejected(int status, String reason, String message) {
        return new IntakeAnswer(status, "rejected", reason, Map.of("error", message), null);
    }

    private static Map<String, Object> status(String status, CanonicalEvent event) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("eventId", event.eventId());
        return body;
    }
}
