package io.carbridge.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.TeamFiles;
import io.carbridge.testing.Fixtures;
import io.carbridge.testing.ListeningSockets;
import io.carbridge.testing.ServiceProcess;
import io.carbridge.testing.TestPorts;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar target/smartcar-bridge.jar --check}, the packaged jar as a team's CI runs it before a deploy, from
 * the directory the service runs in: it exits 0 for the shipped configuration, or 1 with one line per problem, and
 * meanwhile nothing listens and no database is opened.
 */
class CheckCommandIT {

    @Test
    void theShippedConfigurationPassesWithoutListeningOnAPortOrOpeningTheDatabase() throws Exception {
        int managementPort = TestPorts.freePort();
        Path databaseDirectory =
                Paths.get("target", "it-data", "check-" + System.nanoTime()).toAbsolutePath();
        // the HTTP port is taken (the service could not start here): the check needs no port
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(0));
            Map<String, String> environment = new LinkedHashMap<>();
            environment.put("HTTP_PORT", String.valueOf(taken.getLocalPort()));
            environment.put("MANAGEMENT_PORT", String.valueOf(managementPort));
            environment.put("DB_URL", "jdbc:h2:file:" + databaseDirectory.resolve("bridge"));
            List<String> listeners = new ArrayList<>();

            Run run = check(
                    "check-shipped",
                    Path.of(""),
                    environment,
                    List.of(),
                    () -> listeners.addAll(ListeningSockets.addresses(managementPort)));

            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(run.problems()).isEmpty();
            assertThat(run.errors())
                    .contains("--check: no problems in "
                            + RouteFilesCheck.routeFiles(Path.of("routes")).size() + " route files and the settings");
            assertThat(listeners)
                    .as("listening on the management port while the check ran")
                    .isEmpty();
            assertThat(databaseDirectory).as("the database's directory").doesNotExist();
        }
    }

    @Test
    void aDestinationWithAMisspeltOptionInItsUrl() throws Exception {
        Run run = check(
                "check-misspelt-option",
                Path.of(""),
                Map.of(),
                List.of(
                        "-Dbridge.destinations=crm",
                        "-Dbridge.destination.crm.url=http://127.0.0.1:9/?connectTimout=5"),
                () -> {});

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.problems())
                .singleElement()
                .asString()
                .startsWith("bridge.destination.crm.url: 'connectTimout' is not an option of "
                        + "http (did you mean connectTimeout?); http would send it on as a query parameter (in the to "
                        + "http://127.0.0.1:9/?connectTimout=5 of destination 'crm', routes/http-sink.camel.yaml:");
    }

    @Test
    void aDestinationWithAMisspeltSetting() throws Exception {
        Run run = check(
                "check-misspelt-setting",
                Path.of(""),
                Map.of(),
                List.of(
                        "-Dbridge.destinations=crm",
                        "-Dbridge.destination.crm.url=http://127.0.0.1:9/",
                        "-Dbridge.destination.crm.event-type=CHARGING_*"),
                () -> {});

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.problems())
                .containsExactly(
                        "bridge.destination.crm.event-type: is not a setting of destination 'crm': did you mean "
                                + "bridge.destination.crm.event-types?");
    }

    @Test
    void aTransformNoRouteConsumes() throws Exception {
        Run run = check(
                "check-transform",
                Path.of(""),
                Map.of(),
                List.of(
                        "-Dbridge.destinations=crm",
                        "-Dbridge.destination.crm.url=http://127.0.0.1:9/",
                        "-Dbridge.destination.crm.transform=direct:nothing-here"),
                () -> {});

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.problems())
                .containsExactly(
                        "bridge.destination.crm.transform: is 'direct:nothing-here', but no route in the route "
                                + "files starts from it (destination 'crm')");
    }

    @Test
    void aTeamsDirectoryGivenWithTheOptionsIsCheckedWithTheBridgesOwnFiles() throws Exception {
        Path team = teamDirectory("check-team");
        List<String> options = List.of(
                TeamFiles.ROUTES_DIR,
                team.resolve("routes").toString(),
                TeamFiles.SETTINGS,
                team.resolve("application.properties").toString());

        Run run = check(
                "check-team", Path.of(""), Map.of("FLEET_ERP_TOKEN", "fleet-s3cret"), List.of(), options, () -> {});

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.errors())
                .contains("--check: no problems in "
                        + (RouteFilesCheck.routeFiles(Path.of("routes")).size() + 1) + " route files and the settings");

        // without the team's routes, its destination's transform is consumed by no route
        Run withoutRoutes = check(
                "check-team-settings-only",
                Path.of(""),
                Map.of("FLEET_ERP_TOKEN", "fleet-s3cret"),
                List.of(),
                options.subList(2, 4),
                () -> {});

        assertThat(withoutRoutes.exitCode()).as(withoutRoutes.toString()).isEqualTo(1);
        assertThat(withoutRoutes.problems())
                .containsExactly("bridge.destination.fleet-erp.transform: is 'direct:fleet-erp-event', but no "
                        + "route in the route files starts from it (destination 'fleet-erp')");
    }

    @Test
    void aTeamsSettingsLayeredByCamelsOwnVariableAsOnKubernetes() throws Exception {
        Path team = teamDirectory("check-team-variable");

        Run run = check(
                "check-team-variable",
                Path.of(""),
                Map.of(
                        "FLEET_ERP_TOKEN",
                        "fleet-s3cret",
                        "CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION",
                        "file:" + team.resolve("application.properties") + ",file:application.properties"),
                List.of(),
                List.of(TeamFiles.ROUTES_DIR, team.resolve("routes").toString()),
                () -> {});

        assertThat(run.exitCode()).as(run.toString()).isZero();
    }

    @Test
    void aTeamsDirectoryWithAMistakeInARouteFile() throws Exception {
        Path team = teamDirectory("check-team-route");
        Path route = team.resolve("routes/fleet-erp-event.camel.yaml");
        Files.writeString(route, Files.readString(route).replace("        - setBody:", "        - setBdy:"));

        Run run = check(
                "check-team-route",
                Path.of(""),
                Map.of("FLEET_ERP_TOKEN", "fleet-s3cret"),
                List.of(),
                List.of(
                        TeamFiles.ROUTES_DIR,
                        team.resolve("routes").toString(),
                        TeamFiles.SETTINGS,
                        team.resolve("application.properties").toString()),
                () -> {});

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        int line = Files.readAllLines(route).indexOf("        - setBdy:") + 1;
        assertThat(run.problems())
                .containsExactly(route + ":" + line + ": unknown step 'setBdy' (did you mean setBody?)");
    }

    @Test
    void aTeamsRouteFileNamedLikeOneOfTheBridges() throws Exception {
        Path team = teamDirectory("check-team-namesake");
        Files.copy(
                Path.of("routes", "example-erp-sink.camel.yaml"),
                team.resolve("routes").resolve("example-erp-sink.camel.yaml"));

        Run run = check(
                "check-team-namesake",
                Path.of(""),
                Map.of("FLEET_ERP_TOKEN", "fleet-s3cret"),
                List.of(),
                List.of(
                        TeamFiles.ROUTES_DIR,
                        team.resolve("routes").toString(),
                        TeamFiles.SETTINGS,
                        team.resolve("application.properties").toString()),
                () -> {});

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.problems())
                .singleElement()
                .asString()
                .contains(
                        team.resolve("routes")
                                .resolve("example-erp-sink.camel.yaml")
                                .toString(),
                        "has the name of the bridge's route file routes/example-erp-sink.camel.yaml");
    }

    /** A copy of the example team project's routes and settings (docs/team-project), outside the bridge's tree. */
    private static Path teamDirectory(String name) throws IOException {
        Path team = Files.createDirectories(Paths.get("target", "it-data", name + "-" + System.nanoTime())
                        .toAbsolutePath()
                        .resolve("routes"))
                .getParent();
        Files.copy(Path.of("docs/team-project/application.properties"), team.resolve("application.properties"));
        try (Stream<Path> routes = Files.list(Path.of("docs/team-project/routes"))) {
            for (Path route : routes.toList()) {
                Files.copy(route, team.resolve("routes").resolve(route.getFileName()));
            }
        }
        return team;
    }

    /** What a run of the check printed: its problems on standard output, its summary on standard error. */
    private record Run(int exitCode, List<String> problems, String errors) {}

    /**
     * Runs {@code java -jar target/smartcar-bridge.jar --check} in {@code directory} with the test management token and
     * the given environment and {@code -D} settings, calling {@code whileRunning} over and over until it exits.
     */
    private static Run check(
            String name,
            Path directory,
            Map<String, String> environment,
            List<String> systemProperties,
            Runnable whileRunning)
            throws IOException, InterruptedException {
        return check(name, directory, environment, systemProperties, List.of(), whileRunning);
    }

    /**
     * {@link #check}, with more arguments after {@code --check} (a team's {@code --routes-dir} and {@code --settings}).
     */
    private static Run check(
            String name,
            Path directory,
            Map<String, String> environment,
            List<String> systemProperties,
            List<String> arguments,
            Runnable whileRunning)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + ServiceProcess.MAX_HEAP));
        command.addAll(systemProperties);
        command.addAll(List.of("-jar", ServiceProcess.JAR.toAbsolutePath().toString(), CheckCommand.OPTION));
        command.addAll(arguments);
        Path logs = Files.createDirectories(Paths.get("target", "it-logs"));
        File out = logs.resolve(name + ".out").toFile();
        File err = logs.resolve(name + ".err").toFile();
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(directory.toAbsolutePath().toFile())
                .redirectOutput(out)
                .redirectError(err);
        builder.environment()
                .keySet()
                .removeIf(key -> List.of(
                                        "SMARTCAR_MANAGEMENT_TOKEN",
                                        "DB_URL",
                                        "HTTP_PORT",
                                        "MANAGEMENT_PORT",
                                        "ADMIN_TOKEN",
                                        "SMARTCAR_CLIENT_ID")
                                .contains(key)
                        || key.startsWith("BRIDGE_")
                        || key.startsWith("CAMEL_"));
        builder.environment().put("SMARTCAR_MANAGEMENT_TOKEN", Fixtures.MANAGEMENT_TOKEN);
        builder.environment().putAll(environment);
        Process process = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (process.isAlive() && System.nanoTime() < deadline) {
            whileRunning.run();
            process.waitFor(5, TimeUnit.MILLISECONDS);
        }
        if (process.isAlive()) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("--check did not finish within 90 s");
        }
        List<String> problems = Files.readAllLines(out.toPath(), StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isBlank())
                .toList();
        return new Run(process.exitValue(), problems, Files.readString(err.toPath(), StandardCharsets.UTF_8));
    }
}
