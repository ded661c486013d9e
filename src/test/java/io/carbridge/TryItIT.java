package io.carbridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.carbridge.testing.ServiceProcess;
import io.carbridge.testing.TestPorts;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's "Try it", as a newcomer runs it: the example destination stand-in, the service with the example
 * destination switched on, and the README's own shell commands (sign and post both samples). Both samples reach the
 * destination, and the service's log says where each went.
 */
class TryItIT {

    private static final String CURRENT_SAMPLE = "550e8400-e29b-41d4-a716-446655440000";
    private static final String LEGACY_TEST_SAMPLE = "68f4179e-0648-4795-a4d8-0b553c2c635c";

    @Test
    void theReadmesSamplesReachTheExampleDestination() throws Exception {
        assumeTrue(
                List.of("bash", "sed", "openssl", "curl").stream().allMatch(TryItIT::onPath),
                "the README's commands need bash, sed, openssl and curl");
        int destinationPort = TestPorts.freePort();
        Path destinationOutput =
                Files.createDirectories(Paths.get("target", "it-logs")).resolve("try-it-destination.log");
        Process destination = new ProcessBuilder(
                        Paths.get(System.getProperty("java.home"), "bin", "java")
                                .toString(),
                        "src/test/java/io/carbridge/testing/ExampleDestination.java",
                        String.valueOf(destinationPort))
                .redirectErrorStream(true)
                .redirectOutput(destinationOutput.toFile())
                .start();
        try (ServiceProcess service = ServiceProcess.start(
                        "try-it",
                        ServiceProcess.newDatabaseUrl("try-it"),
                        Map.of(
                                "SMARTCAR_MANAGEMENT_TOKEN",
                                "demo-token",
                                "ADMIN_TOKEN",
                                "demo-admin",
                                "EXAMPLE_DESTINATION_URL",
                                "http://localhost:" + destinationPort + "/events"),
                        List.of("-Dbridge.destinations=example"))
                .awaitReady(Duration.ofSeconds(90))) {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> Files.readString(destinationOutput).contains("Example destination"));

            String commands = readmeBlock("In a third");
            ProcessBuilder bash = new ProcessBuilder("bash", "-c", commands).redirectErrorStream(true);
            bash.environment().put("HTTP_PORT", String.valueOf(service.httpPort()));
            Process shell = bash.start();
            shell.getOutputStream().close();
            String shellOutput = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(shell.waitFor(60, TimeUnit.SECONDS)).isTrue();

            // both posts accepted, and the admin API lists both events
            assertThat(shellOutput)
                    .contains(
                            "{\"status\":\"accepted\",\"eventId\":\"" + CURRENT_SAMPLE + "\"}",
                            "{\"status\":\"accepted\",\"eventId\":\"" + LEGACY_TEST_SAMPLE + "\"}",
                            "\"eventId\":\"" + CURRENT_SAMPLE + "\"");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> Files.readString(destinationOutput).contains(CURRENT_SAMPLE)
                            && Files.readString(destinationOutput).contains(LEGACY_TEST_SAMPLE));
            assertThat(Files.readString(destinationOutput))
                    .contains(
                            "\"type\":\"smartcar.vehicle_state\"",
                            "\"type\":\"smartcar.charging_completed\"",
                            "\"test\":true");
            assertThat(service.output())
                    .containsPattern("eventId=" + CURRENT_SAMPLE + " .*forwardedTo=example")
                    .containsPattern("eventId=" + LEGACY_TEST_SAMPLE + " .*mode=test forwardedTo=example");
        } finally {
            destination.destroy();
            destination.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * The commands of the README's shell block that follows the paragraph starting with {@code lead}; the environment
     * gives them the service's port ({@code ${HTTP_PORT:-8080}}).
     */
    private static String readmeBlock(String lead) throws Exception {
        String readme = Files.readString(Paths.get("README.md"));
        int paragraph = readme.indexOf("\n" + lead);
        int start = readme.indexOf("```sh\n", paragraph) + "```sh\n".length();
        return readme.substring(start, readme.indexOf("```", start));
    }

    private static boolean onPath(String command) {
        for (String directory : System.getenv("PATH").split(File.pathSeparator)) {
            if (Files.isExecutable(Paths.get(directory, command))) {
                return true;
            }
        }
        return false;
    }
}
