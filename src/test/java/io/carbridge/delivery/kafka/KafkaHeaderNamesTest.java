package io.carbridge.delivery.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.camel.component.kafka.KafkaConstants;
import org.junit.jupiter.api.Test;

/**
 * Camel's Kafka headers are named through {@link KafkaConstants}, never by their text: the texts changed in Camel
 * 4.18.3 ({@code kafka.KEY} became {@code CamelKafkaKey}), and a literal would silently stop working at the next
 * upgrade.
 */
class KafkaHeaderNamesTest {

    /**
     * Either spelling of a Camel Kafka header: {@code kafka.KEY}, {@code kafka.OVERRIDE_TOPIC}, {@code CamelKafkaKey}.
     */
    private static final Pattern HEADER_TEXT = Pattern.compile("\\bkafka\\.[A-Z_]+\\b|\\bCamelKafka[A-Za-z]+");

    @Test
    void noRouteAndNoClassNamesAKafkaHeaderByItsText() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path root : List.of(Path.of("src", "main"), Path.of("routes"))) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file :
                        files.filter(KafkaHeaderNamesTest::isCodeOrRoute).toList()) {
                    Matcher text = HEADER_TEXT.matcher(Files.readString(file));
                    while (text.find()) {
                        found.add(file + ": " + text.group());
                    }
                }
            }
        }

        assertThat(found).isEmpty();
        assertThat(HEADER_TEXT.matcher(KafkaConstants.KEY).find())
                .as("the pattern knows this Camel's spelling (" + KafkaConstants.KEY + ")")
                .isTrue();
    }

    /** Java and YAML: where a header is named (not the bytes of an icon or a jar's resource). */
    private static boolean isCodeOrRoute(Path file) {
        String name = file.getFileName().toString();
        return Files.isRegularFile(file) && (name.endsWith(".java") || name.endsWith(".yaml"));
    }
}
