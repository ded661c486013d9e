package io.carbridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The example team project of {@code docs/team-project} built as a team builds it, {@code mvn -B verify} in its own
 * directory, against this build's jar and test artifact: its test passes on the test kit as published, so the example
 * and the kit's public API cannot drift apart.
 *
 * <p>The team's build runs offline with this Maven, on the local repository this build has just filled (the plugins,
 * Camel, JUnit: the same versions the bridge's own build uses). The bridge's artifacts are not installed there (no
 * {@code mvn install} in {@code mvn verify}, and never into a repository other builds share): the team's build gets a
 * repository of its own under {@code target/}, which holds this build's pom, jar and test artifact and links every
 * other directory to the local repository.
 */
class TeamProjectIT {

    private static final Path TEAM_PROJECT = Path.of("docs", "team-project");
    private static final String GROUP = "io/carbridge";
    private static final String ARTIFACT = "smartcar-bridge";

    @Test
    void theExampleTeamProjectPassesItsTestsOnThisBuildsTestKit() throws Exception {
        String version = System.getProperty("it.version");
        Path mavenHome = Path.of(System.getProperty("it.maven.home"));
        Path localRepository = Path.of(System.getProperty("it.maven.repository"));
        String teamPom = Files.readString(TEAM_PROJECT.resolve("pom.xml"));
        assertThat(teamPom)
                .as("docs/team-project/pom.xml depends on the bridge version this build makes")
                .contains("<smartcar-bridge.version>" + version + "</smartcar-bridge.version>");
        assertThat(teamPom)
                .as("and on the Camel it runs on")
                .contains("<camel.version>" + camelVersion() + "</camel.version>");

        Path project = copy(TEAM_PROJECT, Path.of("target", "team-project"));
        Path repository = repository(localRepository, Path.of("target", "team-project-repository"), version);
        Path log = Files.createDirectories(Paths.get("target", "it-logs")).resolve("team-project.log");

        // Maven and the team's tests with the suite's JVM options (the build's test.jvm.options): a build of seconds
        String jvmOptions = System.getProperty("it.jvm-options", "");
        long start = System.nanoTime();
        ProcessBuilder maven = new ProcessBuilder(
                        mavenHome.resolve("bin").resolve("mvn").toString(),
                        "-B",
                        "-o",
                        "-ntp",
                        "-Dmaven.repo.local=" + repository.toAbsolutePath(),
                        "-DargLine=" + jvmOptions,
                        "verify")
                .directory(project.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        maven.environment().put("JAVA_HOME", System.getProperty("java.home"));
        maven.environment().remove("MAVEN_ARGS");
        maven.environment().put("MAVEN_OPTS", jvmOptions);
        Process build = maven.start();
        boolean finished = build.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            build.destroyForcibly().waitFor();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.printf(
                "docs/team-project: mvn -B -o verify took %d s (load average %.1f)%n",
                took.toSeconds(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage());

        String output = Files.readString(log);
        assertThat(finished).as("the team's build within 5 minutes:\n" + output).isTrue();
        assertThat(build.exitValue())
                .as("the team's build (" + log + "):\n" + tail(output))
                .isZero();
        // its test ran, all of it, on the kit
        Path report = project.resolve("target/surefire-reports/TEST-com.example.fleet.FleetErpEventRouteTest.xml");
        assertThat(report).as("the team's test report").exists();
        Matcher counts = Pattern.compile("tests=\"(\\d+)\" errors=\"(\\d+)\" skipped=\"(\\d+)\" failures=\"(\\d+)\"")
                .matcher(Files.readString(report));
        assertThat(counts.find()).isTrue();
        assertThat(counts.group(1)).as("tests run").isEqualTo("3");
        assertThat(counts.group(2) + counts.group(3) + counts.group(4))
                .as("errors, skipped, failures")
                .isEqualTo("000");
    }

    /** This build's Camel version, as its pom says it. */
    private static String camelVersion() throws IOException {
        Matcher version =
                Pattern.compile("<camel.version>([^<]+)</camel.version>").matcher(Files.readString(Path.of("pom.xml")));
        assertThat(version.find()).isTrue();
        return version.group(1);
    }

    /** A fresh copy of the project, without anything built in it before. */
    private static Path copy(Path from, Path to) throws IOException {
        delete(to);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.filter(file -> !from.relativize(file).startsWith("target"))
                    .toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        return to;
    }

    /**
     * The team build's local repository: this build's pom, jar and test artifact as
     * {@code io.carbridge:smartcar-bridge}, and every other directory of {@code local} linked, so that everything else
     * resolves offline from what this build has fetched, and nothing is written into {@code local}'s
     * {@code io/carbridge}.
     */
    private static Path repository(Path local, Path repository, String version) throws IOException {
        delete(repository);
        Files.createDirectories(repository);
        link(local, repository, "io");
        Path io = Files.createDirectories(repository.resolve("io"));
        if (Files.isDirectory(local.resolve("io"))) {
            link(local.resolve("io"), io, "carbridge");
        }
        Path artifact = Files.createDirectories(
                repository.resolve(GROUP).resolve(ARTIFACT).resolve(version));
        String name = ARTIFACT + "-" + version;
        Files.copy(Path.of("pom.xml"), artifact.resolve(name + ".pom"));
        Files.copy(Path.of("target", ARTIFACT + ".jar"), artifact.resolve(name + ".jar"));
        Files.copy(Path.of("target", ARTIFACT + "-tests.jar"), artifact.resolve(name + "-tests.jar"));
        return repository;
    }

    /** Links every entry of {@code from} into {@code into}, but {@code except}. */
    private static void link(Path from, Path into, String except) throws IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        try (Stream<Path> entries = Files.list(from)) {
            for (Path entry : entries.filter(
                            entry -> !entry.getFileName().toString().equals(except))
                    .toList()) {
                Files.createSymbolicLink(into.resolve(entry.getFileName().toString()), entry.toAbsolutePath());
            }
        }
    }

    /** Deletes a directory this test made; a link is deleted, never what it points to. */
    private static void delete(Path directory) throws IOException {
        if (!Files.exists(directory, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(directory, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static String tail(String output) {
        List<String> lines = new ArrayList<>(output.lines().toList());
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    }
}
