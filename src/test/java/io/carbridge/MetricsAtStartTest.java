package io.carbridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.SmartcarDouble;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

/**
 * Every metric docs/operations.md documents exists as soon as the service has started, before any traffic, at zero: an
 * alert on a rate of rejections or sync failures works before the first one, and a dashboard shows zero instead of
 * nothing.
 */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            SmartcarDouble.PROPERTIES,
            BridgeTest.TEST_PROPERTIES,
            "classpath:delivery-flow.properties",
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = "bridge.db.url=jdbc:h2:mem:metrics-at-start-test")
class MetricsAtStartTest {

    @Test
    void everyDocumentedMetricExistsAtZeroBeforeAnyTraffic() throws Exception {
        String metrics = BridgeHttp.metrics();
        Set<String> documented = documentedMetrics();
        assertThat(documented).as("the Metrics paragraph of docs/operations.md").hasSizeGreaterThan(15);

        for (String name : documented) {
            assertThat(metrics).as(name).containsPattern("(?m)^" + name + "(_count|_bucket)?[{ ]");
        }
        for (String series : List.of(
                "bridge_intake_rejected_total{reason=\"signature_invalid\"}",
                "bridge_intake_outcome_total{outcome=\"stale\"}",
                "bridge_smartcar_sync_failures_total{reason=\"rate_limited\"}",
                "bridge_smartcar_token_refreshes_total{outcome=\"refused\"}",
                "bridge_smartcar_connect_total{outcome=\"connected\"}",
                "bridge_intake_last_received_timestamp_seconds",
                "bridge_delivery_dead_total{destination=\"sink\"}")) {
            assertThat(metrics.lines()
                            .filter(line -> line.startsWith(series + " "))
                            .findFirst())
                    .as(series)
                    .hasValueSatisfying(line -> assertThat(Double.parseDouble(line.substring(series.length() + 1)))
                            .as(series)
                            .isZero());
        }
    }

    /** The metric names of the "Metrics" paragraph of docs/operations.md, without their label lists. */
    private static Set<String> documentedMetrics() throws Exception {
        String operations = Files.readString(Paths.get("docs/operations.md"));
        int start = operations.indexOf("- **Metrics**");
        String paragraph = operations.substring(start, operations.indexOf("\n- **", start + 1));
        Set<String> names = new LinkedHashSet<>();
        Matcher name = Pattern.compile("`(bridge_[a-z_]+)").matcher(paragraph);
        while (name.find()) {
            names.add(name.group(1));
        }
        return names;
    }
}
