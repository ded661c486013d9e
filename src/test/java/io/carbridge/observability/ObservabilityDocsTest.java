package io.carbridge.observability;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.DestinationsDouble;
import io.carbridge.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Grafana dashboard and the Prometheus rules of {@code docs/observability/} name only series the bridge serves: the
 * real routes deliver one event and dead-letter another (after a retry) to the destination double, then every metric
 * name and label name of the dashboard's queries, legends and variables, of the rules' expressions and annotations, and
 * of the rules' unit tests must be on the scraped {@code /observe/metrics} page (or be {@code up}, {@code job},
 * {@code instance}, which Prometheus adds). {@link PromQlNamesTest} shows a wrong name is caught.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            BridgeTest.TEST_PROPERTIES,
            BridgeTest.DESTINATIONS,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = "bridge.db.url=jdbc:h2:mem:observability-docs-test")
class ObservabilityDocsTest {

    private static final Path DOCS = Path.of("docs/observability");
    private static final Path DASHBOARD = DOCS.resolve("smartcar-bridge-dashboard.json");
    private static final Path RULES = DOCS.resolve("smartcar-bridge-alerts.yml");
    private static final Path RULE_TESTS = DOCS.resolve("smartcar-bridge-alerts.test.yml");
    /** {{destination}} in a Grafana legend, {{ $labels.destination }} in a rule's annotation. */
    private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");

    private static final Pattern TEMPLATE_LABEL = Pattern.compile("\\$labels\\.([A-Za-z_][A-Za-z0-9_]*)");

    private static final BridgeHttp HTTP = BridgeHttp.bridge();
    private static final BridgeHttp MANAGEMENT = BridgeHttp.management();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();
    private static WireMockServer sink;

    @BeanInject
    CamelContext camel;

    @BeforeAll
    void startSink() {
        sink = DestinationsDouble.start();
        DestinationsDouble.answerEverythingWith200(sink);
        // obs-dead: a 500 (retried), then a 400 (dead letter)
        sink.stubFor(post(urlEqualTo("/sink"))
                .atPriority(1)
                .withRequestBody(matchingJsonPath("$.eventId", WireMock.equalTo("obs-dead")))
                .inScenario("obs-dead")
                .whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("retried")
                .willReturn(aResponse().withStatus(500)));
        sink.stubFor(post(urlEqualTo("/sink"))
                .atPriority(1)
                .withRequestBody(matchingJsonPath("$.eventId", WireMock.equalTo("obs-dead")))
                .inScenario("obs-dead")
                .whenScenarioStateIs("retried")
                .willReturn(aResponse().withStatus(400)));
    }

    @AfterAll
    void stopSink() {
        sink.stop();
    }

    @Test
    void theDashboardAndTheAlertRulesNameOnlySeriesAndLabelsTheBridgeExposes() throws IOException {
        for (String eventId : List.of("obs-delivered", "obs-dead")) {
            byte[] body = Fixtures.currentEvent(eventId, "VEHICLE_STATE", "veh-" + eventId, "");
            assertThat(HTTP.deliver("/webhooks/smartcar", body, Fixtures.sign(body))
                            .status())
                    .isEqualTo(202);
        }
        // at least: on a busy machine an attempt may also time out (the sink's timeout is 1 s) and be retried
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(BridgeHttp.metric("bridge_delivery_delivered_total{destination=\"sink\"}"))
                    .isGreaterThanOrEqualTo(1);
            assertThat(BridgeHttp.metric("bridge_delivery_retried_total{destination=\"sink\"}"))
                    .isGreaterThanOrEqualTo(1);
            assertThat(BridgeHttp.metric("bridge_delivery_dead_total{destination=\"sink\"}"))
                    .isEqualTo(1);
        });
        // the JVM's GC pause timer is registered at the first collection, which a short test run may not have had yet
        System.gc();
        await().atMost(Duration.ofSeconds(10)).until(() -> BridgeHttp.metrics().contains("jvm_gc_pause_seconds_sum"));
        ExposedSeries exposed = ExposedSeries.parse(BridgeHttp.metrics());

        PromQlNames.Names used = new PromQlNames.Names();
        List<String> problems = new ArrayList<>();
        BiConsumer<String, PromQlNames.Names> check = (where, names) -> {
            used.addAll(names);
            problems.addAll(exposed.unknown(where, names));
        };
        dashboardNames(check);
        ruleNames(check);

        assertThat(problems).as("names the bridge does not expose").isEmpty();
        // what each panel and rule is about: the reading found them (an empty reading would pass the check above)
        assertThat(used.metrics())
                .contains(
                        "bridge_intake_outcome_total",
                        "bridge_delivery_pending",
                        "bridge_delivery_oldest_pending_age_seconds",
                        "bridge_delivery_delivered_total",
                        "bridge_delivery_retried_total",
                        "bridge_delivery_dead_total",
                        "bridge_delivery_latency_seconds_bucket",
                        "bridge_delivery_paused",
                        "bridge_intake_last_received_timestamp_seconds",
                        "bridge_ready",
                        "jvm_memory_used_bytes",
                        "up");
        assertThat(used.labels()).contains("outcome", "destination", "le", "area", "instance", "job");
    }

    @Test
    void bridgeReadyIsOneExactlyWhileTheReadinessProbeAnswersUp() throws Exception {
        assertThat(MANAGEMENT.get("/observe/health/ready", Map.of()).status()).isEqualTo(200);
        assertThat(BridgeHttp.metric("bridge_ready")).isEqualTo(1);

        camel.getRouteController().stopRoute("retention");
        try {
            assertThat(MANAGEMENT.get("/observe/health/ready", Map.of()).status())
                    .isEqualTo(503);
            assertThat(BridgeHttp.metric("bridge_ready")).isZero();
        } finally {
            camel.getRouteController().startRoute("retention");
        }
        assertThat(MANAGEMENT.get("/observe/health/ready", Map.of()).status()).isEqualTo(200);
        assertThat(BridgeHttp.metric("bridge_ready")).isEqualTo(1);
    }

    @Test
    void theDashboardTakesItsPrometheusFromAVariableAndHasAPanelForEachConcern() throws IOException {
        JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
        JsonNode variables = dashboard.path("templating").path("list");
        assertThat(variables.findValuesAsText("name")).contains("datasource");
        JsonNode datasource = find(variables, "name", "datasource");
        assertThat(datasource.path("type").asText()).isEqualTo("datasource");
        assertThat(datasource.path("query").asText()).isEqualTo("prometheus");
        // every panel, query and variable reads from that variable: no datasource uid of the machine it was made on
        List<JsonNode> references = dashboard.findValues("datasource").stream()
                .filter(JsonNode::isObject)
                .toList();
        assertThat(references).hasSizeGreaterThan(10).allSatisfy(reference -> {
            assertThat(reference.path("type").asText()).isEqualTo("prometheus");
            assertThat(reference.path("uid").asText()).isEqualTo("${datasource}");
        });
        assertThat(dashboard.has("__inputs")).as("an export with fixed inputs").isFalse();

        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(panel -> {
            panels.add(panel);
            panel.path("panels").forEach(panels::add);
        });
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : panels) {
            assertThat(ids.add(panel.path("id").asInt()))
                    .as("panel id %s unique", panel.path("id"))
                    .isTrue();
            assertThat(panel.path("gridPos").path("w").asInt())
                    .as(panel.path("title").asText())
                    .isBetween(1, 24);
        }
        Map<String, String> concerns = Map.of(
                "intake by outcome", "bridge_intake_outcome_total",
                "backlog", "bridge_delivery_pending",
                "oldest pending", "bridge_delivery_oldest_pending_age_seconds",
                "delivery rate", "bridge_delivery_delivered_total",
                "delivery latency", "bridge_delivery_latency_seconds_bucket",
                "dead letters", "bridge_delivery_dead_total",
                "paused destinations", "bridge_delivery_paused",
                "source silence", "bridge_intake_last_received_timestamp_seconds",
                "jvm heap", "jvm_memory_used_bytes");
        concerns.forEach((title, metric) -> assertThat(panels).as(title).anySatisfy(panel -> {
            assertThat(panel.path("title").asText().toLowerCase()).contains(title);
            assertThat(panel.path("targets").findValuesAsText("expr"))
                    .anySatisfy(expr -> assertThat(expr).contains(metric));
        }));
    }

    @Test
    void everyAlertRuleWaitsCarriesASeverityAndSaysWhatIsWrong() throws IOException {
        List<JsonNode> rules = new ArrayList<>();
        YAML.readTree(RULES.toFile()).path("groups").forEach(group -> group.path("rules")
                .forEach(rules::add));

        assertThat(rules).hasSizeGreaterThanOrEqualTo(5).allSatisfy(rule -> {
            assertThat(rule.path("alert").asText()).isNotEmpty();
            assertThat(rule.path("for").asText())
                    .as(rule.path("alert").asText())
                    .matches("\\d+[smh]");
            assertThat(rule.path("labels").path("severity").asText())
                    .as(rule.path("alert").asText())
                    .isIn("warning", "critical");
            assertThat(rule.path("annotations").path("summary").asText())
                    .as(rule.path("alert").asText())
                    .isNotBlank();
            assertThat(rule.path("annotations").path("description").asText())
                    .as(rule.path("alert").asText())
                    .isNotBlank();
        });
        // oldest pending, dead letters growing, a destination paused, Smartcar silent, not ready, down
        assertThat(rules.stream().map(rule -> rule.path("expr").asText()))
                .anySatisfy(expr -> assertThat(expr).contains("bridge_delivery_oldest_pending_age_seconds"))
                .anySatisfy(expr -> assertThat(expr).contains("increase(bridge_delivery_dead_total"))
                .anySatisfy(expr -> assertThat(expr).contains("bridge_delivery_paused"))
                .anySatisfy(expr -> assertThat(expr).contains("bridge_intake_last_received_timestamp_seconds"))
                .anySatisfy(expr -> assertThat(expr).contains("bridge_ready"))
                .anySatisfy(expr -> assertThat(expr).contains("up{"));
    }

    // --- the names the files use ---

    private static void dashboardNames(BiConsumer<String, PromQlNames.Names> check) throws IOException {
        JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(panel -> {
            panels.add(panel);
            panel.path("panels").forEach(panels::add);
        });
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                String where = "dashboard panel \"" + panel.path("title").asText() + "\" "
                        + target.path("refId").asText();
                PromQlNames.Names names = PromQlNames.of(target.path("expr").asText());
                names.labels()
                        .addAll(matches(
                                LEGEND_LABEL, target.path("legendFormat").asText()));
                check.accept(where, names);
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                JsonNode query = variable.path("query");
                check.accept(
                        "dashboard variable " + variable.path("name").asText(),
                        PromQlNames.ofVariableQuery(
                                query.isObject() ? query.path("query").asText() : query.asText()));
                check.accept(
                        "dashboard variable " + variable.path("name").asText() + " definition",
                        PromQlNames.ofVariableQuery(variable.path("definition").asText()));
            }
        }
        // every query of the file was read above: none hides in a place this test does not look
        assertThat(dashboard.findValues("expr"))
                .hasSize(panels.stream()
                        .mapToInt(panel -> panel.path("targets").size())
                        .sum());
    }

    private static void ruleNames(BiConsumer<String, PromQlNames.Names> check) throws IOException {
        for (JsonNode group : YAML.readTree(RULES.toFile()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String where =
                        "rule " + rule.path("alert").asText(rule.path("record").asText());
                PromQlNames.Names names = PromQlNames.of(rule.path("expr").asText());
                rule.path("annotations").forEach(text -> names.labels().addAll(matches(TEMPLATE_LABEL, text.asText())));
                check.accept(where, names);
            }
        }
        for (JsonNode test : YAML.readTree(RULE_TESTS.toFile()).path("tests")) {
            for (JsonNode series : test.path("input_series")) {
                check.accept(
                        "rule test series " + series.path("series").asText(),
                        PromQlNames.of(series.path("series").asText()));
            }
        }
    }

    private static Set<String> matches(Pattern pattern, String text) {
        Set<String> found = new LinkedHashSet<>();
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode element : array) {
            if (element.path(field).asText().equals(value)) {
                return element;
            }
        }
        throw new AssertionError("no element with " + field + " " + value);
    }
}
