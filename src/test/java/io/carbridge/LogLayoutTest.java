package io.carbridge;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.ParameterizedMessage;
import org.junit.jupiter.api.Test;

/** The service's log layout ({@code src/main/resources/log4j2.properties}): a logged value cannot forge a line. */
class LogLayoutTest {

    @Test
    void aValueWithLineBreaksAndControlCharactersStaysOnItsOwnLogLine() {
        Layout<?> layout = ((LoggerContext) LogManager.getContext(false))
                .getConfiguration()
                .getAppender("console")
                .getLayout();
        String forgedId =
                "x\n2026-11-30T10:00:00,000 INFO  [main] i.c.intake - outcome=accepted status=202 eventId=FORGED\r\u001b[2K\u2028end";

        String line = new String(layout.toByteArray(Log4jLogEvent.newBuilder()
                .setLoggerName("io.carbridge.intake")
                .setLevel(Level.INFO)
                .setMessage(new ParameterizedMessage("outcome={} eventId={}", "rejected", forgedId))
                .build()));

        assertThat(line).endsWith(System.lineSeparator());
        assertThat(line.substring(0, line.length() - System.lineSeparator().length()))
                .doesNotContain("\n", "\r", "\u001b", "\u2028")
                .contains("eventId=x\\n2026-11-30T10:00:00,000 INFO", "eventId=FORGED\\r?[2K?end");
    }
}
