package io.carbridge.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checks of {@code --check} in this JVM, from the project directory: the shipped {@code application.properties} and
 * {@code routes/}, with settings given as {@code -D} would give them (system properties, cleared after each test).
 * {@code CheckCommandIT} runs the packaged jar itself.
 */
class ConfigurationCheckTest {

    private final List<String> given = new ArrayList<>();

    @BeforeEach
    void aManagementTokenAsEveryDeploymentHasOne() {
        set("bridge.smartcar.management-token", "check-test-token");
    }

    @AfterEach
    void clearSettings() {
        given.forEach(System::clearProperty);
    }

    @Test
    void theShippedConfigurationHasNoProblem() throws Exception {
        CheckCommand.Report report = CheckCommand.check();

        assertThat(report.problems()).isEmpty();
        assertThat(report.routeFiles())
                .as("route files read")
                .isEqualTo(RouteFilesCheck.routeFiles(Path.of("routes")).size());
    }

    @Test
    void theShippedExampleDestinationHasNoProblemEitherItsEndpointsCheckedWithItsValues() {
        set("bridge.destinations", "example");

        assertThat(CheckCommand.check().problems()).isEmpty();
    }

    @Test
    void aSettingOfADestinationThatNothingReadsIsNamedWithTheOneMeant() {
        set("bridge.destinations", "crm");
        set("bridge.destination.crm.url", "https://crm.example/events");
        set("bridge.destination.crm.tranform", "direct:crm-contact-activity");

        assertThat(lines(CheckCommand.check().problems()))
                .containsExactly("bridge.destination.crm.tranform: is not a setting of "
                        + "destination 'crm': did you mean bridge.destination.crm.transform?");
    }

    @Test
    void aMisspeltOptionInADestinationsUrlIsNamedWithItsSettingAndTheTemplateLine() {
        set("bridge.destinations", "crm");
        set("bridge.destination.crm.url", "https://crm.example/events?connectTimout=5");

        assertThat(lines(CheckCommand.check().problems()))
                .singleElement()
                .asString()
                .startsWith(
                        "bridge.destination.crm.url: 'connectTimout' is not an option of https (did you mean connectTimeout?)")
                .matches(
                        ".*\\(in the to https://crm.example/events\\?connectTimout=5 of destination 'crm', routes/http-sink.camel.yaml:\\d+\\)");
    }

    @Test
    void aTransformNoRouteConsumesIsRefusedAsAtStart() {
        set("bridge.destinations", "crm");
        set("bridge.destination.crm.url", "http://127.0.0.1:9/");
        set("bridge.destination.crm.transform", "direct:nothing-here");

        assertThat(lines(CheckCommand.check().problems()))
                .containsExactly("bridge.destination.crm.transform: is 'direct:nothing-here', but "
                        + "no route in the route files starts from it (destination 'crm')");
    }

    @Test
    void everyMistakeIsListedNotOnlyTheFirst() {
        clearSettings();
        set("bridge.retention.interval", "1 hour");
        set("bridge.destinations", "crm,erp");
        set("bridge.destination.crm.url", "ftp://crm.example/");
        set("bridge.destination.erp.url", "https://erp.example/");
        set("bridge.destination.erp.concurrency", "0");
        set("camel.main.shutdown-timout", "5");

        assertThat(lines(CheckCommand.check().problems()))
                .containsExactlyInAnyOrder(
                        "camel.main.shutdownTimout: is not a setting of Camel (did you mean camel.main.shutdownTimeout?)",
                        "bridge.retention.interval: is '1 hour', expected a duration such as 500ms, 30s, 5m, 2h, 7d or PT30S",
                        "bridge.smartcar.management-token: is not set: set the environment variable SMARTCAR_MANAGEMENT_TOKEN to the Application "
                                + "Management Token (Smartcar Dashboard > Configuration > API Keys); during a rotation list the new token first, then "
                                + "the old one, separated by a comma",
                        "bridge.destination.crm.url: is 'ftp://crm.example/': destination 'crm' needs an http:// or https:// URL here (any other endpoint goes in uri)",
                        "bridge.destination.erp.concurrency: is 0, it must be between 1 and 256");
    }

    @Test
    void aPlaceholderInARouteFileThatNamesNoSetting(@TempDir Path routes) throws IOException {
        for (Path file : RouteFilesCheck.routeFiles(Path.of("routes"))) {
            Files.copy(file, routes.resolve(file.getFileName()));
        }
        Path retention = routes.resolve("retention.camel.yaml");
        Files.writeString(
                retention,
                Files.readString(retention).replace("{{bridge.retention.interval}}", "{{bridge.retention.intervall}}"));
        set("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml");

        int line = lineOf(retention, "{{bridge.retention.intervall}}");
        assertThat(lines(CheckCommand.check().problems()))
                .containsExactly(retention + ":" + line + ": {{bridge.retention.intervall}} names "
                        + "no setting (did you mean bridge.retention.interval?): Camel would not start the route");
    }

    private static int lineOf(Path file, String text) throws IOException {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i + 1;
            }
        }
        throw new AssertionError(text + " is not in " + file);
    }

    private void set(String key, String value) {
        System.setProperty(key, value);
        given.add(key);
    }

    private static List<String> lines(List<Problem> problems) {
        return problems.stream().map(Problem::toString).toList();
    }
}
