package io.carbridge.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.carbridge.testing.Fixtures;
import io.carbridge.testing.ServiceProcess;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Crash safety of the delivery engine, on the packaged service: deliveries in flight when the process is killed are
 * attempted again after the restart, none is lost, and the duplicates this causes are at most the attempts that were in
 * flight (the destination's concurrency).
 */
class DeliveryRestartIT {

    private static final int CONCURRENCY = 4;
    private static final int EVENTS = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void deliveriesInFlightAtAKillAreAttemptedAgainAfterRestartWithBoundedDuplicates() throws Exception {
        WireMockServer sink = new WireMockServer(options().dynamicPort().asynchronousResponseEnabled(true));
        sink.start();
        try {
            String database = ServiceProcess.newDatabaseUrl("delivery-restart");
            List<String> settings = List.of(
                    "-Dbridge.destinations=sink",
                    "-Dbridge.destination.sink.url=http://127.0.0.1:" + sink.port() + "/sink",
                    "-Dbridge.destination.sink.concurrency=" + CONCURRENCY,
                    "-Dbridge.destination.sink.timeout=120s");
            // the destination takes each request and answers only after a minute: attempts pile up in flight
            sink.stubFor(post(urlEqualTo("/sink"))
                    .willReturn(aResponse().withStatus(200).withFixedDelay(60_000)));

            try (ServiceProcess service = ServiceProcess.start("delivery-restart", database, Map.of(), settings)
                    .awaitReady(Duration.ofSeconds(90))) {
                for (int i = 0; i < EVENTS; i++) {
                    byte[] body = event("restart-" + i, "veh-" + (i % 5));
                    assertThat(service.http()
                                    .deliver("/webhooks/smartcar", body, Fixtures.sign(body))
                                    .status())
                            .isEqualTo(202);
                }
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> sink.findAll(postRequestedFor(urlEqualTo("/sink")))
                                        .size()
                                == CONCURRENCY);
                service.kill();
            }
            List<LoggedRequest> beforeKill = sink.findAll(postRequestedFor(urlEqualTo("/sink")));

            sink.resetAll();
            sink.stubFor(post(urlEqualTo("/sink")).willReturn(aResponse().withStatus(200)));
            try (ServiceProcess restarted = ServiceProcess.start("delivery-restart", database, Map.of(), settings)
                    .awaitReady(Duration.ofSeconds(90))) {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> eventIds(sink.findAll(postRequestedFor(urlEqualTo("/sink"))))
                                        .size()
                                == EVENTS);
                restarted.stop(Duration.ofSeconds(60));
            }

            List<LoggedRequest> afterRestart = sink.findAll(postRequestedFor(urlEqualTo("/sink")));
            assertThat(afterRestart).as("each event once after the restart").hasSize(EVENTS);
            Map<String, Long> timesSeen = Stream.concat(beforeKill.stream(), afterRestart.stream())
                    .map(DeliveryRestartIT::eventId)
                    .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
            assertThat(timesSeen).as("every event reached the destination").hasSize(EVENTS);
            assertThat(timesSeen.values().stream().filter(times -> times > 1).count())
                    .as("events seen twice: at most the attempts in flight at the kill")
                    .isLessThanOrEqualTo(CONCURRENCY);
            assertThat(deliveredCount(database)).isEqualTo(EVENTS);
        } finally {
            sink.stop();
        }
    }

    private static byte[] event(String eventId, String vehicleId) {
        return ("{\"eventId\":\"" + eventId + "\",\"eventType\":\"VEHICLE_STATE\",\"vehicleId\":\"" + vehicleId
                        + "\",\"data\":{},\"meta\":{\"version\":\"4.0\",\"mode\":\"LIVE\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static Set<String> eventIds(List<LoggedRequest> requests) {
        return requests.stream().map(DeliveryRestartIT::eventId).collect(Collectors.toSet());
    }

    private static String eventId(LoggedRequest request) {
        try {
            return JSON.readTree(request.getBody()).get("eventId").asText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int deliveredCount(String database) throws Exception {
        try (Connection connection = DriverManager.getConnection(database, "sa", "");
                ResultSet rows = connection
                        .createStatement()
                        .executeQuery("SELECT COUNT(*) FROM delivery WHERE status = 'DELIVERED'")) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
