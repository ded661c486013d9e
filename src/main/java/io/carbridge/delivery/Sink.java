package io.carbridge.delivery;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a destination's documents go: the endpoint the last step of its route ({@code to: {{sink}}}) sends to, and what
 * the outbox and the admin API must know of it. The bridge's own sinks (HTTP, Kafka) are routes of their own, each made
 * from its route template in {@code routes/}; any other Camel endpoint is called as it is.
 */
public interface Sink {

    /** What the destination's route sends the document to. */
    String uri();

    /** {@code http}, {@code kafka}, or {@code endpoint}. */
    String kind();

    /** The endpoint the documents end at, as the admin API shows it: secrets masked. */
    String shown();

    /** The failures another attempt cannot fix, by exception class name, besides those of every sink. */
    List<String> deadOn();

    /** Every value the sink's requests carry that must never be recorded or shown. */
    List<String> secrets();

    /**
     * The parameters of the sink's own route, its template's id included; empty when the sink is the endpoint itself.
     */
    Optional<Map<String, Object>> route();
}
