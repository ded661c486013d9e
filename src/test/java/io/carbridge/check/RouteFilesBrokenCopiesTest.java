package io.carbridge.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shipped route file, copied with one mistake of the kind a team makes when it edits one, is caught with the line of
 * the mistake, and nothing else in the file is reported.
 */
class RouteFilesBrokenCopiesTest {

    private static RouteFilesCheck check;

    @TempDir
    Path directory;

    @BeforeAll
    static void readSchemaAndCatalog() {
        check = RouteFilesCheck.create();
    }

    @Test
    void anUnknownStep() throws IOException {
        Broken copy = copyWith("enriched-event-json.camel.yaml", "        - marshal:", "        - marshall:");

        assertThat(problemsOf(copy))
                .containsExactly(copy.file() + ":" + copy.line() + ": unknown step 'marshall' (did you mean marshal?)");
    }

    @Test
    void aMisspeltOptionOfAnHttpEndpoint() throws IOException {
        Broken copy = copyWith(
                "http-sink.camel.yaml",
                "              uri: \"{{url}}\"",
                "              uri: \"http://crm.example/events?connectTimout=5000\"");

        assertThat(problemsOf(copy))
                .containsExactly(
                        copy.file() + ":" + copy.line() + ": to http://crm.example/events?connectTimout=5000: "
                                + "'connectTimout' is not an option of http (did you mean connectTimeout?); http would send it on as a query parameter");
    }

    @Test
    void aToWithoutUri() throws IOException {
        Broken copy = copyWith("webhook-intake.camel.yaml", "                  uri: outbox:all\n", "");

        // the mistake is the to: that lost its uri, the line above the one removed
        int toLine = copy.line() - 2;
        assertThat(Files.readAllLines(copy.file()).get(toLine - 1)).endsWith("- to:");
        assertThat(problemsOf(copy)).containsExactly(copy.file() + ":" + toLine + ": to has no endpoint URI");
    }

    /** A copy of a shipped route file with one text replaced; {@code line} is where the replacement starts. */
    private record Broken(Path file, int line) {}

    private Broken copyWith(String routeFile, String original, String replacement) throws IOException {
        String text = Files.readString(Path.of("routes", routeFile), StandardCharsets.UTF_8);
        int at = text.indexOf(original);
        assertThat(at).as(original + " in routes/" + routeFile).isNotNegative();
        assertThat(text.indexOf(original, at + 1)).as("only once").isNegative();
        Path copy = directory.resolve(routeFile);
        Files.writeString(
                copy,
                text.substring(0, at) + replacement + text.substring(at + original.length()),
                StandardCharsets.UTF_8);
        int line = (int) text.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
        return new Broken(copy, line);
    }

    private static List<String> problemsOf(Broken copy) throws IOException {
        return check.check(List.of(copy.file())).stream().map(Problem::toString).toList();
    }
}
