package io.carbridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/admin-api.md says it lists every admin call: it lists the calls {@code routes/admin-api.camel.yaml} declares, no
 * more and no fewer. Path parameters are compared by place, not name ({@code {destination}} in the route,
 * {@code {name}} in the table).
 */
class AdminApiDocumentationTest {

    /** A table row's call: {@code | `GET /admin/events?type=...` |}. */
    private static final Pattern DOCUMENTED_CALL =
            Pattern.compile("^\\| `(GET|POST|PUT|DELETE) (/admin[^`?]*)[^`]*` \\|", Pattern.MULTILINE);

    private static final Set<String> VERBS = Set.of("get", "post", "put", "delete");

    @Test
    void theAdminApiPageListsExactlyTheCallsTheRestRoutesDeclare() throws IOException {
        Set<String> declared = new TreeSet<>();
        JsonNode routes = new ObjectMapper(new YAMLFactory())
                .readTree(Path.of("routes", "admin-api.camel.yaml").toFile());
        for (JsonNode rest : routes.findValues("rest")) {
            for (String verb : VERBS) {
                for (JsonNode call : rest.path(verb)) {
                    declared.add(call(
                            verb, rest.path("path").asText() + call.path("path").asText()));
                }
            }
        }
        Set<String> documented = new TreeSet<>();
        Matcher row = DOCUMENTED_CALL.matcher(Files.readString(Path.of("docs", "admin-api.md")));
        while (row.find()) {
            documented.add(call(row.group(1), row.group(2)));
        }

        assertThat(declared).as("the calls of routes/admin-api.camel.yaml").hasSizeGreaterThan(10);
        assertThat(documented).as("the calls docs/admin-api.md lists").isEqualTo(declared);
    }

    private static String call(String verb, String path) {
        return verb.toUpperCase(Locale.ROOT) + " " + path.replaceAll("\\{[^}]+}", "{}");
    }
}
