package io.carbridge.http;

import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

/**
 * The headers a client actually sent with its HTTP request, for every platform-http route (the webhook, Connect, the
 * admin API, and a REST DSL route alike). platform-http also copies each query parameter into the Camel message headers
 * under its own name, so a message header called {@code Authorization} or {@code SC-Signature} may come from the URL
 * ({@code ?Authorization=Bearer%20...}): a credential is read here, never from the message headers.
 */
public final class RequestHeaders {

    private RequestHeaders() {}

    /**
     * The value of a header of the HTTP request that started this exchange (names compare case-insensitively), or null
     * when the request did not send it, or when the exchange did not come from an HTTP request at all.
     */
    public static String get(Exchange exchange, String name) {
        HttpMessage request = exchange.getIn(HttpMessage.class);
        return request == null || request.getRequest() == null
                ? null
                : request.getRequest().getHeader(name);
    }
}
