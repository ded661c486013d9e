package io.carbridge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.carbridge.testing.Fixtures;
import io.carbridge.testing.RawHttp;
import io.carbridge.testing.ServiceProcess;
import io.carbridge.testing.TestPorts;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar run on a team's directory, the example team project of {@code docs/team-project}: started from the
 * bridge's directory with {@code --routes-dir} and {@code --settings}, it loads the team's route beside the bridge's
 * own (the intake, the destination template and the HTTP sink still run), and the team's settings file wins over the
 * bridge's application.properties where both set a key ({@code bridge.destinations}, {@code bridge.http.idle-timeout})
 * while every other key keeps the bridge's value. {@code CheckCommandIT} runs {@code --check} with the same options.
 */
class TeamDirectoryIT {

    private static final Path TEAM_PROJECT = Path.of("docs", "team-project");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theTeamsRouteRunsBesideTheBridgesAndItsSettingsWinOverTheBridgesDefaults() throws Exception {
        // the team's files as they are, but for an idle timeout short enough to watch (the team's 75 s, the bridge's 30
        // s)
        Path team = teamDirectory("team-directory");
        Path settings = team.resolve("application.properties");
        String teamSettings = Files.readString(settings);
        assertThat(teamSettings).contains("bridge.http.idle-timeout = 75s");
        Files.writeString(
                settings, teamSettings.replace("bridge.http.idle-timeout = 75s", "bridge.http.idle-timeout = 1s"));

        WireMockServer erp = new WireMockServer(options().port(TestPorts.freePort()));
        erp.start();
        erp.stubFor(post(urlEqualTo("/fleet-erp")).willReturn(aResponse().withStatus(200)));
        try (ServiceProcess service = ServiceProcess.startIn(
                        Path.of(""),
                        "team-directory",
                        ServiceProcess.newDatabaseUrl("team-directory"),
                        Map.of("FLEET_ERP_TOKEN", "fleet-s3cret"),
                        // where the ERP is in this test; the team's file says erp.example.com
                        List.of("-Dbridge.destination.fleet-erp.url=http://127.0.0.1:" + erp.port() + "/fleet-erp"),
                        List.of(
                                TeamFiles.ROUTES_DIR,
                                team.resolve("routes").toString(),
                                TeamFiles.SETTINGS,
                                settings.toString()))
                .awaitReady(Duration.ofSeconds(90))) {

            // the bridge's intake, its destination template and HTTP sink, and the team's transform, one after the
            // other
            byte[] error = Fixtures.currentEvent("team-error-1", "VEHICLE_ERROR", "veh-team", "");
            assertThat(service.http()
                            .deliver("/webhooks/smartcar", error, Fixtures.sign(error))
                            .status())
                    .isEqualTo(202);
            byte[] state = Fixtures.currentEvent("team-state-1", "VEHICLE_STATE", "veh-team", "");
            assertThat(service.http()
                            .deliver("/webhooks/smartcar", state, Fixtures.sign(state))
                            .status())
                    .isEqualTo(202);

            await().atMost(Duration.ofSeconds(30)).until(() -> !erp.findAll(postRequestedFor(urlEqualTo("/fleet-erp")))
                    .isEmpty());
            LoggedRequest request =
                    erp.findAll(postRequestedFor(urlEqualTo("/fleet-erp"))).get(0);
            JsonNode document = JSON.readTree(request.getBodyAsString());
            assertThat(document.get("externalId").asText())
                    .as("the team's route made the document")
                    .isEqualTo("smartcar-team-error-1");
            assertThat(document.get("eventType").asText()).isEqualTo("VEHICLE_ERROR");
            assertThat(document.get("vehicle").get("id").asText()).isEqualTo("veh-team");
            assertThat(request.getHeader("Authorization"))
                    .as("the team's auth settings")
                    .isEqualTo("Bearer fleet-s3cret");
            // the team's event-types: a VEHICLE_STATE is stored, not sent
            assertThat(service.output())
                    .containsPattern("eventId=team-state-1 .*forwardedTo=none")
                    .contains("A team's route files (--routes-dir " + team.resolve("routes")
                            + ") load after the bridge's");

            // the team's idle timeout, not the bridge's 30 s: a connection that sends nothing is closed within seconds
            try (Socket silent = RawHttp.connect(service.httpPort())) {
                long start = System.nanoTime();
                assertThat(readOrTimeOut(silent)).as("closed by the bridge").isEqualTo(-1);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
            }
            Thread.sleep(500);
            assertThat(erp.findAll(postRequestedFor(urlEqualTo("/fleet-erp"))))
                    .as("only the VEHICLE_ERROR")
                    .hasSize(1);
        } finally {
            erp.stop();
        }
    }

    @Test
    void aTeamsRouteFileNamedLikeOneOfTheBridgesStopsTheStart() throws Exception {
        Path team = teamDirectory("team-namesake");
        Files.copy(
                Path.of("routes", "example-erp-sink.camel.yaml"),
                team.resolve("routes").resolve("example-erp-sink.camel.yaml"));

        ServiceProcess service = ServiceProcess.startIn(
                Path.of(""),
                "team-namesake",
                ServiceProcess.newDatabaseUrl("team-namesake"),
                Map.of("FLEET_ERP_TOKEN", "fleet-s3cret"),
                List.of(),
                List.of(
                        TeamFiles.ROUTES_DIR,
                        team.resolve("routes").toString(),
                        TeamFiles.SETTINGS,
                        team.resolve("application.properties").toString()));

        assertThat(service.awaitExit(Duration.ofSeconds(60))).isNotZero();
        List<String> errors = service.output()
                .lines()
                .filter(line -> line.contains(" ERROR "))
                .toList();
        assertThat(errors)
                .as(service.output())
                .singleElement()
                .asString()
                .contains(
                        "Not started.",
                        team.resolve("routes")
                                .resolve("example-erp-sink.camel.yaml")
                                .toString(),
                        "has the name of the bridge's route file routes/example-erp-sink.camel.yaml",
                        "Rename it");
        assertThat(service.output()).as("no stack trace").doesNotContain("\tat ");
    }

    /**
     * A copy of the example team project's routes and settings, as a team's own directory outside the bridge's tree.
     */
    static Path teamDirectory(String name) throws IOException {
        Path team = Files.createDirectories(
                Path.of("target", "it-data", name + "-" + System.nanoTime()).toAbsolutePath());
        Files.createDirectories(team.resolve("routes"));
        Files.copy(TEAM_PROJECT.resolve("application.properties"), team.resolve("application.properties"));
        try (var routes = Files.list(TEAM_PROJECT.resolve("routes"))) {
            for (Path route : routes.toList()) {
                Files.copy(route, team.resolve("routes").resolve(route.getFileName()));
            }
        }
        return team;
    }

    /** The first byte the socket reads, -1 once closed; fails when nothing comes within the socket's timeout. */
    private static int readOrTimeOut(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection was still open after " + socket.getSoTimeout() + " ms", e);
        }
    }
}
