package io.carbridge.admin;

import static io.carbridge.ExchangeProperties.ADMIN_CALL;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbridge.Json;
import io.carbridge.Settings;
import io.carbridge.http.ClientAddresses;
import io.carbridge.http.ClientRateLimit;
import io.carbridge.http.RequestHeaders;
import io.carbridge.http.RequestRefused;
import io.carbridge.storage.StorageUnavailableException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.util.ObjectHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every admin call of {@code routes/admin-api.camel.yaml} shares: the bearer token before the call
 * ({@link #checkToken}), the answer to a failure ({@link #answerRejection}, {@link #answerError}), and the JSON answer
 * itself ({@link #answer}).
 */
public final class AdminApi {

    /**
     * What a call answers when it is not a plain 200: its status and body, and how long to wait before asking again.
     */
    public record Answer(int status, Object body, Duration retryAfter) {

        public Answer(int status, Object body) {
            this(status, body, null);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger("io.carbridge.admin");
    private static final ObjectMapper JSON = Json.MAPPER;

    private final AdminAccess access;
    private final ClientAddresses clients;
    private final ClientRateLimit failedTokens;
    private final Counter failures;

    /**
     * @param failedTokens how many wrong tokens one client address may present: past it, every call from that address
     *     is answered 429 until the bucket refills, the right token included (else answers would tell a right guess
     *     from a wrong one)
     */
    private AdminApi(AdminAccess access, ClientAddresses clients, ClientRateLimit failedTokens, MeterRegistry meters) {
        this.access = access;
        this.clients = clients;
        this.failedTokens = failedTokens;
        this.failures = Counter.builder("bridge.admin.token.failures")
                .description("Admin calls refused for a missing or wrong bearer token")
                .register(meters);
    }

    /** The admin API as {@code bridge.admin.*} sets it up. */
    public static AdminApi from(Settings settings, ClientAddresses clients, MeterRegistry meters) {
        AdminSettings admin = settings.of(AdminSettings.class);
        return new AdminApi(
                new AdminAccess(admin.token),
                clients,
                new ClientRateLimit("admin", admin.failedTokenBurst, admin.failedTokenRefill, meters),
                meters);
    }

    /**
     * Before every call: 401 unless the request's own {@code Authorization} header is {@code Bearer <ADMIN_TOKEN>}; 429
     * while its client address has presented too many wrong tokens.
     */
    public void checkToken(Exchange exchange) {
        Message message = exchange.getMessage();
        exchange.setProperty(
                ADMIN_CALL,
                message.getHeader(Exchange.HTTP_METHOD, String.class) + " "
                        + message.getHeader(Exchange.HTTP_PATH, String.class));
        String client = clients.of(exchange);
        failedTokens.check(client).ifPresent(wait -> {
            throw new RequestRefused(
                    429, "rate_limited", "too many wrong admin tokens from this address; try again later", wait);
        });
        try {
            access.check(RequestHeaders.get(exchange, "Authorization"));
        } catch (RequestRefused refused) {
            if (!AdminAccess.DISABLED.equals(refused.reason())) {
                failures.increment();
                failedTokens.take(client);
            }
            throw refused;
        }
    }

    /** {@link RequestRefused}: its status, message and reason (400, 401, 404, 409, 429, 502, 503). */
    public void answerRejection(Exchange exchange) {
        RequestRefused rejection = ObjectHelper.getException(
                RequestRefused.class, exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
        exchange.getMessage()
                .setBody(new Answer(
                        rejection.status(),
                        Map.of("error", rejection.getMessage(), "reason", rejection.reason()),
                        rejection.retryAfter().orElse(null)));
    }

    /** Anything else: 503 while the database is unavailable (try again later), otherwise 500 without detail; logged. */
    public void answerError(Exchange exchange) {
        Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (StorageUnavailableException.isCause(failure)) {
            LOG.warn("admin call failed, the database is unavailable: {}", failure.getMessage());
            exchange.getMessage()
                    .setBody(new Answer(503, Map.of("error", "the database is unavailable; try again later")));
        } else {
            LOG.error("admin call failed", failure);
            exchange.getMessage().setBody(new Answer(500, Map.of("error", "internal error")));
        }
    }

    /**
     * The last step of every call, and of its error answers: the body as JSON with its status (200, or what an
     * {@link Answer} says), every request header dropped so that none is echoed back, and one audit line.
     */
    public void answer(Exchange exchange) throws Exception {
        Message message = exchange.getMessage();
        Object body = message.getBody();
        Answer answer = body instanceof Answer explicit ? explicit : new Answer(200, body);
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, answer.status());
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (answer.retryAfter() != null) {
            message.setHeader("Retry-After", answer.retryAfter().toSeconds());
        }
        message.setBody(JSON.writeValueAsBytes(answer.body()));
        LOG.info("admin {} -> {}", exchange.getProperty(ADMIN_CALL, String.class), answer.status());
    }
}
