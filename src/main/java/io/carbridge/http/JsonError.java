package io.carbridge.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.carbridge.Json;
import io.vertx.core.http.HttpServerResponse;
import java.util.Map;

/**
 * The bridge's JSON error answer, {@code {"error": "..."}}, written straight to a Vert.x response, outside any route.
 */
public final class JsonError {

    private JsonError() {}

    /** Answers unless an answer has begun already; never echoes a request header. */
    public static void write(HttpServerResponse response, int status, String message) {
        if (response.headWritten()) {
            return;
        }
        try {
            response.setStatusCode(status)
                    .putHeader("Content-Type", "application/json")
                    .end(Json.MAPPER.writeValueAsString(Map.of("error", message)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of one string is always JSON", e);
        }
    }
}
