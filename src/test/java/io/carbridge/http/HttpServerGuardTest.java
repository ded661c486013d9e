package io.carbridge.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.BridgeConfiguration;
import io.carbridge.storage.CanonicalEvent;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.Fixtures;
import io.carbridge.testing.RawHttp;
import io.carbridge.testing.TestPorts;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.builder.AdviceWithRouteBuilder;
import org.apache.camel.test.main.junit5.AdviceRouteMapping;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

/**
 * Slow and idle clients on the main port, with short limits (1 s idle, 1 s to send a body, 12 connections): each is cut
 * off while the other clients are served, and a request the bridge itself takes long to answer is not cut. A URI Vert.x
 * cannot route gets a JSON 400.
 */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = {
            "bridge.db.url=jdbc:h2:mem:http-server-guard-test",
            "bridge.http.idle-timeout=1s",
            "bridge.http.body-read-timeout=1s",
            "bridge.http.max-connections=12"
        },
        advices = @AdviceRouteMapping(route = "smartcar-webhook", advice = HttpServerGuardTest.SlowToStore.class))
class HttpServerGuardTest {

    private static final BridgeHttp HTTP = BridgeHttp.bridge();
    private static final String PATH = "/webhooks/smartcar";

    /** Takes 3 s (three idle timeouts) to store an event whose id starts with "slow-". */
    public static class SlowToStore extends AdviceWithRouteBuilder {
        @Override
        public void configure() {
            weaveById("store-event").before().process(exchange -> {
                if (exchange.getMessage()
                        .getBody(CanonicalEvent.class)
                        .eventId()
                        .startsWith("slow-")) {
                    Thread.sleep(3_000);
                }
            });
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosedWhileOthersAreServed() throws Exception {
        try (Socket silent = connect()) {
            long start = System.nanoTime();
            byte[] body = event("served-while-silent");
            assertThat(HTTP.deliver(PATH, body, Fixtures.sign(body)).status()).isEqualTo(202);

            assertThat(silent.getInputStream().read())
                    .as("closed by the bridge")
                    .isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isBetween(Duration.ofMillis(900), Duration.ofSeconds(8));
        }
    }

    @Test
    void headersSentTooSlowlyAreCutOffWhileOthersAreServed() throws Exception {
        byte[] headers =
                "POST /webhooks/smartcar HTTP/1.1\r\nHost: bridge\r\nContent-Type: application/json\r\nX-Padding: aaaaaaaaaa\r\n"
                        .getBytes(StandardCharsets.US_ASCII);
        try (Socket trickle = connect()) {
            OutputStream out = trickle.getOutputStream();
            boolean cut = false;
            // a byte every 200 ms: 14 s for these headers, had the bridge waited
            for (int i = 0; i < headers.length && !cut; i++) {
                try {
                    out.write(headers[i]);
                    out.flush();
                    Thread.sleep(200);
                } catch (IOException closed) {
                    cut = true;
                }
                if (i % 5 == 0) {
                    assertThat(HTTP.get("/no-such-path", Map.of()).status())
                            .as("others are served")
                            .isEqualTo(404);
                }
            }
            assertThat(cut).as("cut off before the headers were complete").isTrue();
        }
    }

    @Test
    void aBodySentTooSlowlyGets408AndItsConnectionClosedWhileOthersAreServed() throws Exception {
        String rejected = "bridge_intake_rejected_total{reason=\"body_read_timeout\"}";
        double before = BridgeHttp.metric(rejected);
        try (Socket slow = connect()) {
            slow.getOutputStream()
                    .write(("POST " + PATH + " HTTP/1.1\r\nHost: bridge\r\nContent-Type: application/json\r\n"
                                    + "Content-Length: 200\r\n\r\n{\"eventId\":")
                            .getBytes(StandardCharsets.US_ASCII));
            byte[] body = event("served-while-slow");
            assertThat(HTTP.deliver(PATH, body, Fixtures.sign(body)).status()).isEqualTo(202);

            String answer = RawHttp.readUntilClosed(slow.getInputStream());

            assertThat(answer)
                    .startsWith("HTTP/1.1 408")
                    .contains("application/json", "{\"error\":")
                    .doesNotContain("(not closed)");
        }
        assertThat(BridgeHttp.metric(rejected)).isEqualTo(before + 1);
        assertThat(BridgeHttp.metric("bridge_http_connections_closed_total{reason=\"body_read_timeout\"}"))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void aRequestTheBridgeTakesLongToAnswerIsNotCut() {
        byte[] body = event("slow-to-store");

        BridgeHttp.Response response = HTTP.deliver(PATH, body, Fixtures.sign(body));

        assertThat(response.status()).isEqualTo(202);
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAsTheyOpenUntilIdleOnesAreClosed() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) {
                held.add(connect());
            }
            Thread.sleep(200); // the server has taken them all
            try (Socket oneMore = connect()) {
                assertThat(oneMore.getInputStream().read())
                        .as("closed as it opened")
                        .isEqualTo(-1);
            }
            for (Socket socket : held) {
                assertThat(socket.getInputStream().read())
                        .as("closed once idle")
                        .isEqualTo(-1);
            }
            assertThat(HTTP.get("/no-such-path", Map.of()).status())
                    .as("served again")
                    .isEqualTo(404);
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    @Test
    void aMalformedUriGetsA400AsJson() {
        for (String uri : new String[] {"/%ZZ", "/webhooks/smartcar%", "/admin/events?from=%G0"}) {
            String answer = RawHttp.send(TestPorts.HTTP, "GET " + uri + " HTTP/1.1");

            assertThat(answer)
                    .as(uri)
                    .startsWith("HTTP/1.1 400")
                    .contains("application/json", "{\"error\":\"the request URI is malformed\"}");
        }
    }

    @Test
    void aRequestOverTheServersLimitsGetsItsStatusAsJson() {
        assertThat(RawHttp.send(TestPorts.HTTP, "GET /connect/start?ref=" + "r".repeat(5_000) + " HTTP/1.1"))
                .containsPattern("^HTTP/1\\.[01] 414 ")
                .contains("application/json", "{\"error\":");
        assertThat(RawHttp.send(TestPorts.HTTP, "GET / HTTP/1.1", "X-Padding: " + "p".repeat(10_000)))
                .containsPattern("^HTTP/1\\.[01] 431 ")
                .contains("application/json", "{\"error\":");
    }

    private static Socket connect() {
        return RawHttp.connect(TestPorts.HTTP);
    }

    private static byte[] event(String eventId) {
        return ("{\"eventId\":\"" + eventId + "\",\"eventType\":\"VEHICLE_STATE\",\"vehicleId\":\"v-slow\",\"data\":{},"
                        + "\"meta\":{\"version\":\"4.0\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }
}
