package io.carbridge.delivery.kafka;

import io.carbridge.outbox.OutboxConstants;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;

/**
 * The Java step of the Kafka sink ({@code routes/kafka-sink.camel.yaml}, bean {@code kafkaSink}): the record's key and
 * headers. Camel's Kafka headers are set through {@link KafkaConstants}, never by their text, which changed between
 * Camel versions.
 */
public final class KafkaSinkSteps {

    /**
     * The record headers that name the event, so that a consumer can deduplicate and route without reading the value.
     */
    public static final String EVENT_ID = "eventId";

    public static final String EVENT_TYPE = "eventType";
    public static final String VEHICLE_ID = "vehicleId";

    /**
     * The key is the vehicle (the event itself for an event without one): each vehicle's records go to one partition,
     * in the order the outbox sends them, one at a time. The event id, type and vehicle go as headers.
     */
    public void prepareRecord(Exchange exchange) {
        Message message = exchange.getMessage();
        String eventId = message.getHeader(OutboxConstants.EVENT_ID, String.class);
        String vehicleId = message.getHeader(OutboxConstants.VEHICLE_ID, String.class);
        message.setHeader(KafkaConstants.KEY, vehicleId != null ? vehicleId : eventId);
        message.setHeader(EVENT_ID, eventId);
        message.setHeader(EVENT_TYPE, message.getHeader(OutboxConstants.EVENT_TYPE, String.class));
        if (vehicleId != null) {
            message.setHeader(VEHICLE_ID, vehicleId);
        }
        message.setBody(message.getBody(byte[].class));
    }
}
