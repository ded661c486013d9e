package io.carbridge.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbridge.testing.TestPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * Debian's Prometheus ({@code /usr/bin/prometheus}) as a process of the benchmark: its own configuration and data
 * directory under the system temp directory (deleted when it stops), on a free loopback port, scraping the bridge's
 * management ports at {@code /observe/metrics} as job {@value #JOB}, the job the alert rules select, each target
 * labelled with its instance id. Its output goes to {@code target/it-logs/<name>.log}.
 */
final class PrometheusServer implements AutoCloseable {

    static final Path BINARY = Paths.get("/usr/bin/prometheus");
    static final String JOB = "smartcar-bridge";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path directory;
    private final URI uri;
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusServer(Process process, Path directory, URI uri) {
        this.process = process;
        this.directory = directory;
        this.uri = uri;
    }

    /** Whether Debian's prometheus package is installed. */
    static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    /**
     * Starts Prometheus scraping {@code targets} (instance label to management port) every {@code interval}; returns
     * once every target has been scraped up.
     */
    static PrometheusServer scraping(String name, Map<String, Integer> targets, Duration interval) {
        if (!installed()) {
            throw new IllegalStateException(
                    BINARY + " is missing: install Debian's Prometheus with `sudo apt-get install -y prometheus`");
        }
        try {
            Path directory = Files.createTempDirectory("benchmark-prometheus-");
            StringBuilder config = new StringBuilder()
                    .append("global:\n")
                    .append("  scrape_interval: ")
                    .append(interval.toSeconds())
                    .append("s\n")
                    .append("  scrape_timeout: ")
                    .append(interval.toSeconds())
                    .append("s\n")
                    .append("  evaluation_interval: ")
                    .append(interval.toSeconds())
                    .append("s\n")
                    .append("scrape_configs:\n")
                    .append("  - job_name: ")
                    .append(JOB)
                    .append('\n')
                    .append("    metrics_path: /observe/metrics\n")
                    .append("    static_configs:\n");
            targets.forEach((instance, port) -> config.append("      - targets: ['127.0.0.1:")
                    .append(port)
                    .append("']\n")
                    .append("        labels: {instance: '")
                    .append(instance)
                    .append("'}\n"));
            Path configFile = directory.resolve("prometheus.yml");
            Files.writeString(configFile, config);
            int port = TestPorts.freePort();
            Path log = Paths.get("target", "it-logs", name + ".log");
            Files.createDirectories(log.getParent());
            Process process = new ProcessBuilder(
                            BINARY.toString(),
                            "--config.file=" + configFile,
                            "--storage.tsdb.path=" + directory.resolve("data"),
                            "--web.listen-address=127.0.0.1:" + port)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            PrometheusServer server = new PrometheusServer(process, directory, URI.create("http://127.0.0.1:" + port));
            try {
                server.awaitUp(targets.size());
            } catch (RuntimeException e) {
                server.close();
                throw new IllegalStateException(
                        "Prometheus did not scrape the bridge within " + START_TIMEOUT.toSeconds() + " s, see " + log,
                        e);
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    URI uri() {
        return uri;
    }

    long pid() {
        return process.pid();
    }

    /** Waits until {@code up} of the job is 1 for every target. */
    private void awaitUp(int targets) {
        Awaitility.await()
                .pollInterval(Duration.ofMillis(500))
                .atMost(START_TIMEOUT)
                .ignoreExceptions()
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("Prometheus exited with " + process.exitValue());
                    }
                    JsonNode result = query("up{job=\"" + JOB + "\"} == 1");
                    return result.size() == targets;
                });
    }

    /** An instant query; the {@code data.result} of the answer. */
    JsonNode query(String expression) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(uri.resolve(
                                "/api/v1/query?query=" + URLEncoder.encode(expression, StandardCharsets.UTF_8)))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("Prometheus answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body()).path("data").path("result");
    }

    /** Stops Prometheus (SIGTERM, then SIGKILL after 30 s) and deletes its configuration and data. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
