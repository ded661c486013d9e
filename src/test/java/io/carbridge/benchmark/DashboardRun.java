package io.carbridge.benchmark;

import io.carbridge.observability.DashboardPage;
import io.carbridge.testing.Browser;
import io.carbridge.testing.ServiceProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code -Dbenchmark.dashboard=true}: the bridge's measurement watched through the dashboard of
 * {@code docs/observability/}. Once the bridge is up, a Prometheus of its own ({@link PrometheusServer}) scrapes every
 * instance every {@value #SCRAPE_SECONDS} s; at the end of the measurement, before the bridge stops, the dashboard's
 * panels are drawn from Prometheus's data over the measurement ({@link DashboardPage}) and taken with headless
 * Chromium: {@code <benchmark.output>/dashboard-<setup>.html} and {@code .png}. This build's PostgreSQL setup with one
 * instance (the database of production) is also copied to {@code docs/observability/dashboard.png}. Off by default:
 * Prometheus takes a little CPU from the same cores.
 */
final class DashboardRun implements AutoCloseable {

    static final String OPTION = "benchmark.dashboard";
    static final int SCRAPE_SECONDS = 2;
    static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(SCRAPE_SECONDS);
    static final Path DOCS_SCREENSHOT = Paths.get("docs", "observability", "dashboard.png");
    /**
     * The setup whose picture the docs show: PostgreSQL, one instance, this build (a baseline's key ends in -baseline).
     */
    private static final String DOCUMENTED_SETUP = "postgresql";

    private final String key;
    private final String setup;
    private final Path output;
    private final PrometheusServer prometheus;
    private final Instant from;

    private DashboardRun(String key, String setup, Path output, PrometheusServer prometheus, Instant from) {
        this.key = key;
        this.setup = setup;
        this.output = output;
        this.prometheus = prometheus;
        this.from = from;
    }

    /** Fails at once, before anything is measured, when Prometheus or headless Chromium is not installed. */
    static void requireTools() {
        if (!PrometheusServer.installed()) {
            throw new IllegalStateException(OPTION + " scrapes the bridge with Prometheus: " + PrometheusServer.BINARY
                    + " is missing (sudo apt-get install -y prometheus)");
        }
        if (!Files.isExecutable(Browser.CHROMIUM) || !Files.isExecutable(Browser.CHROMEDRIVER)) {
            throw new IllegalStateException(OPTION + " takes the dashboard with headless Chromium: " + Browser.CHROMIUM
                    + " or " + Browser.CHROMEDRIVER + " is missing (sudo apt-get install -y chromium chromium-driver)");
        }
    }

    /**
     * Starts Prometheus on the started instances (nothing when the option is off). The instances are labelled with the
     * instance ids {@link BridgeMeasurement} gives them ({@code benchmark-1}, ...), in order.
     */
    static DashboardRun start(Benchmark.Options options, String key, String setup, List<ServiceProcess> services) {
        if (!options.dashboard()) {
            return new DashboardRun(key, setup, options.output(), null, null);
        }
        Map<String, Integer> targets = new LinkedHashMap<>();
        for (int i = 0; i < services.size(); i++) {
            targets.put("benchmark-" + (i + 1), services.get(i).managementPort());
        }
        String name = "benchmark-" + key + "-prometheus";
        PrometheusServer prometheus = PrometheusServer.scraping(name, targets, SCRAPE_INTERVAL);
        Benchmark.phase("Prometheus started for the dashboard, pid " + prometheus.pid() + ", " + prometheus.uri()
                + ", scraping " + targets + " every " + SCRAPE_SECONDS + " s, its output in target/it-logs/" + name
                + ".log");
        return new DashboardRun(key, setup, options.output(), prometheus, Instant.now());
    }

    /**
     * Draws the dashboard over the measurement so far and takes it. A failure is printed, not thrown: the benchmark's
     * figures stand without the picture.
     */
    void render() {
        if (prometheus == null) {
            return;
        }
        sleep(SCRAPE_INTERVAL.multipliedBy(2)); // the last load's last scrapes
        Instant to = Instant.now();
        Benchmark.phase("drawing the dashboard from Prometheus's data, " + from.truncatedTo(ChronoUnit.SECONDS) + " to "
                + to.truncatedTo(ChronoUnit.SECONDS));
        String note =
                "The panels and queries of smartcar-bridge-dashboard.json over Prometheus's data of a benchmark run, drawn "
                        + "without Grafana (mvn -B -Pbenchmark verify -D" + OPTION + "=true): the bridge on " + setup
                        + ", scraped every "
                        + SCRAPE_SECONDS
                        + " s. In order: warm-up; the destination paused (410 Gone) and the intake at saturation; "
                        + "the destination resumed, its backlog draining while the intake takes 1,000 events/s; the intake at saturation "
                        + "while the destination delivers; a GET at saturation; "
                        + "fixed rates from low to high; duplicates.";
        try {
            Path png = DashboardPage.render(
                    DashboardPage.readDashboard(),
                    DashboardPage.http(prometheus.uri()),
                    new DashboardPage.Window(from, to, SCRAPE_INTERVAL),
                    "Prometheus (benchmark)",
                    note,
                    output,
                    "dashboard-" + key);
            System.out.println(
                    "The dashboard: " + png + " (and " + png.toString().replaceAll("\\.png$", ".html") + ")");
            if (key.equals(DOCUMENTED_SETUP)) {
                Files.copy(png, DOCS_SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
                System.out.println("Copied to " + DOCS_SCREENSHOT);
            }
        } catch (RuntimeException | IOException e) {
            System.out.println("The dashboard was not drawn: " + e);
            e.printStackTrace(System.out);
        }
    }

    @Override
    public void close() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
