package io.carbridge.delivery;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.carbridge.Json;
import io.carbridge.outbox.OutboxConstants;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * The protocol part of a delivery, run by the {@code http-destination} template just before the HTTP call: the body
 * becomes JSON bytes, every other header is dropped, and the request gets its content type, the idempotency key (the
 * event id), the destination's authentication and, when it has a signing secret, a Standard Webhooks signature. The
 * destination and the event id are the headers the {@code outbox:<destination>} consumer set.
 */
public final class OutboundRequest implements Processor {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final Destinations destinations;

    public OutboundRequest(Destinations destinations) {
        this.destinations = destinations;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Message message = exchange.getMessage();
        Destination destination = destinations.get(message.getHeader(OutboxConstants.DESTINATION, String.class));
        String eventId = message.getHeader(OutboxConstants.EVENT_ID, String.class);
        byte[] body = jsonBytes(message);

        message.getHeaders().clear();
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setHeader(IDEMPOTENCY_KEY, eventId);
        switch (destination.auth()) {
            case BEARER -> message.setHeader("Authorization", "Bearer " + destination.authSecret());
            case BASIC -> message.setHeader("Authorization", "Basic " + destination.basicCredentials());
            case HEADER -> message.setHeader(destination.authHeader(), destination.authSecret());
            case NONE -> { }
        }
        if (destination.signingSecret() != null) {
            long timestamp = Instant.now().getEpochSecond();
            message.setHeader("webhook-id", eventId);
            message.setHeader("webhook-timestamp", Long.toString(timestamp));
            message.setHeader("webhook-signature", "v1," + standardWebhooksSignature(destination.signingSecret(), eventId, timestamp, body));
        }
        message.setBody(body);
    }

    /**
     * Standard Webhooks: base64 HMAC-SHA256 of {@code id.timestamp.body}. A {@code whsec_} secret is base64 (the
     * scheme's own format); any other secret is used as its UTF-8 bytes.
     */
    static String standardWebhooksSignature(String secret, String id, long timestamp, byte[] body) throws GeneralSecurityException {
        byte[] key = secret.startsWith("whsec_")
                ? Base64.getDecoder().decode(secret.substring("whsec_".length()))
                : secret.getBytes(StandardCharsets.UTF_8);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(mac.doFinal(body));
    }

    /**
     * What the transform produced, as JSON bytes: maps and lists are written as JSON; text, bytes and streams (what
     * {@code marshal: json} gives) are taken as JSON already.
     */
    private static byte[] jsonBytes(Message message) throws Exception {
        Object body = message.getBody();
        if (body instanceof Map<?, ?> || body instanceof Collection<?>) {
            return Json.MAPPER.writeValueAsBytes(body);
        }
        byte[] bytes = message.getBody(byte[].class);
        return bytes != null ? bytes : Json.MAPPER.writeValueAsBytes(body);
    }
}
