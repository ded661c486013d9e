package io.carbridge.delivery.http;

import io.carbridge.outbox.OutboxConstants;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The Java steps of the HTTP sink ({@code routes/http-sink.camel.yaml}, bean {@code httpSink}), the protocol and its
 * secrets:
 *
 * <ul>
 *   <li>{@link #prepareRequest}: the document as the JSON body; every header the route carried dropped but the outbox's
 *       own (camel-http never sends a {@code Camel} header); {@code Content-Type}, {@code Idempotency-Key} (the event
 *       id), the destination's authentication and, with a signing secret, the Standard Webhooks headers;
 *   <li>{@link #readAnswer}: the answer as the attempt's outcome. 2xx is delivered; 408, 429 and 5xx are tried again
 *       ({@code Retry-After} honoured on 429 and 503); 410 Gone pauses the destination; any other answer (a redirect,
 *       which is not followed; another 4xx) is a dead letter at once. A failure to connect or to be answered is an
 *       exception, which the outbox tries again.
 * </ul>
 */
public final class HttpSinkSteps {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    private static final int MAX_EXCERPT = 300;

    private final Function<String, HttpSink> sinks;

    /** @param sinks the HTTP sink of a destination, by the destination's name */
    public HttpSinkSteps(Function<String, HttpSink> sinks) {
        this.sinks = sinks;
    }

    public void prepareRequest(Exchange exchange) throws GeneralSecurityException {
        Message message = exchange.getMessage();
        HttpSink sink = sinks.apply(message.getHeader(OutboxConstants.DESTINATION, String.class));
        String eventId = message.getHeader(OutboxConstants.EVENT_ID, String.class);
        byte[] body = message.getBody(byte[].class);

        message.getHeaders().keySet().removeIf(name -> !name.startsWith("CamelOutbox"));
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setHeader(IDEMPOTENCY_KEY, eventId);
        switch (sink.auth()) {
            case BEARER -> message.setHeader("Authorization", "Bearer " + sink.authSecret());
            case BASIC -> message.setHeader("Authorization", "Basic " + sink.basicCredentials());
            case HEADER -> message.setHeader(sink.authHeader(), sink.authSecret());
            case NONE -> {}
        }
        if (sink.signingSecret() != null) {
            long timestamp = Instant.now().getEpochSecond();
            message.setHeader("webhook-id", eventId);
            message.setHeader("webhook-timestamp", Long.toString(timestamp));
            message.setHeader(
                    "webhook-signature",
                    "v1," + standardWebhooksSignature(sink.signingSecret(), eventId, timestamp, body));
        }
        message.setBody(body);
    }

    public void readAnswer(Exchange exchange) {
        Message message = exchange.getMessage();
        int status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        if (status >= 200 && status < 300) {
            exchange.setProperty(OutboxConstants.OUTCOME, "delivered");
            return;
        }
        HttpSink sink = sinks.apply(message.getHeader(OutboxConstants.DESTINATION, String.class));
        exchange.setProperty(OutboxConstants.OUTCOME_REASON, "HTTP " + status + answerExcerpt(message, sink));
        if (status == 410) {
            exchange.setProperty(OutboxConstants.OUTCOME, "pause");
        } else if (status == 408 || status == 429 || status >= 500) {
            exchange.setProperty(OutboxConstants.OUTCOME, "retry");
            if (status == 429 || status == 503) {
                exchange.setProperty(
                        OutboxConstants.RETRY_AFTER,
                        retryAfter(message.getHeader("Retry-After", String.class), Instant.now()));
            }
        } else {
            exchange.setProperty(OutboxConstants.OUTCOME, "dead");
        }
    }

    /**
     * Standard Webhooks: base64 HMAC-SHA256 of {@code id.timestamp.body}. A {@code whsec_} secret is base64 (the
     * scheme's own format); any other secret is used as its UTF-8 bytes.
     */
    static String standardWebhooksSignature(String secret, String id, long timestamp, byte[] body)
            throws GeneralSecurityException {
        byte[] key = secret.startsWith("whsec_")
                ? Base64.getDecoder().decode(secret.substring("whsec_".length()))
                : secret.getBytes(StandardCharsets.UTF_8);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(mac.doFinal(body));
    }

    /** {@code Retry-After} as seconds or as an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim())));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration until = Duration.between(
                        now,
                        ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                                .toInstant());
                return until.isNegative() ? Duration.ZERO : until;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    /**
     * The start of what the destination answered, for the log, the admin API and the health detail. A destination that
     * echoes the request must not make its own credentials readable there.
     */
    private static String answerExcerpt(Message message, HttpSink sink) {
        String body = message.getBody(String.class);
        if (body == null || body.isBlank()) {
            return "";
        }
        String excerpt = body.strip();
        for (String credential : sink.secrets()) {
            excerpt = excerpt.replace(credential, "***");
        }
        return ": " + (excerpt.length() <= MAX_EXCERPT ? excerpt : excerpt.substring(0, MAX_EXCERPT));
    }
}
