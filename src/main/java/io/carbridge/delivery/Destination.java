package io.carbridge.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import io.carbridge.outbox.RetryPolicy;
import io.carbridge.storage.CanonicalEvent;

/**
 * One HTTP destination (a CRM, an ERP, ...) as configured under {@code bridge.destination.<name>.*}.
 *
 * @param transformUri   the endpoint that turns the enriched event into the destination's document
 * @param authSecret     the bearer token, basic password or header value, read from the named environment variable
 * @param signingSecret  key of the Standard Webhooks signature of each request, or null for no signature
 */
public record Destination(
        String name,
        String url,
        String method,
        Auth auth,
        String authUsername,
        String authHeader,
        String authSecret,
        Duration timeout,
        List<String> eventTypes,
        boolean includeTestEvents,
        String transformUri,
        String signingSecret,
        int concurrency,
        RetryPolicy retry) {

    public enum Auth { NONE, BEARER, BASIC, HEADER }

    /** Whether this destination wants the event: its type matches (exactly, or a {@code PREFIX_*} pattern) and its mode. */
    public boolean wants(CanonicalEvent event) {
        return refusal(event) == null;
    }

    /** Why this destination does not want the event, or null when it does. */
    public String refusal(CanonicalEvent event) {
        if (!event.recognised()) {
            return "unrecognised events are never forwarded";
        }
        if (event.isTestMode() && !includeTestEvents) {
            return "a " + event.mode() + " event, and include-test-events is false";
        }
        if (eventTypes.isEmpty()) {
            return null;
        }
        for (String pattern : eventTypes) {
            boolean matches = pattern.endsWith("*")
                    ? event.eventType().startsWith(pattern.substring(0, pattern.length() - 1))
                    : event.eventType().equals(pattern);
            if (matches) {
                return null;
            }
        }
        return event.eventType() + " is not in event-types " + String.join(",", eventTypes);
    }

    @Override
    public String toString() {
        return "Destination[" + name + " " + method + " " + url + " auth=" + auth + "]";
    }

    /** The value of HTTP Basic authentication: base64 of user name, colon, password. */
    String basicCredentials() {
        return Base64.getEncoder().encodeToString((authUsername + ":" + authSecret).getBytes(StandardCharsets.UTF_8));
    }

    /** Every secret value this destination sends or signs with, as sent: what must never be shown. */
    List<String> credentials() {
        List<String> credentials = new ArrayList<>();
        if (authSecret != null && !authSecret.isEmpty()) {
            credentials.add(authSecret);
            if (auth == Auth.BASIC) {
                credentials.add(basicCredentials());
            }
        }
        if (signingSecret != null && !signingSecret.isEmpty()) {
            credentials.add(signingSecret);
        }
        return credentials;
    }
}
