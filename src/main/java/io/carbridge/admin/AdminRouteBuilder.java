package io.carbridge.admin;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbridge.Json;
import io.carbridge.http.RequestHeaders;
import io.carbridge.storage.StorageUnavailableException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Base of the admin API's route builders. Subclasses declare endpoints ({@code get("/admin/x/{id}", handler)}); this
 * class makes one platform-http route per path that checks the bearer token, dispatches on the method (405 for others)
 * and answers JSON. Errors are answered by the {@value #ERROR_HANDLING} route configuration, never with a stack trace.
 */
public abstract class AdminRouteBuilder extends RouteBuilder {

    public static final String ERROR_HANDLING = "admin-error-handling";

    private static final Logger LOG = LoggerFactory.getLogger("io.carbridge.admin");
    private static final ObjectMapper JSON = Json.MAPPER;

    /** Handles one admin call; returns the JSON body (status 200) or an {@link AdminResponse}. */
    @FunctionalInterface
    public interface Handler {
        Object handle(AdminRequest request) throws Exception;
    }

    /** A body with a status other than 200. */
    public record AdminResponse(int status, Object body) {
    }

    private final AdminAccess access;
    private final Map<String, Map<String, Handler>> endpoints = new LinkedHashMap<>();

    protected AdminRouteBuilder(AdminAccess access) {
        this.access = access;
    }

    /** Declares the endpoints with {@link #get}, {@link #post} and {@link #delete}. */
    protected abstract void endpoints();

    protected final void get(String path, Handler handler) {
        endpoint("GET", path, handler);
    }

    protected final void post(String path, Handler handler) {
        endpoint("POST", path, handler);
    }

    protected final void delete(String path, Handler handler) {
        endpoint("DELETE", path, handler);
    }

    @Override
    public final void configure() {
        endpoints();
        endpoints.forEach((path, byMethod) -> from("platform-http:" + path)
                .routeId("admin" + path.substring("/admin".length()).replaceAll("[/{}]+", "-").replaceAll("-$", ""))
                .routeConfigurationId(ERROR_HANDLING)
                .process(exchange -> dispatch(exchange, path, byMethod)));
    }

    private void dispatch(Exchange exchange, String path, Map<String, Handler> byMethod) throws Exception {
        Message message = exchange.getMessage();
        access.check(RequestHeaders.get(exchange, "Authorization"));
        String method = message.getHeader(Exchange.HTTP_METHOD, String.class);
        String requestPath = message.getHeader(Exchange.HTTP_PATH, String.class); // read now: the answer drops the headers
        Handler handler = byMethod.get(method);
        if (handler == null) {
            throw new AdminException(405, method + " is not supported on " + path + "; use " + String.join(" or ", byMethod.keySet()));
        }
        Object result = handler.handle(new AdminRequest(message));
        if (result instanceof AdminResponse response) {
            answer(exchange, response.status(), response.body());
        } else {
            answer(exchange, 200, result);
        }
        LOG.info("admin {} {} -> {}", method, requestPath, exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE));
    }

    /** Writes a JSON answer; every request header is dropped first so none is echoed back. */
    public static void answer(Exchange exchange, int status, Object body) throws Exception {
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(JSON.writeValueAsBytes(body));
    }

    /** The answer to a failed admin call: its status and message, or 500 without detail. */
    public static void answerFailure(Exchange exchange) throws Exception {
        Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (failure instanceof AdminException admin) {
            answer(exchange, admin.status(), admin.reason() == null ? Map.of("error", admin.getMessage())
                    : Map.of("error", admin.getMessage(), "reason", admin.reason()));
        } else if (StorageUnavailableException.isCause(failure)) {
            LOG.warn("admin call failed, the database is unavailable: {}", failure.getMessage());
            answer(exchange, 503, Map.of("error", "the database is unavailable; try again later"));
        } else {
            LOG.error("admin call failed", failure);
            answer(exchange, 500, Map.of("error", "internal error"));
        }
    }

    private void endpoint(String method, String path, Handler handler) {
        if (endpoints.computeIfAbsent(path, p -> new TreeMap<>()).put(method, handler) != null) {
            throw new IllegalStateException("admin endpoint declared twice: " + method + " " + path);
        }
    }
}
