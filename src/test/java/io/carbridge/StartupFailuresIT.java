package io.carbridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.testing.ServiceProcess;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The service started the README's way in situations it cannot run in: each ends at once with a non-zero exit and one
 * line that says what is wrong and what to do, without a stack trace and without the "SIGTERM" line of a shutdown. The
 * time from start to exit is printed (a target of under 2 s on a quiet machine; the JVM's own start is most of it).
 */
class StartupFailuresIT {

    @Test
    void aDatabaseDirectoryThatCannotBeWritten() throws Exception {
        Path notADirectory = Files.createDirectories(Path.of("target", "it-data", "unwritable-" + System.nanoTime()))
                .resolve("a-file");
        Files.writeString(
                notADirectory, "the database directory is a file, which no user can write into, root included");

        String line = failedStart(
                "startup-unwritable",
                "jdbc:h2:file:" + notADirectory.toAbsolutePath().resolve("bridge"),
                Path.of(""));

        assertThat(line)
                .contains("bridge.db.url", notADirectory.toAbsolutePath().toString(), "cannot be written", "DB_URL");
    }

    @Test
    void aDamagedH2File() throws Exception {
        Path directory = Files.createDirectories(Path.of("target", "it-data", "damaged-" + System.nanoTime()))
                .toAbsolutePath();
        String url = "jdbc:h2:file:" + directory.resolve("bridge");
        try (Connection connection = DriverManager.getConnection(url, "sa", "")) {
            connection.createStatement().execute("CREATE TABLE kept (id INT PRIMARY KEY)");
        }
        try (RandomAccessFile file =
                new RandomAccessFile(directory.resolve("bridge.mv.db").toFile(), "rw")) {
            byte[] noise = new byte[8192]; // both copies of H2's file header
            new Random(42).nextBytes(noise);
            file.write(noise);
        }

        String line = failedStart("startup-damaged", url, Path.of(""));

        assertThat(line)
                .contains(
                        directory.resolve("bridge.mv.db").toString(),
                        "is damaged",
                        "Recovering a damaged H2 database",
                        "docs/operations.md");
    }

    @Test
    void aStartFromAnotherDirectory() throws Exception {
        Path elsewhere = Files.createDirectories(Path.of("target", "it-data", "elsewhere-" + System.nanoTime()))
                .toAbsolutePath();

        String line = failedStart("startup-elsewhere", "jdbc:h2:file:" + elsewhere.resolve("bridge"), elsewhere);

        assertThat(line).contains("application.properties", elsewhere.toString(), "routes/", "repository root");
        assertThat(elsewhere.resolve("bridge.mv.db"))
                .as("nothing created there")
                .doesNotExist();
    }

    @Test
    void aRouteDirectoryThatIsNotThere() {
        String line = failedStart(
                "startup-no-route-directory",
                ServiceProcess.newDatabaseUrl("startup-no-route-directory"),
                Path.of(""),
                "-Dcamel.main.routes-include-pattern=file:no-such-directory/*.camel.yaml");

        assertThat(line).contains("no-such-directory", "camel.main.routes-include-pattern", "repository root");
    }

    @Test
    void aRoutePatternThatFindsNoIntakeRoute() throws Exception {
        Path empty = Files.createDirectories(Path.of("target", "it-data", "no-routes-" + System.nanoTime()));

        String line = failedStart(
                "startup-no-intake-route",
                ServiceProcess.newDatabaseUrl("startup-no-intake-route"),
                Path.of(""),
                "-Dcamel.main.routes-include-pattern=file:" + empty + "/*.camel.yaml");

        assertThat(line).contains("camel.main.routes-include-pattern", empty + "/*.camel.yaml", "smartcar-webhook");
    }

    @Test
    void aMistypedBridgeSettingIsNamedWithTheOneMeant() {
        String line = failedStart(
                "startup-mistyped-setting",
                ServiceProcess.newDatabaseUrl("startup-mistyped-setting"),
                Path.of(""),
                "-Dbridge.http.idel-timeout=5s");

        assertThat(line).contains("bridge.http.idel-timeout", "did you mean bridge.http.idle-timeout?");
    }

    /**
     * A destination's mistake, each in one line that names the setting: what a team mistypes in its settings, and a
     * sink Camel cannot make (a misspelt scheme, a component not in the build: the Maven artifact that brings it).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "a misspelt option | bridge.destination.crm.uri=file:target/drop?fileNme=x | bridge.destination.crm.uri,did you mean fileName?",
                "a misspelt scheme | bridge.destination.crm.uri=kafak:events | bridge.destination.crm.uri,'kafak' (did you mean kafka?),destination 'crm'",
                "a component not in the build | bridge.destination.crm.uri=jms:queue:events | bridge.destination.crm.uri,org.apache.camel:camel-jms,destination 'crm'",
                "a misspelt setting | bridge.destination.crm.ulr=http://127.0.0.1:9/ | bridge.destination.crm.ulr,did you mean bridge.destination.crm.url?",
                "a transform no route consumes | bridge.destination.crm.transform=direct:crm2-evnt | bridge.destination.crm.transform,direct:crm2-evnt,no route",
                "a route id for a transform | bridge.destination.crm.transform=crm-contact-activity | bridge.destination.crm.transform,crm-contact-activity"
            })
    void aDestinationsMistake(String name, String setting, String expected) {
        List<String> settings = new java.util.ArrayList<>(List.of("-Dbridge.destinations=crm", "-D" + setting));
        if (!setting.contains(".uri=") && !setting.contains(".ulr=")) {
            settings.add("-Dbridge.destination.crm.url=http://127.0.0.1:9/");
        }
        String line = failedStart(
                "startup-destination",
                ServiceProcess.newDatabaseUrl("startup-destination"),
                Path.of(""),
                settings.toArray(String[]::new));

        assertThat(line).contains(expected.split(","));
    }

    /** Starts the service, expects it to fail on its own, and returns its one error line. */
    private static String failedStart(
            String name, String databaseUrl, Path workingDirectory, String... systemProperties) {
        long start = System.nanoTime();
        ServiceProcess service =
                ServiceProcess.startIn(workingDirectory, name, databaseUrl, Map.of(), List.of(systemProperties));

        int exitCode = service.awaitExit(Duration.ofSeconds(60));
        if (service.output().isEmpty()) {
            // seen a few times: a process that exits without a byte written, not even the JVM's own error (not
            // understood yet, see the closing note); the same start again says what the test is about
            System.out.printf("%s: exit %d with no output at all, started again%n", name, exitCode);
            service = ServiceProcess.startIn(workingDirectory, name, databaseUrl, Map.of(), List.of(systemProperties));
            exitCode = service.awaitExit(Duration.ofSeconds(60));
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        String output = service.output();
        System.out.printf(
                "%s: exit %d after %d ms (load average %.1f)%n",
                name,
                exitCode,
                took.toMillis(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage());

        assertThat(exitCode).isNotZero();
        List<String> errors = output.lines()
                .filter(line -> line.contains(" ERROR ") || line.contains(" WARN "))
                .toList();
        assertThat(errors).as(output).hasSize(1);
        assertThat(errors.get(0)).contains("Not started.");
        assertThat(output)
                .as("no stack trace")
                .doesNotContain("\tat ", "Exception in thread")
                .as("no shutdown line")
                .doesNotContain("SIGTERM");
        return errors.get(0);
    }
}
