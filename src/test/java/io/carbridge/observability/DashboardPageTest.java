package io.carbridge.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.carbridge.testing.Browser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * {@link DashboardPage} draws the dashboard of {@code docs/observability/} as it is: a fake Prometheus (an HTTP server
 * with canned answers) records every range query, which must be exactly the dashboard's targets with the variables
 * resolved as Grafana does with every variable on "All"; then, in headless Chromium, every panel is on the page with
 * its title, a chart or its values, its legend from the panel's legend format, the value mappings of stat panels
 * applied, and "No data" where Prometheus has nothing.
 */
class DashboardPageTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant FROM = Instant.parse("2026-01-01T10:00:00Z");
    private static final Instant TO = FROM.plus(Duration.ofMinutes(10));
    private static final DashboardPage.Window WINDOW = new DashboardPage.Window(FROM, TO, Duration.ofSeconds(2));
    /** The labels of every canned series: all those the dashboard's legends name. */
    private static final Map<String, String> LABELS = Map.of(
            "outcome",
            "accepted",
            "reason",
            "signature_invalid",
            "destination",
            "crm",
            "instance",
            "bridge-1",
            "le",
            "+Inf");
    /** The one query the fake answers with no series: its panel shows "No data". */
    private static final String EMPTY_METRIC = "bridge_intake_rejected_total";

    private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}");

    private final JsonNode dashboard = DashboardPage.readDashboard();
    private final List<Map<String, String>> queries = new CopyOnWriteArrayList<>();
    private HttpServer prometheus;

    @BeforeEach
    void startFakePrometheus() throws IOException {
        prometheus = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        prometheus.createContext("/api/v1/query_range", exchange -> {
            Map<String, String> parameters = parameters(exchange.getRequestURI().getRawQuery());
            queries.add(parameters);
            byte[] body = cannedAnswer(parameters).toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        prometheus.start();
    }

    @AfterEach
    void stopFakePrometheus() {
        prometheus.stop(0);
    }

    @Test
    void everyQueryIsOneOfTheDashboardsTargetsWithItsVariablesResolvedOverTheWindow() {
        DashboardPage.html(dashboard, fakePrometheus(), WINDOW, "Prometheus", "test");

        // Grafana on "All": the variables' allValue; a 10-minute range at a 2 s scrape interval: 2 s steps,
        // $__rate_interval = max(step + scrape, 4 × scrape) = 8 s, $__range = 600 s
        List<String> expected = new ArrayList<>();
        for (JsonNode panel : panels()) {
            for (JsonNode target : panel.path("targets")) {
                expected.add(target.path("expr")
                        .asText()
                        .replace("$instance", ".*")
                        .replace("$destination", ".*")
                        .replace("$__rate_interval", "8s")
                        .replace("$__range", "600s"));
            }
        }
        assertThat(expected).hasSizeGreaterThanOrEqualTo(15);
        assertThat(queries.stream().map(query -> query.get("query")).toList())
                .containsExactlyInAnyOrderElementsOf(expected)
                .allSatisfy(query -> assertThat(query).doesNotContain("$"));
        assertThat(queries).allSatisfy(query -> {
            assertThat(query.get("start")).isEqualTo(String.valueOf(FROM.getEpochSecond()));
            assertThat(query.get("end")).isEqualTo(String.valueOf(TO.getEpochSecond()));
            assertThat(query.get("step")).isEqualTo("2");
        });
    }

    @Test
    void aLongerRangeTakesLongerStepsAndAWiderRateInterval() {
        DashboardPage.Window day =
                new DashboardPage.Window(FROM, FROM.plus(Duration.ofHours(24)), Duration.ofSeconds(15));
        assertThat(day.stepSeconds()).isEqualTo(111); // 86,400 s over 780 points
        assertThat(DashboardPage.resolve(
                        "rate(x{instance=~\"$instance\"}[$__rate_interval]) [${__range}] [[destination]]",
                        dashboard,
                        day))
                .isEqualTo("rate(x{instance=~\".*\"}[126s]) [86400s] .*");
    }

    @Test
    void aVariableThePageCannotResolveAsGrafanaWouldFailsInsteadOfBeingSentAsItIs() {
        assertThatThrownBy(() -> DashboardPage.resolve("up{job=\"$job\"}", dashboard, WINDOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("$job");
    }

    @Test
    void everyPanelIsDrawnInItsPlaceWithItsTitleItsSeriesAndItsLegend() throws IOException {
        Path directory = Path.of("target", "dashboard-page-test");
        Files.createDirectories(directory);
        Path html = directory.resolve("dashboard.html");
        Files.writeString(
                html, DashboardPage.html(dashboard, fakePrometheus(), WINDOW, "Prometheus", "canned answers"));
        Path png = directory.resolve("dashboard.png");

        try (Browser browser = Browser.start(0)) {
            DashboardPage.screenshot(browser, html, png);
            assertThat(browser.problems()).as("the page's script errors").isEmpty();
            for (JsonNode panel : panels()) {
                String title = panel.path("title").asText();
                WebElement drawn =
                        browser.find("[data-panel-id='" + panel.path("id").asInt() + "']");
                assertThat(drawn.getText()).as("panel %s", title).contains(title);
                assertThat(drawn.getSize().getWidth())
                        .as(title)
                        .isGreaterThan(panel.path("gridPos").path("w").asInt() * 50);
                List<String> legends = expectedLegends(panel);
                switch (panel.path("type").asText()) {
                    case "row" -> assertThat(drawn.getAttribute("class")).isEqualTo("row");
                    case "timeseries" -> {
                        if (legends.isEmpty()) {
                            assertThat(drawn.findElement(By.cssSelector(".no-data"))
                                            .getText())
                                    .as(title)
                                    .isEqualTo("No data");
                        } else {
                            assertThat(drawn.findElements(By.cssSelector("canvas")))
                                    .as(title)
                                    .isNotEmpty();
                            assertThat(drawn.findElements(By.cssSelector(".legend .series-name")).stream()
                                            .map(WebElement::getText))
                                    .as(title)
                                    .containsExactlyElementsOf(legends);
                            assertThat(drawn.findElement(By.cssSelector(".legend tr"))
                                            .getText())
                                    .as(title)
                                    .contains("Last *", "Max");
                        }
                    }
                    case "stat" -> {
                        assertThat(drawn.findElements(By.cssSelector(".stat-name")).stream()
                                        .map(WebElement::getText))
                                .as(title)
                                .containsExactlyElementsOf(legends);
                        assertThat(drawn.findElements(By.cssSelector(".stat-value")))
                                .as(title)
                                .hasSameSizeAs(legends)
                                .allSatisfy(value ->
                                        assertThat(value.getText()).isNotBlank().isNotEqualTo("-"));
                    }
                    default -> throw new AssertionError("a panel type this test does not know: " + panel.path("type"));
                }
            }
            // the canned series end on 1: the stat panels' value mappings and threshold colours apply
            assertThat(browser.find("[data-panel-id='6'] .stat-value").getText())
                    .isEqualTo("ready");
            assertThat(browser.find("[data-panel-id='13'] .stat-value").getText())
                    .isEqualTo("paused");
            assertThat(browser.find("[data-panel-id='13'] .stat-tile").getAttribute("data-color"))
                    .isEqualToIgnoringCase("#F2495C");
            assertThat(browser.find("[data-panel-id='6'] .stat-tile").getAttribute("data-color"))
                    .isEqualToIgnoringCase("#73BF69");
        }
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(DashboardPage.WIDTH);
        int rows = 0;
        for (JsonNode panel : panels()) {
            rows = Math.max(
                    rows,
                    panel.path("gridPos").path("y").asInt()
                            + panel.path("gridPos").path("h").asInt());
        }
        assertThat(image.getHeight()).as("the whole grid, not the first screen").isGreaterThan(rows * 38);
    }

    private DashboardPage.Prometheus fakePrometheus() {
        return DashboardPage.http(
                URI.create("http://127.0.0.1:" + prometheus.getAddress().getPort()));
    }

    /** Every panel of the dashboard, rows and the panels of collapsed rows included. */
    private List<JsonNode> panels() {
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(panel -> {
            panels.add(panel);
            panel.path("panels").forEach(panels::add);
        });
        return panels;
    }

    /** The legend of each target's one canned series: its legend format with the canned labels. */
    private static List<String> expectedLegends(JsonNode panel) {
        List<String> legends = new ArrayList<>();
        for (JsonNode target : panel.path("targets")) {
            if (target.path("expr").asText().contains(EMPTY_METRIC)) {
                continue;
            }
            Matcher matcher = LEGEND_LABEL.matcher(target.path("legendFormat").asText());
            StringBuilder legend = new StringBuilder();
            while (matcher.find()) {
                matcher.appendReplacement(legend, Matcher.quoteReplacement(LABELS.get(matcher.group(1))));
            }
            matcher.appendTail(legend);
            legends.add(legend.toString());
        }
        return legends;
    }

    /** One series with every label, rising to 1 over the range (no series for {@link #EMPTY_METRIC}). */
    private static JsonNode cannedAnswer(Map<String, String> parameters) {
        ObjectNode answer = JSON.createObjectNode().put("status", "success");
        ObjectNode data = answer.putObject("data").put("resultType", "matrix");
        ArrayNode result = data.putArray("result");
        if (!parameters.get("query").contains(EMPTY_METRIC)) {
            ObjectNode series = result.addObject();
            ObjectNode metric = series.putObject("metric");
            LABELS.forEach(metric::put);
            ArrayNode values = series.putArray("values");
            long start = Long.parseLong(parameters.get("start"));
            long end = Long.parseLong(parameters.get("end"));
            long step = Long.parseLong(parameters.get("step"));
            for (long t = start; t <= end; t += step) {
                values.addArray()
                        .add(t)
                        .add(String.valueOf((double) Math.round(100.0 * (t - start) / (end - start)) / 100));
            }
        }
        return answer;
    }

    private static Map<String, String> parameters(String query) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            parameters.put(
                    URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
        }
        return parameters;
    }
}
