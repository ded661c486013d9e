package io.carbridge.observability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carbridge.testing.Browser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Grafana dashboard of {@code docs/observability/} drawn without Grafana, from its own JSON model: each panel's
 * title, place ({@code gridPos}, Grafana's 24 columns and 30 px rows) and PromQL targets, the template variables
 * resolved as Grafana resolves them with every variable on "All" ({@code $__rate_interval}, {@code $__interval} and
 * {@code $__range} from the time range and the scrape interval), each target asked of Prometheus's HTTP API
 * ({@code /api/v1/query_range}) over the time range. Time series panels are drawn with uPlot (the WebJar the console
 * uses), with the panel's unit, minimum and legend table (last and max); stat panels show each series' last value
 * through the panel's value mappings, on its threshold's colour. The page is one static HTML file (the chart library
 * inlined) in Grafana's dark look; {@link #screenshot} takes it with headless Chromium.
 *
 * <p>The benchmark draws it from a Prometheus that scraped the bridge during a run ({@code -Dbenchmark.dashboard=true},
 * docs/performance.md); {@code DashboardPageTest} keeps it to the dashboard's panels and queries.
 */
public final class DashboardPage {

    public static final Path DASHBOARD = Path.of("docs/observability/smartcar-bridge-dashboard.json");
    /** The page's width in CSS pixels, and the screenshot's. */
    public static final int WIDTH = 1600;
    /** Grafana asks for about one point per pixel of the panel; a half-width panel on this page is ~780 px wide. */
    static final int MAX_POINTS = 780;

    private static final String TEMPLATE = "observability/dashboard-page.html";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code $name}, {@code ${name}}, {@code ${name:format}} and the old {@code [[name]]}. */
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::\\w+)?}|\\$(\\w+)|\\[\\[(\\w+)]]");

    private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}");

    private DashboardPage() {}

    /** What Prometheus answers to a range query: the {@code data.result} matrix (one object per series). */
    @FunctionalInterface
    public interface Prometheus {
        JsonNode queryRange(String expression, long startSeconds, long endSeconds, long stepSeconds);
    }

    /**
     * The dashboard's time range and the data source's scrape interval, from which Grafana takes its step
     * ({@code $__interval}: about one point per pixel, never under the scrape interval) and {@code $__rate_interval}
     * (the larger of the step plus one scrape interval and four scrape intervals).
     */
    public record Window(Instant from, Instant to, Duration scrapeInterval) {

        public long stepSeconds() {
            long range = to.getEpochSecond() - from.getEpochSecond();
            return Math.max(scrapeInterval.toSeconds(), (range + MAX_POINTS - 1) / MAX_POINTS);
        }

        /** The first point: the range's start, aligned down to the step as Grafana aligns it. */
        public long startSeconds() {
            return from.getEpochSecond() / stepSeconds() * stepSeconds();
        }

        public long endSeconds() {
            return to.getEpochSecond() / stepSeconds() * stepSeconds();
        }

        public long rateIntervalSeconds() {
            return Math.max(stepSeconds() + scrapeInterval.toSeconds(), 4 * scrapeInterval.toSeconds());
        }

        public long rangeSeconds() {
            return to.getEpochSecond() - from.getEpochSecond();
        }
    }

    /** Prometheus's HTTP API at {@code base} (such as {@code http://127.0.0.1:9090}). */
    public static Prometheus http(URI base) {
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return (expression, start, end, step) -> {
            URI uri = base.resolve("/api/v1/query_range?query=" + URLEncoder.encode(expression, StandardCharsets.UTF_8)
                    + "&start=" + start + "&end=" + end + "&step=" + step);
            try {
                HttpResponse<String> response = client.send(
                        HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(30))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonNode answer = JSON.readTree(response.body());
                if (response.statusCode() != 200
                        || !"success".equals(answer.path("status").asText())) {
                    throw new IllegalStateException("Prometheus answered " + response.statusCode() + " to " + expression
                            + ": " + answer.path("error").asText(response.body()));
                }
                return answer.path("data").path("result");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        };
    }

    public static JsonNode readDashboard() {
        try {
            return JSON.readTree(DASHBOARD.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code expression} with the dashboard's variables replaced: a query or custom variable that includes "All" by its
     * {@code allValue} (what Grafana sends for "All"), a constant or text box by its value, and Grafana's
     * {@code $__rate_interval}, {@code $__interval}, {@code $__range} (and their {@code _ms}, {@code _s} forms) from
     * the window. Any other variable fails: the page would not show what Grafana shows.
     */
    public static String resolve(String expression, JsonNode dashboard, Window window) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("__rate_interval", window.rateIntervalSeconds() + "s");
        values.put("__interval", window.stepSeconds() + "s");
        values.put("__interval_ms", String.valueOf(window.stepSeconds() * 1000));
        values.put("__range", window.rangeSeconds() + "s");
        values.put("__range_s", String.valueOf(window.rangeSeconds()));
        values.put("__range_ms", String.valueOf(window.rangeSeconds() * 1000));
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            String value = variableValue(variable);
            if (value != null) {
                values.put(variable.path("name").asText(), value);
            }
        }
        Matcher matcher = VARIABLE.matcher(expression);
        StringBuilder resolved = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1) != null
                    ? matcher.group(1)
                    : matcher.group(2) != null ? matcher.group(2) : matcher.group(3);
            String value = values.get(name);
            if (value == null) {
                throw new IllegalArgumentException("the dashboard's query " + expression + " uses $" + name
                        + ", which this page cannot resolve as Grafana would");
            }
            matcher.appendReplacement(resolved, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(resolved);
        return resolved.toString();
    }

    /** The value a variable takes in a query, or null where it has none (a data source variable). */
    private static String variableValue(JsonNode variable) {
        String type = variable.path("type").asText();
        switch (type) {
            case "query", "custom" -> {
                if (!variable.path("includeAll").asBoolean()) {
                    return null; // one value of the operator's choosing: not resolvable here
                }
                String all = variable.path("allValue").asText("");
                return all.isEmpty() ? null : all;
            }
            case "constant", "textbox" -> {
                JsonNode query = variable.path("query");
                return query.isTextual() ? query.asText() : null;
            }
            default -> {
                return null;
            }
        }
    }

    /** What the variable shows at the top of the dashboard. */
    private static String variableDisplay(JsonNode variable, String dataSourceName) {
        return switch (variable.path("type").asText()) {
            case "datasource" -> dataSourceName;
            case "query", "custom" -> variable.path("includeAll").asBoolean() ? "All" : "?";
            default -> String.valueOf(variableValue(variable));
        };
    }

    /**
     * The page of the dashboard over the window: every panel of the JSON model (rows included, and the panels of a
     * collapsed row) in its place, every target queried with its variables resolved. {@code note} is shown under the
     * title (where the data came from).
     */
    public static String html(
            JsonNode dashboard, Prometheus prometheus, Window window, String dataSourceName, String note) {
        ObjectNode model = JSON.createObjectNode();
        model.put("title", dashboard.path("title").asText());
        model.put("note", note);
        model.put("from", window.startSeconds());
        model.put("to", window.endSeconds());
        model.put("step", window.stepSeconds());
        ArrayNode variables = model.putArray("variables");
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("hide").asInt() != 2) {
                variables
                        .addObject()
                        .put(
                                "label",
                                variable.path("label")
                                        .asText(variable.path("name").asText()))
                        .put("value", variableDisplay(variable, dataSourceName));
            }
        }
        ArrayNode panels = model.putArray("panels");
        for (JsonNode panel : dashboard.path("panels")) {
            panels.add(panel(panel, dashboard, prometheus, window));
            for (JsonNode inner : panel.path("panels")) {
                panels.add(panel(inner, dashboard, prometheus, window));
            }
        }
        String page = template();
        return page.replace("/*UPLOT_CSS*/", chartLibrary("uPlot.min.css"))
                .replace("/*UPLOT_JS*/", chartLibrary("uPlot.iife.min.js"))
                .replace("/*DASHBOARD*/", model.toString().replace("</", "<\\/"));
    }

    private static ObjectNode panel(JsonNode panel, JsonNode dashboard, Prometheus prometheus, Window window) {
        ObjectNode drawn = JSON.createObjectNode();
        String type = panel.path("type").asText();
        drawn.put("id", panel.path("id").asInt());
        drawn.put("type", type);
        drawn.put("title", panel.path("title").asText());
        drawn.set("gridPos", panel.path("gridPos"));
        if (type.equals("row")) {
            return drawn;
        }
        JsonNode defaults = panel.path("fieldConfig").path("defaults");
        drawn.put("unit", defaults.path("unit").asText("none"));
        if (defaults.has("min")) {
            drawn.put("min", defaults.path("min").asDouble());
        }
        drawn.set(
                "mappings",
                defaults.path("mappings").isMissingNode() ? JSON.createArrayNode() : defaults.path("mappings"));
        drawn.set(
                "thresholds",
                defaults.path("thresholds").path("steps").isMissingNode()
                        ? JSON.createArrayNode()
                        : defaults.path("thresholds").path("steps"));
        drawn.put("fillOpacity", defaults.path("custom").path("fillOpacity").asInt(10));
        drawn.put("lineWidth", defaults.path("custom").path("lineWidth").asInt(1));
        drawn.set(
                "legendCalcs",
                panel.path("options").path("legend").path("calcs").isMissingNode()
                        ? JSON.createArrayNode()
                        : panel.path("options").path("legend").path("calcs"));
        drawn.put("textMode", panel.path("options").path("textMode").asText("auto"));
        ArrayNode series = drawn.putArray("series");
        for (JsonNode target : panel.path("targets")) {
            if (target.path("hide").asBoolean() || !target.has("expr")) {
                continue;
            }
            String expression = resolve(target.path("expr").asText(), dashboard, window);
            JsonNode result =
                    prometheus.queryRange(expression, window.startSeconds(), window.endSeconds(), window.stepSeconds());
            for (JsonNode one : result) {
                series.addObject()
                        .put("name", legend(target.path("legendFormat").asText(""), one.path("metric"), expression))
                        .set("values", aligned(one.path("values"), window));
            }
        }
        return drawn;
    }

    /** The legend Grafana shows: the legend format with {{label}} replaced, or the series' labels without one. */
    static String legend(String format, JsonNode labels, String expression) {
        if (format.isBlank() || format.equals("__auto")) {
            List<String> pairs = new ArrayList<>();
            labels.fields().forEachRemaining(label -> {
                if (!label.getKey().equals("__name__")) {
                    pairs.add(label.getKey() + "=\"" + label.getValue().asText() + "\"");
                }
            });
            return pairs.isEmpty()
                    ? expression
                    : labels.path("__name__").asText("") + "{" + String.join(", ", pairs) + "}";
        }
        Matcher matcher = LEGEND_LABEL.matcher(format);
        StringBuilder name = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(
                    name, Matcher.quoteReplacement(labels.path(matcher.group(1)).asText("")));
        }
        matcher.appendTail(name);
        return name.toString();
    }

    /** The series' values at every step of the window (null where Prometheus has none, or NaN or infinity). */
    private static ArrayNode aligned(JsonNode values, Window window) {
        int points = (int) ((window.endSeconds() - window.startSeconds()) / window.stepSeconds()) + 1;
        Double[] aligned = new Double[points];
        for (JsonNode value : values) {
            long index = Math.round((value.path(0).asDouble() - window.startSeconds()) / window.stepSeconds());
            double number = parse(value.path(1).asText());
            if (index >= 0 && index < points && Double.isFinite(number)) {
                aligned[(int) index] = number;
            }
        }
        ArrayNode array = JSON.createArrayNode();
        for (Double value : aligned) {
            if (value == null) {
                array.addNull();
            } else {
                array.add(value);
            }
        }
        return array;
    }

    private static double parse(String value) {
        try {
            return Double.parseDouble(value.replace("Inf", "Infinity"));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static String template() {
        try (InputStream in = DashboardPage.class.getClassLoader().getResourceAsStream(TEMPLATE)) {
            if (in == null) {
                throw new IllegalStateException(TEMPLATE + " is not on the test classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A file of uPlot's WebJar (org.webjars.npm:uplot, the console's chart library), at the version on the classpath.
     */
    private static String chartLibrary(String file) {
        ClassLoader loader = DashboardPage.class.getClassLoader();
        try (InputStream pom = loader.getResourceAsStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            if (pom == null) {
                throw new IllegalStateException("the WebJar org.webjars.npm:uplot is not on the classpath");
            }
            Properties properties = new Properties();
            properties.load(pom);
            String path = "META-INF/resources/webjars/uplot/" + properties.getProperty("version") + "/dist/" + file;
            try (InputStream in = loader.getResourceAsStream(path)) {
                if (in == null) {
                    throw new IllegalStateException(path + " is not in the uplot WebJar");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Opens the page in the browser at {@value #WIDTH} px wide, waits until every panel is drawn, and saves the whole
     * page as a PNG. The browser stays on the page (a test reads it after).
     */
    public static void screenshot(Browser browser, Path html, Path png) {
        ChromeDriver driver = (ChromeDriver) browser.driver();
        viewport(driver, 1000);
        driver.get(html.toAbsolutePath().toUri().toString());
        new WebDriverWait(driver, Duration.ofSeconds(60), Duration.ofMillis(100))
                .until(d -> "true".equals(browser.script("return document.body.dataset.rendered || null")));
        Object error = browser.script("return document.body.dataset.error || null");
        if (error != null) {
            throw new IllegalStateException("the dashboard page failed: " + error);
        }
        long height = ((Number) browser.script("return Math.ceil(document.documentElement.scrollHeight)")).longValue();
        viewport(driver, height);
        @SuppressWarnings("unchecked")
        Map<String, Object> shot = (Map<String, Object>) (Map<?, ?>) driver.executeCdpCommand(
                "Page.captureScreenshot",
                Map.of(
                        "format",
                        "png",
                        "captureBeyondViewport",
                        true,
                        "clip",
                        Map.of("x", 0, "y", 0, "width", WIDTH, "height", height, "scale", 1)));
        try {
            byte[] bytes = Base64.getDecoder().decode((String) shot.get("data"));
            if (png.getParent() != null) {
                Files.createDirectories(png.getParent());
            }
            Files.write(png, bytes);
            if (ImageIO.read(png.toFile()) == null) {
                throw new IllegalStateException(png + " is not a PNG");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void viewport(ChromeDriver driver, long height) {
        driver.executeCdpCommand(
                "Emulation.setDeviceMetricsOverride",
                Map.of("width", WIDTH, "height", height, "deviceScaleFactor", 1, "mobile", false));
    }

    /**
     * Writes the page and its screenshot: {@code <name>.html} and {@code <name>.png} in {@code directory}; returns the
     * PNG.
     */
    public static Path render(
            JsonNode dashboard,
            Prometheus prometheus,
            Window window,
            String dataSourceName,
            String note,
            Path directory,
            String name) {
        try {
            Files.createDirectories(directory);
            Path html = directory.resolve(name + ".html");
            Files.writeString(html, html(dashboard, prometheus, window, dataSourceName, note));
            Path png = directory.resolve(name + ".png");
            try (Browser browser = Browser.start(0)) {
                screenshot(browser, html, png);
            }
            return png;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
