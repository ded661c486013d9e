package io.carbridge.benchmark;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * One request of a load, and what the bridge must answer to it.
 *
 * @param contentType null to send none
 * @param signature the {@code SC-Signature} header, null to send none
 * @param eventId the event id the body carries, or null
 * @param kind what this request is ({@code event}, {@code duplicate}, {@code wrong-signature}, ...), for counts
 * @param expectedStatus the status the bridge must answer with
 */
record Delivery(
        HttpMethod method,
        String path,
        String contentType,
        String signature,
        Buffer body,
        String eventId,
        String kind,
        int expectedStatus) {

    /** A source of requests; called on the load generator's event loop only, so implementations need no locking. */
    @FunctionalInterface
    interface Traffic {
        Delivery next();
    }
}
