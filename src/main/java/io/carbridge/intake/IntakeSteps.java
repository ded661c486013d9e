package io.carbridge.intake;

import static io.carbridge.ExchangeProperties.DELIVERED_AT;
import static io.carbridge.ExchangeProperties.EVENT_NAME;
import static io.carbridge.ExchangeProperties.EVENT_TYPE;
import static io.carbridge.ExchangeProperties.INTAKE_ANSWER;
import static io.carbridge.ExchangeProperties.RAW_BODY;
import static io.carbridge.ExchangeProperties.SIGNATURE;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbridge.Json;
import io.carbridge.LogFields;
import io.carbridge.http.RequestHeaders;
import io.carbridge.http.RequestRefused;
import io.carbridge.outbox.OutboxConstants;
import io.carbridge.outbox.OutboxRouting;
import io.carbridge.storage.CanonicalEvent;
import io.carbridge.storage.StorageUnavailableException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.util.ObjectHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The Java steps of the intake route ({@code routes/webhook-intake.camel.yaml}): the protocol and security work. The
 * route decides the order and the content-based routing; these steps do one thing each.
 */
public final class IntakeSteps {

    static final String SIGNATURE_HEADER = "SC-Signature";

    private static final Logger LOG = LoggerFactory.getLogger("io.carbridge.intake");

    private final ManagementTokens tokens;
    private final ObjectMapper json;
    private final OutboxRouting routing;
    private final IntakeMetrics metrics;
    private final int maxBodyBytes;

    public IntakeSteps(
            ManagementTokens tokens,
            ObjectMapper json,
            OutboxRouting routing,
            IntakeMetrics metrics,
            int maxBodyBytes) {
        this.tokens = tokens;
        this.json = json;
        this.routing = routing;
        this.metrics = metrics;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Refuses what is not a POST of a JSON body within the size limit, before anything else looks at it. */
    public void checkRequest(Exchange exchange) throws Exception {
        metrics.received();
        Message message = exchange.getMessage();
        if (!"POST".equals(message.getHeader(Exchange.HTTP_METHOD, String.class))) {
            throw new RequestRefused(405, "method", "only POST is accepted here");
        }
        if (!isJson(message.getHeader(Exchange.CONTENT_TYPE, String.class))) {
            throw new RequestRefused(415, "media_type", "Content-Type must be application/json");
        }
        byte[] body = message.getBody(byte[].class);
        if (body == null || body.length == 0) {
            throw new RequestRefused(400, "empty_body", "the request body is empty");
        }
        if (body.length > maxBodyBytes) {
            throw new RequestRefused(413, "too_large", "the request body is larger than " + maxBodyBytes + " bytes");
        }
        exchange.setProperty(RAW_BODY, body);
    }

    /**
     * Checks {@code SC-Signature} on the raw bytes, before any parsing; records the result for the route to branch on.
     * Only the request's own header counts, never a query parameter of the same name.
     */
    public void checkSignature(Exchange exchange) throws Exception {
        String signature = RequestHeaders.get(exchange, SIGNATURE_HEADER);
        String result;
        if (signature == null || signature.isBlank()) {
            result = "missing";
        } else if (tokens.isValidSignature(exchange.getProperty(RAW_BODY, byte[].class), signature)) {
            metrics.verified();
            result = "valid";
        } else {
            result = "invalid";
        }
        exchange.setProperty(SIGNATURE, result);
    }

    /**
     * Parses the JSON once, strictly ({@link Json#STRICT}), into a map, the body the normalising steps read, and copies
     * the fields the route's content-based routing reads into exchange properties: a property is a map lookup for the
     * route, where {@code ${body[eventType]}} would copy the exchange and introspect the map on every evaluation. A
     * body that is not a JSON object is malformed (400) when signed; unsigned, it gets the same 401 as any other
     * unsigned delivery, so an anonymous caller learns nothing about parsing.
     */
    public void parseEnvelope(Exchange exchange) throws Exception {
        byte[] raw = exchange.getProperty(RAW_BODY, byte[].class);
        Object parsed;
        try {
            parsed = Json.STRICT.readValue(raw);
        } catch (JsonProcessingException e) {
            throw signed(exchange)
                    ? new RequestRefused(
                            400,
                            "malformed_json",
                            "the body must be one valid JSON document, with nothing after it and no key twice in an object")
                    : signatureRejection(exchange);
        } catch (IOException e) {
            throw new RequestRefused(400, "malformed_json", "the body could not be read");
        }
        if (!(parsed instanceof Map<?, ?> envelope)) {
            throw signed(exchange)
                    ? new RequestRefused(400, "malformed_json", "the body must be a JSON object")
                    : signatureRejection(exchange);
        }
        exchange.getMessage().setBody(envelope);
        exchange.setProperty(EVENT_NAME, envelope.get("eventName"));
        exchange.setProperty(EVENT_TYPE, envelope.get("eventType"));
        exchange.setProperty(DELIVERED_AT, Envelopes.deliveredAt(cast(envelope)));
    }

    /**
     * Answers Smartcar's VERIFY with the HMAC of its challenge under the current token. Signed or not: the answer only
     * proves that the bridge holds the token, and nothing is stored.
     */
    public void answerChallenge(Exchange exchange) throws Exception {
        String challenge = Envelopes.challenge(envelope(exchange));
        exchange.setProperty(INTAKE_ANSWER, IntakeAnswer.challenge(tokens.hmacHex(challenge)));
    }

    /**
     * A captured copy sent again after the bridge may have forgotten its id ({@link ReplayWindow}): nothing is stored;
     * the answer is 2xx all the same, so that a genuine sender would not retry it. Counted and logged as {@code stale}.
     */
    public void answerStaleReplay(Exchange exchange) {
        exchange.setProperty(
                INTAKE_ANSWER,
                IntakeAnswer.stale(
                        exchange.getMessage().getBody(CanonicalEvent.class),
                        "deliveredAt=" + exchange.getProperty(DELIVERED_AT, Instant.class)));
    }

    /** The route's branch for every non-VERIFY delivery whose signature is missing or wrong. */
    public void rejectSignature(Exchange exchange) {
        throw signatureRejection(exchange);
    }

    /**
     * Legacy {@code eventBased}: CHARGING_STARTED, CHARGING_STOPPED, CHARGING_COMPLETED
     * ({@link Envelopes#legacyEvent}).
     */
    public void normaliseLegacyEvent(Exchange exchange) {
        normalise(exchange, Envelopes::legacyEvent);
    }

    /**
     * Legacy {@code scheduled}, {@code schedule} and {@code dynamic} vehicle data
     * ({@link Envelopes#legacyVehicleData}).
     */
    public void normaliseLegacyVehicleData(Exchange exchange) {
        normalise(exchange, Envelopes::legacyVehicleData);
    }

    /** Current 4.0 {@code VEHICLE_STATE} and {@code VEHICLE_ERROR} ({@link Envelopes#currentEvent}). */
    public void normaliseCurrentEvent(Exchange exchange) {
        normalise(exchange, Envelopes::currentEvent);
    }

    /** A signed delivery of a kind the bridge does not know: kept, never forwarded ({@link Envelopes#unrecognised}). */
    public void normaliseUnrecognised(Exchange exchange) {
        normalise(exchange, Envelopes::unrecognised);
    }

    private static void normalise(Exchange exchange, Normaliser normaliser) {
        Instant receivedAt = Instant.ofEpochMilli(exchange.getClock().getCreated());
        CanonicalEvent event =
                normaliser.normalise(envelope(exchange), exchange.getProperty(RAW_BODY, byte[].class), receivedAt);
        exchange.getMessage().setBody(event);
    }

    /**
     * Writes the answer, for success and failure alike: JSON, no request header echoed back, one log line, metrics.
     * Runs last on the route and in each of its error handlers; a stored event is answered 202 (or 200 as a duplicate).
     */
    public void respondToSmartcar(Exchange exchange) throws Exception {
        IntakeAnswer answer = exchange.getProperty(INTAKE_ANSWER, IntakeAnswer.class);
        if (answer == null) {
            CanonicalEvent event = exchange.getMessage().getBody(CanonicalEvent.class);
            String repeatOf = exchange.getMessage().getHeader(OutboxConstants.REPEAT_OF, String.class);
            answer = "DUPLICATE".equals(exchange.getMessage().getHeader(OutboxConstants.STORED, String.class))
                    ? IntakeAnswer.duplicate(event)
                    : !event.recognised()
                            ? IntakeAnswer.unrecognised(event)
                            : IntakeAnswer.accepted(
                                    event, repeatOf != null ? repeat(event, repeatOf) : forwarding(event));
        }
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, answer.status());
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (answer.status() == 405) {
            message.setHeader("Allow", "POST");
        }
        // a String body is written to the response as it is; a byte[] would be streamed through an InputStream
        message.setBody(json.writeValueAsString(answer.body()));
        Duration elapsed = Duration.ofMillis(
                System.currentTimeMillis() - exchange.getClock().getCreated());
        metrics.finished(answer.outcome(), elapsed);
        log(answer, elapsed);
    }

    /** A refused delivery ({@link RequestRefused}): the status its step chose, and its short message. */
    public void answerRejection(Exchange exchange) {
        RequestRefused rejection = caught(exchange, RequestRefused.class);
        metrics.rejected(rejection.reason());
        exchange.setProperty(
                INTAKE_ANSWER, IntakeAnswer.rejected(rejection.status(), rejection.reason(), rejection.getMessage()));
    }

    /**
     * The event could not be committed in time ({@link StorageUnavailableException}): 503, and Smartcar delivers it
     * again.
     */
    public void answerStorageUnavailable(Exchange exchange) {
        LOG.error(
                "outcome=unavailable: {}",
                caught(exchange, StorageUnavailableException.class).getMessage());
        metrics.rejected("storage_unavailable");
        exchange.setProperty(
                INTAKE_ANSWER,
                IntakeAnswer.rejected(
                        503, "storage_unavailable", "the event could not be stored now; deliver it again later"));
    }

    /** Anything else: 500 without detail (nothing was stored, Smartcar delivers it again), logged with its cause. */
    public void answerInternalError(Exchange exchange) {
        LOG.error(
                "outcome=error: unexpected failure in the intake",
                exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
        metrics.rejected("internal_error");
        exchange.setProperty(
                INTAKE_ANSWER, IntakeAnswer.rejected(500, "internal_error", "internal error; deliver it again later"));
    }

    /** The exception an {@code onException} caught, of the type it was declared for (Camel matches causes too). */
    private static <T extends Exception> T caught(Exchange exchange, Class<T> type) {
        return ObjectHelper.getException(type, exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
    }

    /**
     * Where a stored event goes, for its log line: the destinations that queued it, and why each other one did not (a
     * test event, a type a filter leaves out), so that an event no destination takes is not dropped without a word.
     */
    private String forwarding(CanonicalEvent event) {
        List<String> to = routing.destinationsFor(event);
        Map<String, String> notTo = routing.refusals(event);
        return "forwardedTo=" + (to.isEmpty() ? "none" : String.join(",", to)) + notForwardedTo(notTo);
    }

    /** The destinations that do not take the event, each with its reason; nothing when every one takes it. */
    private static String notForwardedTo(Map<String, String> notTo) {
        return notTo.isEmpty()
                ? ""
                : " notForwardedTo=\""
                        + notTo.entrySet().stream()
                                .map(refusal -> refusal.getKey() + ": " + refusal.getValue())
                                .collect(Collectors.joining("; "))
                        + "\"";
    }

    /**
     * A {@code VEHICLE_ERROR} stored as a repeat of one received shortly before: forwarded nowhere, and the
     * destinations that would have taken it are told why, with the others' usual reasons.
     */
    private String repeat(CanonicalEvent event, String repeatOf) {
        Map<String, String> notTo = new TreeMap<>(routing.refusals(event));
        routing.destinationsFor(event)
                .forEach(destination ->
                        notTo.put(destination, "repeat of " + repeatOf + " within bridge.intake.error-dedupe-window"));
        return "forwardedTo=none repeatOf=" + repeatOf + notForwardedTo(notTo);
    }

    private static void log(IntakeAnswer answer, Duration elapsed) {
        CanonicalEvent event = answer.event();
        if (event != null) {
            String detail = answer.reason() == null ? "" : " " + answer.reason();
            // a stale copy is worth a look: it was signed with the management token
            LogFields.event(
                            LOG.atLevel("stale".equals(answer.outcome()) ? Level.WARN : Level.INFO),
                            event.eventId(),
                            event.eventType(),
                            event.vehicleId())
                    .addKeyValue(LogFields.OUTCOME, answer.outcome())
                    .log(
                            "outcome={} status={} eventId={} type={} vehicleId={} mode={}{} ms={}",
                            answer.outcome(),
                            answer.status(),
                            event.eventId(),
                            event.eventType(),
                            event.vehicleId(),
                            event.mode(),
                            detail,
                            elapsed.toMillis());
        } else {
            // a signature refused is worth a look: someone posts what Smartcar did not sign
            LOG.atLevel(answer.status() == 401 ? Level.WARN : Level.INFO)
                    .addKeyValue(LogFields.OUTCOME, answer.outcome())
                    .log(
                            "outcome={} status={} reason={} ms={}",
                            answer.outcome(),
                            answer.status(),
                            answer.reason(),
                            elapsed.toMillis());
        }
    }

    private static RequestRefused signatureRejection(Exchange exchange) {
        String reason = "missing".equals(exchange.getProperty(SIGNATURE, String.class))
                ? "signature_missing"
                : "signature_invalid";
        return new RequestRefused(401, reason, "SC-Signature is missing or does not match the body");
    }

    private static boolean signed(Exchange exchange) {
        return "valid".equals(exchange.getProperty(SIGNATURE, String.class));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> envelope(Exchange exchange) {
        return exchange.getMessage().getBody(Map.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> envelope) {
        return (Map<String, Object>) envelope;
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int parameters = contentType.indexOf(';');
        String mediaType = (parameters < 0 ? contentType : contentType.substring(0, parameters))
                .trim()
                .toLowerCase();
        return mediaType.equals("application/json")
                || (mediaType.startsWith("application/") && mediaType.endsWith("+json"));
    }

    /** One of {@link Envelopes}' readers. */
    @FunctionalInterface
    public interface Normaliser {
        CanonicalEvent normalise(Map<String, Object> envelope, byte[] raw, Instant receivedAt);
    }
}
