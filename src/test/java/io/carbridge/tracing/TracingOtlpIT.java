package io.carbridge.tracing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.carbridge.testing.Fixtures;
import io.carbridge.testing.ServiceProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The packaged service as an operator turns tracing on, {@code OTEL_EXPORTER_OTLP_ENDPOINT} and the usual
 * {@code OTEL_*} variables: the SDK they configure sends the event's spans over OTLP/HTTP to the collector (a stand-in
 * here that takes {@code POST /v1/traces}), with the service name and the headers asked for, and the last attempt's
 * span is sent when the service stops.
 */
class TracingOtlpIT {

    @Test
    void withACollectorNamedTheEventsSpansReachItOverOtlp() {
        WireMockServer collector = new WireMockServer(options().dynamicPort());
        WireMockServer crm = new WireMockServer(options().dynamicPort());
        collector.start();
        crm.start();
        collector.stubFor(post(urlEqualTo("/v1/traces")).willReturn(aResponse().withStatus(200)));
        crm.stubFor(post(urlEqualTo("/crm")).willReturn(aResponse().withStatus(200)));
        try (ServiceProcess service = ServiceProcess.start(
                        "tracing-otlp",
                        ServiceProcess.newDatabaseUrl("tracing-otlp"),
                        Map.of(
                                "OTEL_EXPORTER_OTLP_ENDPOINT",
                                "http://127.0.0.1:" + collector.port(),
                                "OTEL_EXPORTER_OTLP_HEADERS",
                                "x-collector-key=team-key",
                                "OTEL_SERVICE_NAME",
                                "bridge-under-test"),
                        List.of(
                                "-Dbridge.destinations=crm",
                                "-Dbridge.destination.crm.url=http://127.0.0.1:" + crm.port() + "/crm"))
                .awaitReady(Duration.ofSeconds(90))) {
            byte[] event = Fixtures.currentEvent("trace-otlp", "VEHICLE_STATE", "veh-trace-otlp", "");
            assertThat(service.http()
                            .deliver("/webhooks/smartcar", event, Fixtures.sign(event))
                            .status())
                    .isEqualTo(202);
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            crm.findAll(postRequestedFor(urlEqualTo("/crm"))).size() == 1);
            assertThat(crm.findAll(postRequestedFor(urlEqualTo("/crm"))).get(0).getHeader("traceparent"))
                    .startsWith("00-");

            // the attempt has just ended: its span may still wait in the SDK's batch, which is sent as the service
            // stops
            service.stop(Duration.ofSeconds(60));
            assertThat(service.output())
                    .contains("Tracing on: spans of the event path go to http://127.0.0.1:" + collector.port());
        } finally {
            crm.stop();
        }
        try {
            List<LoggedRequest> exports = collector.findAll(postRequestedFor(urlEqualTo("/v1/traces")));
            assertThat(exports).isNotEmpty();
            assertThat(exports).allSatisfy(export -> {
                assertThat(export.getHeader("Content-Type")).isEqualTo("application/x-protobuf");
                assertThat(export.getHeader("x-collector-key")).isEqualTo("team-key");
            });
            // protobuf keeps strings as they are: the spans' names and attributes can be read in the bytes
            String sent = String.join(
                    "\n",
                    exports.stream()
                            .map(export -> new String(export.getBody(), StandardCharsets.ISO_8859_1))
                            .toList());
            assertThat(sent)
                    .contains(
                            "bridge-under-test",
                            "intake commit",
                            "deliver crm",
                            "trace-otlp",
                            "veh-trace-otlp",
                            "DELIVERED");
            assertThat(sent).doesNotContain(Fixtures.MANAGEMENT_TOKEN);
        } finally {
            collector.stop();
        }
    }
}
