package io.carbridge.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.carbridge.observability.DashboardPage;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The real Prometheus of {@code -Dbenchmark.dashboard=true} scrapes a stand-in for the bridge's management port: the
 * series carry the job the dashboard and the rules select and the instance id as {@code instance}, and the dashboard
 * page's range queries get them. Skipped where Debian's prometheus package is not installed (CI may have none: its
 * install is allowed to fail there).
 */
class PrometheusServerTest {

    @Test
    void scrapesTheManagementPortUnderTheJobAndInstanceTheDashboardSelects() throws Exception {
        assumeTrue(
                PrometheusServer.installed(),
                PrometheusServer.BINARY + " is missing: install Debian's Prometheus with "
                        + "`sudo apt-get install -y prometheus` to run this test");
        HttpServer management = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        management.createContext("/observe/metrics", exchange -> {
            byte[] body = "# TYPE bridge_ready gauge\nbridge_ready 1\n".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        management.start();
        Instant started = Instant.now();
        try (PrometheusServer prometheus = PrometheusServer.scraping(
                "prometheus-server-test",
                Map.of("benchmark-1", management.getAddress().getPort()),
                Duration.ofSeconds(1))) {
            JsonNode ready = prometheus.query("bridge_ready");
            assertThat(ready).hasSize(1);
            assertThat(ready.get(0).path("metric").path("job").asText()).isEqualTo(PrometheusServer.JOB);
            assertThat(ready.get(0).path("metric").path("instance").asText()).isEqualTo("benchmark-1");

            long now = Instant.now().getEpochSecond()
                    + 1; // a range ending on the second down could end before the first scrape
            JsonNode range = DashboardPage.http(prometheus.uri())
                    .queryRange("bridge_ready{job=\"" + PrometheusServer.JOB + "\"}", started.getEpochSecond(), now, 1);
            assertThat(range).hasSize(1);
            assertThat(range.get(0).path("values"))
                    .isNotEmpty()
                    .allSatisfy(value -> assertThat(value.path(1).asText()).isEqualTo("1"));
        } finally {
            management.stop(0);
        }
    }
}
