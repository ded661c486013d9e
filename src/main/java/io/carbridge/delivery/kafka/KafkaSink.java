package io.carbridge.delivery.kafka;

import io.carbridge.Settings.InvalidSettingException;
import io.carbridge.delivery.EndpointSink;
import io.carbridge.delivery.Sink;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.spi.RouteTemplateParameterSource;
import org.apache.camel.util.URISupport;

/**
 * The bridge's Kafka sink, for a {@code kafka:} destination: a route of its own ({@code routes/kafka-sink.camel.yaml},
 * {@code direct:kafka-sink-<destination>}) that keys each record by its vehicle, so that a vehicle's events stay in
 * order on one partition, and names the event in the record's headers ({@link KafkaSinkSteps}).
 *
 * <p>A record counts as delivered once every in-sync replica has it: the producer runs with {@code acks=all} and
 * idempotence, which the bridge sets when the URI does not and refuses to run without. An attempt ends within the
 * destination's timeout (the producer's delivery timeout and longest block are set to it when the URI does not set them
 * lower), so that its claim never expires under it.
 *
 * @param endpoint the destination's Kafka URI, with those settings added
 */
public record KafkaSink(String destination, String endpoint) implements Sink {

    /** The route template of {@code routes/kafka-sink.camel.yaml}. */
    public static final String TEMPLATE = "kafka-sink";

    /** What a retry cannot fix: a record the broker will never take, a value that does not serialise, a bad topic. */
    private static final List<String> DEAD_ON = List.of(
            "org.apache.kafka.common.errors.RecordTooLargeException",
            "org.apache.kafka.common.errors.RecordBatchTooLargeException",
            "org.apache.kafka.common.errors.InvalidRecordException",
            "org.apache.kafka.common.errors.InvalidTopicException",
            "org.apache.kafka.common.errors.SerializationException");

    /**
     * The sink of a destination's {@code kafka:} URI.
     *
     * @param key the setting the URI comes from, for the messages
     */
    public static KafkaSink of(String destination, String key, String uri, Duration timeout) {
        Map<String, Object> options;
        try {
            options = URISupport.parseQuery(URISupport.extractQuery(uri), true, true);
        } catch (URISyntaxException e) {
            throw new InvalidSettingException(
                    key, "is not a URI Camel can read (destination '" + destination + "'): " + e.getMessage());
        }
        require(options, "requestRequiredAcks", "all", key, destination);
        require(options, "enableIdempotence", "true", key, destination);
        long timeoutMillis = timeout.toMillis();
        Map<String, Object> added = new LinkedHashMap<>();
        added.put("requestRequiredAcks", "all");
        added.put("enableIdempotence", "true");
        // Kafka asks delivery.timeout.ms >= linger.ms + request.timeout.ms
        long linger = number(options, "lingerMs", 0, key, destination);
        for (String bounded : List.of("deliveryTimeoutMs", "maxBlockMs")) {
            if (number(options, bounded, 0, key, destination) > timeoutMillis) {
                throw new InvalidSettingException(
                        key,
                        "sets " + bounded + " above the destination's timeout (" + timeoutMillis
                                + " ms): an attempt would outlive its claim (destination '" + destination + "'); raise "
                                + key.replace(".uri", ".timeout") + " or lower " + bounded);
            }
            added.put(bounded, Long.toString(timeoutMillis));
        }
        added.put("requestTimeoutMs", Long.toString(Math.max(1, timeoutMillis - linger)));
        // the document is the record's value as it is: bytes, JSON in UTF-8 unless the transform made something else
        added.put("valueSerializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        StringBuilder endpoint = new StringBuilder(uri);
        added.forEach((option, value) -> {
            if (!options.containsKey(option)) {
                endpoint.append(endpoint.indexOf("?") < 0 ? '?' : '&')
                        .append(option)
                        .append('=')
                        .append(value);
            }
        });
        return new KafkaSink(destination, endpoint.toString());
    }

    private static void require(
            Map<String, Object> options, String option, String value, String key, String destination) {
        Object given = options.get(option);
        if (given != null && !value.equalsIgnoreCase(given.toString())) {
            throw new InvalidSettingException(
                    key,
                    "sets " + option + "=" + given + ": the bridge counts a record as delivered only "
                            + "once every in-sync replica has it, with an idempotent producer (" + option + "=" + value
                            + "; destination '"
                            + destination + "')");
        }
    }

    private static long number(
            Map<String, Object> options, String option, long defaultValue, String key, String destination) {
        Object given = options.get(option);
        try {
            return given == null
                    ? defaultValue
                    : Long.parseLong(given.toString().trim());
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(
                    key,
                    "sets " + option + "=" + given + ", which is not a number of milliseconds (destination '"
                            + destination + "')");
        }
    }

    @Override
    public String uri() {
        return "direct:" + TEMPLATE + "-" + destination;
    }

    @Override
    public String kind() {
        return "kafka";
    }

    @Override
    public String shown() {
        return URISupport.sanitizeUri(endpoint);
    }

    @Override
    public List<String> deadOn() {
        return DEAD_ON;
    }

    @Override
    public List<String> secrets() {
        return EndpointSink.secretsOf(endpoint);
    }

    @Override
    public Optional<Map<String, Object>> route() {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put(RouteTemplateParameterSource.TEMPLATE_ID, TEMPLATE);
        parameters.put("name", destination);
        parameters.put("endpoint", endpoint);
        return Optional.of(parameters);
    }

    @Override
    public String toString() {
        return "KafkaSink[" + destination + " " + shown() + "]";
    }
}
