package io.carbridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.layout.template.json.JsonTemplateLayout;
import org.apache.logging.log4j.message.ParameterizedMessage;
import org.apache.logging.log4j.util.SortedArrayStringMap;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@code LOG_FORMAT=json} ({@code src/main/resources/log4j2.properties}): the console's layout is then the ECS JSON
 * template, one object a line whatever a value holds, the fields of a line about an event at the top level; without it
 * the layout is today's text. The environment variable is what the service reads; its system property twin lets this
 * JVM load the configuration both ways (JsonLogIT runs the packaged service with the variable).
 */
class JsonLogLayoutTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void withLogFormatJsonEachLineIsOneEcsObjectWithTheEventsFieldsAtTheTopLevel() throws Exception {
        Layout<?> layout = consoleLayout("json");
        assertThat(layout).isInstanceOf(JsonTemplateLayout.class);
        String forged = "x\n2026-11-30T10:00:00,000 INFO  [main] i.c.intake - outcome=accepted\r\u001b[2K\u2028end\"}";
        SortedArrayStringMap fields = new SortedArrayStringMap();
        fields.putValue(LogFields.EVENT_ID, forged);
        fields.putValue(LogFields.VEHICLE_ID, "veh-1");
        fields.putValue(LogFields.DESTINATION, "crm");
        fields.putValue(LogFields.OUTCOME, "RETRY");
        fields.putValue(LogFields.ATTEMPT, "2");

        String text = new String(
                layout.toByteArray(Log4jLogEvent.newBuilder()
                        .setLoggerName("io.carbridge.outbox.OutboxConsumer")
                        .setLevel(Level.WARN)
                        .setContextData(fields)
                        .setMessage(new ParameterizedMessage(
                                "delivery destination={} eventId={} attempt={} outcome={}", "crm", forged, 2, "RETRY"))
                        .setThrown(new IllegalStateException("two\nlines"))
                        .build()),
                StandardCharsets.UTF_8);

        assertThat(text).endsWith(System.lineSeparator());
        String line = text.substring(0, text.length() - System.lineSeparator().length());
        assertThat(line).doesNotContain("\n", "\r", "\u001b");
        JsonNode object = JSON.readTree(line);
        assertThat(object.get("message").asText())
                .isEqualTo("delivery destination=crm eventId=" + forged + " attempt=2 outcome=RETRY");
        assertThat(object.get("log.level").asText()).isEqualTo("WARN");
        assertThat(object.get("log.logger").asText()).isEqualTo("io.carbridge.outbox.OutboxConsumer");
        assertThat(object.get("service.name").asText()).isEqualTo("smartcar-bridge");
        assertThat(object.has("@timestamp")).isTrue();
        assertThat(object.get("eventId").asText()).isEqualTo(forged);
        assertThat(object.get("vehicleId").asText()).isEqualTo("veh-1");
        assertThat(object.get("destination").asText()).isEqualTo("crm");
        assertThat(object.get("outcome").asText()).isEqualTo("RETRY");
        assertThat(object.get("attempt").asText()).isEqualTo("2");
        assertThat(object.get("error.type").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(object.get("error.stack_trace").asText()).startsWith("java.lang.IllegalStateException: two\nlines");
    }

    @Test
    void withoutLogFormatOrWithAnotherValueTheLayoutIsTodaysText() throws Exception {
        for (String format : new String[] {null, "text", "JSON", "xml"}) {
            Layout<?> layout = consoleLayout(format);
            assertThat(layout).as(String.valueOf(format)).isInstanceOf(PatternLayout.class);
            assertThat(((PatternLayout) layout).getConversionPattern())
                    .as(String.valueOf(format))
                    .isEqualTo(
                            "%d{ISO8601} %-5level [%t] %c{1.} - %replace{%enc{%msg}{CRLF}}{[\\x00-\\x1F\\x7F-\\x9F\\u2028\\u2029]}{?}%n");
        }
        assertThat(LogFormat.unknown("xml")).contains("xml");
        assertThat(LogFormat.unknown("json")).isEmpty();
        assertThat(LogFormat.unknown(null)).isEmpty();
    }

    @Test
    void theFieldsOfALineGoThroughSlf4jIntoTheLinesContextAndNoneIsLeftBehind() {
        List<LogEvent> events = new CopyOnWriteArrayList<>();
        AbstractAppender capture =
                new AbstractAppender("json-fields-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY) {
                    @Override
                    public void append(LogEvent event) {
                        events.add(event.toImmutable());
                    }
                };
        capture.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().addAppender(capture, null, null);
        context.updateLoggers();
        try {
            LogFields.event(LoggerFactory.getLogger("io.carbridge.intake").atInfo(), "e-1", "VEHICLE_STATE", null)
                    .addKeyValue(LogFields.OUTCOME, "accepted")
                    .log("outcome={} eventId={}", "accepted", "e-1");
            LoggerFactory.getLogger("io.carbridge.intake").info("a line about nothing");
        } finally {
            context.getConfiguration().getRootLogger().removeAppender(capture.getName());
            context.updateLoggers();
            capture.stop();
        }

        assertThat(events).hasSize(2);
        assertThat(events.get(0).getMessage().getFormattedMessage()).isEqualTo("outcome=accepted eventId=e-1");
        assertThat(events.get(0).getContextData().toMap())
                .isEqualTo(Map.of("eventId", "e-1", "eventType", "VEHICLE_STATE", "outcome", "accepted"));
        assertThat(events.get(1).getContextData().toMap())
                .as("the next line carries none of them")
                .isEmpty();
    }

    /**
     * The console appender's layout of log4j2.properties, loaded with {@code LOG_FORMAT} set to {@code format} (or
     * not).
     */
    private static Layout<?> consoleLayout(String format) throws Exception {
        URI configuration =
                JsonLogLayoutTest.class.getResource("/log4j2.properties").toURI();
        String before = System.getProperty(LogFormat.VARIABLE);
        if (format == null) {
            System.clearProperty(LogFormat.VARIABLE);
        } else {
            System.setProperty(LogFormat.VARIABLE, format);
        }
        LoggerContext context = new LoggerContext("json-log-layout-test-" + System.nanoTime(), null, configuration);
        try {
            context.start();
            return context.getConfiguration().getAppender("console").getLayout();
        } finally {
            context.stop();
            if (before == null) {
                System.clearProperty(LogFormat.VARIABLE);
            } else {
                System.setProperty(LogFormat.VARIABLE, before);
            }
        }
    }
}
