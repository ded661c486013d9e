package io.carbridge.admin;

import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbridge.Json;
import io.carbridge.http.RequestHeaders;
import io.carbridge.storage.StorageUnavailableException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.util.ObjectHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every admin call of {@code routes/admin-api.camel.yaml} shares: the bearer token
 * before the call ({@link #checkToken}), the answer to a failure ({@link #answerRejection}, {@link #answerError}), and
 * the JSON answer itself ({@link #answer}).
 */
public final class AdminApi {

    /** What a call answers when it is not a plain 200: its status and body. */
    public record Answer(int status, Object body) {
    }

    private static final Logger LOG = LoggerFactory.getLogger("io.carbridge.admin");
    private static final ObjectMapper JSON = Json.MAPPER;
    /** Exchange property: the method and path of the call, for the audit line (the answer drops the request's headers). */
    private static final String CALL = "adminCall";

    private final AdminAccess access;

    public AdminApi(AdminAccess access) {
        this.access = access;
    }

    /** Before every call: 401 unless the request's own {@code Authorization} header is {@code Bearer <ADMIN_TOKEN>}. */
    public void checkToken(Exchange exchange) {
        Message message = exchange.getMessage();
        exchange.setProperty(CALL, message.getHeader(Exchange.HTTP_METHOD, String.class) + " " + message.getHeader(Exchange.HTTP_PATH, String.class));
        access.check(RequestHeaders.get(exchange, "Authorization"));
    }

    /** {@link AdminException}: its status and message (400, 401, 404, 409, 502, 503), and its reason when it has one. */
    public void answerRejection(Exchange exchange) {
        AdminException rejection = ObjectHelper.getException(AdminException.class, exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
        exchange.getMessage().setBody(new Answer(rejection.status(), rejection.reason() == null ? Map.of("error", rejection.getMessage())
                : Map.of("error", rejection.getMessage(), "reason", rejection.reason())));
    }

    /** Anything else: 503 while the database is unavailable (try again later), otherwise 500 without detail; logged. */
    public void answerError(Exchange exchange) {
        Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (StorageUnavailableException.isCause(failure)) {
            LOG.warn("admin call failed, the database is unavailable: {}", failure.getMessage());
            exchange.getMessage().setBody(new Answer(503, Map.of("error", "the database is unavailable; try again later")));
        } else {
            LOG.error("admin call failed", failure);
            exchange.getMessage().setBody(new Answer(500, Map.of("error", "internal error")));
        }
    }

    /**
     * The last step of every call, and of its error answers: the body as JSON with its status (200, or what an {@link Answer} says), every
     * request header dropped so that none is echoed back, and one audit line.
     */
    public void answer(Exchange exchange) throws Exception {
        Message message = exchange.getMessage();
        Object body = message.getBody();
        Answer answer = body instanceof Answer explicit ? explicit : new Answer(200, body);
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, answer.status());
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(JSON.writeValueAsBytes(answer.body()));
        LOG.info("admin {} -> {}", exchange.getProperty(CALL, String.class), answer.status());
    }
}
