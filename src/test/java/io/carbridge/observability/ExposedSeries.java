package io.carbridge.observability;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The metric names and label names of a Prometheus text page (what {@code /observe/metrics} answers), and the names an
 * expression uses that are not among them.
 */
final class ExposedSeries {

    /** What Prometheus records for every scrape itself, whatever the target serves: the series {@code up}. */
    static final Set<String> PROMETHEUS_METRICS = Set.of("up");
    /** The target labels Prometheus adds to every series it scrapes. */
    static final Set<String> PROMETHEUS_LABELS = Set.of("job", "instance");

    private final Set<String> metrics = new LinkedHashSet<>();
    private final Set<String> labels = new LinkedHashSet<>();

    private ExposedSeries() {}

    /** Reads every sample line ({@code name{label="value",...} value}); comments and blank lines are skipped. */
    static ExposedSeries parse(String page) {
        ExposedSeries exposed = new ExposedSeries();
        for (String line : page.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            exposed.metrics.add(line.substring(0, end));
            if (end < line.length() && line.charAt(end) == '{') {
                exposed.readLabels(line, end + 1);
            }
        }
        return exposed;
    }

    Set<String> metrics() {
        return metrics;
    }

    Set<String> labels() {
        return labels;
    }

    /** One line per name {@code names} uses that the page does not have (nor Prometheus adds), prefixed with where. */
    List<String> unknown(String where, PromQlNames.Names names) {
        List<String> problems = new ArrayList<>();
        names.metrics().stream()
                .filter(name -> !metrics.contains(name) && !PROMETHEUS_METRICS.contains(name))
                .forEach(name -> problems.add(where + ": metric " + name));
        names.labels().stream()
                .filter(name -> !labels.contains(name) && !PROMETHEUS_LABELS.contains(name))
                .forEach(name -> problems.add(where + ": label " + name));
        names.unknownFunctions().forEach(name -> problems.add(where + ": function " + name));
        return problems;
    }

    /** {@code name="value",...}: the names; a value may hold an escaped quote, a comma or a brace. */
    private void readLabels(String line, int start) {
        int i = start;
        while (i < line.length() && line.charAt(i) != '}') {
            int equals = line.indexOf('=', i);
            labels.add(line.substring(i, equals).trim());
            i = equals + 2;
            while (line.charAt(i) != '"') {
                i += line.charAt(i) == '\\' ? 2 : 1;
            }
            i++;
            if (line.charAt(i) == ',') {
                i++;
            }
        }
    }
}
