package io.carbridge;

import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * {@code LOG_FORMAT}, which {@code log4j2.properties} reads when logging starts: unset or {@code text} for text lines,
 * {@code json} for one JSON object a line (ECS). Log4j takes any other value as text without a word; the bridge says
 * so.
 */
public final class LogFormat {

    /** The environment variable (or system property) that selects the layout. */
    public static final String VARIABLE = "LOG_FORMAT";

    private LogFormat() {}

    /** Logs a warning when {@code LOG_FORMAT} has a value the log configuration does not know. */
    public static void warnOfAnUnknownValue() {
        unknown(System.getenv(VARIABLE))
                .or(() -> unknown(System.getProperty(VARIABLE)))
                .ifPresent(value -> LoggerFactory.getLogger(LogFormat.class)
                        .warn("{} is '{}', which is neither text nor json: the log is text", VARIABLE, value));
    }

    static Optional<String> unknown(String value) {
        return value == null || value.isEmpty() || value.equals("text") || value.equals("json")
                ? Optional.empty()
                : Optional.of(value);
    }
}
