package io.carbridge.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The reading of PromQL names that {@link ObservabilityDocsTest} relies on, and that it catches a wrong name. */
class PromQlNamesTest {

    /** A few lines as the bridge serves them: a counter, a histogram bucket, a gauge with an escaped label value. */
    private static final String PAGE = """
            # HELP bridge_delivery_dead_total Deliveries dead-lettered
            # TYPE bridge_delivery_dead_total counter
            bridge_delivery_dead_total{destination="crm"} 0.0
            bridge_delivery_latency_seconds_bucket{destination="crm",le="0.5"} 3
            bridge_delivery_pending{destination="a \\"quoted\\", {odd} name"} 2.0
            bridge_intake_last_received_timestamp_seconds 1.7E9
            """;

    @Test
    void readsMetricsAndLabelsOfSelectorsAndGroupings() {
        PromQlNames.Names names = PromQlNames.of(
                "histogram_quantile(0.99, sum by (destination, le) "
                        + "(rate(bridge_delivery_latency_seconds_bucket{instance=~\"$instance\",destination!~\"x|y\"}[$__rate_interval])))");

        assertThat(names.metrics()).containsExactly("bridge_delivery_latency_seconds_bucket");
        assertThat(names.labels()).containsExactlyInAnyOrder("destination", "le", "instance");
        assertThat(names.unknownFunctions()).isEmpty();
    }

    @Test
    void readsAMetricStandingAloneAndSkipsNumbersDurationsKeywordsAndStrings() {
        assertThat(PromQlNames.of("time() - max(bridge_intake_last_received_timestamp_seconds > 0) > 3 * 3600")
                        .metrics())
                .containsExactly("bridge_intake_last_received_timestamp_seconds");
        PromQlNames.Names names =
                PromQlNames.of("up{job=\"smartcar-bridge\"} == 0 or absent(up{job='sum by (x) or y'}) "
                        + "unless bridge_ready offset 5m and bool inf");
        assertThat(names.metrics()).containsExactly("up", "bridge_ready");
        assertThat(names.labels()).containsExactly("job");
        assertThat(PromQlNames.of("sum(rate(bridge_delivery_dead_total[1h:5m])) by (destination) / 1e3")
                        .labels())
                .containsExactly("destination");
    }

    @Test
    void readsTheLabelListsOfVectorMatching() {
        PromQlNames.Names names = PromQlNames.of(
                "a_total * on (instance) group_left (version) b_info without (le) " + "ignoring(area) c{x=\"1\"}");

        assertThat(names.metrics()).containsExactly("a_total", "b_info", "c");
        assertThat(names.labels()).containsExactlyInAnyOrder("instance", "version", "le", "area", "x");
    }

    @Test
    void readsGrafanasLabelValuesVariableQuery() {
        PromQlNames.Names names = PromQlNames.ofVariableQuery(
                "label_values(bridge_delivery_pending{instance=~\"$instance\"}, destination)");

        assertThat(names.metrics()).containsExactly("bridge_delivery_pending");
        assertThat(names.labels()).containsExactlyInAnyOrder("instance", "destination");
        assertThatThrownBy(() -> PromQlNames.ofVariableQuery("query_result(up)"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsTheNamesOfAPrometheusPage() {
        ExposedSeries exposed = ExposedSeries.parse(PAGE);

        assertThat(exposed.metrics())
                .containsExactly(
                        "bridge_delivery_dead_total",
                        "bridge_delivery_latency_seconds_bucket",
                        "bridge_delivery_pending",
                        "bridge_intake_last_received_timestamp_seconds");
        assertThat(exposed.labels()).containsExactly("destination", "le");
    }

    @Test
    void aNameThePageDoesNotHaveIsReported() {
        ExposedSeries exposed = ExposedSeries.parse(PAGE);

        assertThat(exposed.unknown(
                        "ok",
                        PromQlNames.of(
                                "increase(bridge_delivery_dead_total{destination=\"crm\",job=\"b\"}[5m]) " + "and up")))
                .isEmpty();
        // a misspelt metric, the counter without its _total, a histogram without _bucket, a label the bridge does not
        // use
        assertThat(exposed.unknown(
                        "panel", PromQlNames.of("max by (dest) (bridge_delivery_peding{destination=\"crm\"})")))
                .containsExactly("panel: metric bridge_delivery_peding", "panel: label dest");
        assertThat(exposed.unknown("rule", PromQlNames.of("increase(bridge_delivery_dead[5m])")))
                .containsExactly("rule: metric bridge_delivery_dead");
        assertThat(exposed.unknown(
                        "rule", PromQlNames.of("histogram_quantile(0.9, rate(bridge_delivery_latency_seconds[5m]))")))
                .containsExactly("rule: metric bridge_delivery_latency_seconds");
        // a misspelt function is not taken for a metric
        assertThat(exposed.unknown("rule", PromQlNames.of("rat(bridge_delivery_dead_total[5m])")))
                .containsExactly("rule: function rat");
    }
}
