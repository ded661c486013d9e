package io.carbridge.benchmark;

import static io.carbridge.benchmark.Targets.decimal;
import static io.carbridge.benchmark.Targets.megabytes;
import static io.carbridge.benchmark.Targets.number;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.carbridge.benchmark.Figures.EndToEnd;
import io.carbridge.benchmark.Figures.LoadFigures;
import io.carbridge.benchmark.Figures.Run;
import io.carbridge.benchmark.Figures.Setup;
import io.carbridge.benchmark.Targets.Target;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The benchmark's report: the targets table of the median over the runs (when there are several), then each run's
 * targets and loads; printed, and written to {@code results.md}, {@code results.json} and {@code latency.png}.
 */
final class BenchmarkReport {

    /** One color per setup: its p50 dashed, its p99 solid. */
    private static final Color[] SETUP_COLORS = {new Color(0x1F77B4), new Color(0xD62728), new Color(0x2CA02C), new Color(0x9467BD)};

    private BenchmarkReport() {
    }

    /** Every run, with the machine and the settings they ran with. */
    record Report(Machine machine, Map<String, String> settings, List<Run> runs) {

        /** Setup names in the order they ran. */
        List<String> setupNames() {
            return runs.get(0).setups().stream().map(Setup::name).toList();
        }

        /** One setup's targets in every run. */
        List<List<Target>> targets(String setup) {
            return runs.stream().map(run -> run.setups().stream().filter(s -> s.name().equals(setup)).findFirst().orElseThrow())
                    .map(Targets::of).toList();
        }

        Map<String, List<Target>> medianTargets() {
            Map<String, List<Target>> median = new LinkedHashMap<>();
            setupNames().forEach(setup -> median.put(setup, Targets.median(targets(setup))));
            return median;
        }
    }

    static void write(Report report, Path directory) throws IOException {
        Files.createDirectories(directory);
        String markdown = markdown(report);
        System.out.println();
        System.out.println(markdown);
        Files.writeString(directory.resolve("results.md"), markdown);
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("machine", report.machine());
        document.put("settings", report.settings());
        document.put("medianTargets", report.medianTargets());
        List<Map<String, Object>> runs = new ArrayList<>();
        for (Run run : report.runs()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("run", run);
            Map<String, List<Target>> targets = new LinkedHashMap<>();
            run.setups().forEach(setup -> targets.put(setup.name(), Targets.of(setup)));
            entry.put("targets", targets);
            runs.add(entry);
        }
        document.put("runs", runs);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(directory.resolve("results.json").toFile(), document);
        chart(report, directory.resolve("latency.png"));
        System.out.println("Written: " + directory.resolve("results.md") + ", results.json, latency.png");
    }

    static String markdown(Report report) {
        StringBuilder md = new StringBuilder();
        List<Run> runs = report.runs();
        md.append("# Benchmark, ").append(runs.size()).append(runs.size() == 1 ? " run" : " runs").append(" from ")
                .append(runs.get(0).started()).append("\n\nMachine: ").append(report.machine()).append(".\n\n");
        if (runs.size() > 1) {
            md.append("## Targets, median of ").append(runs.size()).append(" runs\n\n");
            md.append("Load average at the start of each run: ")
                    .append(runs.stream().map(Run::loadAverageAtStart).collect(Collectors.joining("; "))).append(".\n\n");
            targetsTable(md, report.medianTargets());
            md.append("\n## Loads, median of ").append(runs.size()).append(" runs\n\n");
            loadsTable(md, medianLoads(runs), false);
        }
        for (Run run : runs) {
            md.append("\n## Run ").append(run.number()).append(", ").append(run.started()).append(", load average ")
                    .append(run.loadAverageAtStart()).append(" at the start, ").append(run.loadAverageAtEnd()).append(" at the end\n\n");
            Map<String, List<Target>> targets = new LinkedHashMap<>();
            run.setups().forEach(setup -> targets.put(setup.name(), Targets.of(setup)));
            targetsTable(md, targets);
            md.append("\n");
            loadsTable(md, loads(run), true);
            for (Setup setup : run.setups()) {
                details(md, setup);
            }
        }
        md.append("\n## Settings\n\n");
        report.settings().forEach((key, value) -> md.append("- ").append(key).append(": ").append(value).append("\n"));
        return md.toString();
    }

    private static void targetsTable(StringBuilder md, Map<String, List<Target>> targets) {
        md.append("| Measure | Target |");
        targets.keySet().forEach(setup -> md.append(" ").append(setup).append(" | Met |"));
        md.append("\n|---|---|").append("---|---|".repeat(targets.size())).append("\n");
        List<List<Target>> columns = new ArrayList<>(targets.values());
        for (int row = 0; row < columns.get(0).size(); row++) {
            Target first = columns.get(0).get(row);
            md.append("| ").append(first.measure()).append(" | ").append(first.goal()).append(" |");
            for (List<Target> column : columns) {
                Target target = column.get(row);
                md.append(" ").append(target.figure()).append(" | ")
                        .append(target.met() == null ? "–" : target.met() ? "yes" : "**no**").append(" |");
            }
            md.append("\n");
        }
    }

    /** A load of one service on one database, for the loads table. */
    private record Row(String database, String service, LoadFigures load) {
    }

    /** Every load of a run in the order they ran: per database, the minimal intake's first, then the bridge's. */
    private static List<Row> loads(Run run) {
        List<Row> rows = new ArrayList<>();
        String database = null;
        for (Setup setup : run.setups()) {
            if (!setup.database().equals(database)) {
                database = setup.database();
                for (LoadFigures load : List.of(setup.reference().saturation(), setup.reference().get(), setup.reference().atTargetRate())) {
                    rows.add(new Row(database, "minimal intake", load));
                }
            }
            String service = setup.instances() == 1 ? "bridge" : "bridge, " + setup.instances() + " instances";
            List<LoadFigures> loads = new ArrayList<>();
            loads.add(setup.saturation());
            if (setup.drain().intake() != null) {
                loads.add(setup.drain().intake());
            }
            if (setup.get() != null) {
                loads.add(setup.get());
            }
            loads.add(setup.lowLoad());
            loads.addAll(setup.fixedRates());
            loads.add(setup.duplicates());
            loads.forEach(load -> rows.add(new Row(setup.database(), service, load)));
        }
        return rows;
    }

    /** Each row's numbers as the median over the runs (rows matched by database, service and load). */
    private static List<Row> medianLoads(List<Run> runs) {
        List<Row> median = new ArrayList<>();
        for (Row row : loads(runs.get(0))) {
            List<LoadFigures> each = runs.stream().flatMap(run -> loads(run).stream())
                    .filter(other -> other.database().equals(row.database()) && other.service().equals(row.service())
                            && sameLoad(other.load(), row.load()))
                    .map(Row::load).toList();
            LoadFigures first = row.load();
            Double databaseCores = first.databaseCores() == null ? null : median(each, LoadFigures::databaseCores);
            median.add(new Row(row.database(), row.service(), new LoadFigures(first.load(), first.offeredPerSecond(), first.concurrency(),
                    0, 0, 0, Map.of(), median(each, LoadFigures::achievedPerSecond), median(each, LoadFigures::p50Ms),
                    median(each, LoadFigures::p99Ms), median(each, LoadFigures::p999Ms), median(each, LoadFigures::maxMs),
                    median(each, LoadFigures::serviceCores), databaseCores, median(each, LoadFigures::benchmarkCores))));
        }
        return median;
    }

    /** The drain's load names its backlog, which differs between runs. */
    private static boolean sameLoad(LoadFigures one, LoadFigures other) {
        return one.load().replaceAll("[0-9,]+ drains$", "").equals(other.load().replaceAll("[0-9,]+ drains$", ""));
    }

    private static double median(List<LoadFigures> loads, ToDoubleFunction<LoadFigures> figure) {
        double[] values = loads.stream().mapToDouble(figure).sorted().toArray();
        return values.length % 2 == 1 ? values[values.length / 2] : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
    }

    private static void loadsTable(StringBuilder md, List<Row> rows, boolean counts) {
        md.append("| Database | Service | Load | Offered |").append(counts ? " Sent | 2xx | Other answers | No answer |" : "")
                .append(" Achieved/s | p50 ms | p99 ms | p99.9 ms | max ms | Service cores | Service CPU µs/request | Database cores "
                        + "| Generator+sink cores |\n|---|---|---|---|").append(counts ? "---|---|---|---|" : "")
                .append("---|---|---|---|---|---|---|---|---|\n");
        for (Row row : rows) {
            LoadFigures load = row.load();
            md.append("| ").append(row.database()).append(" | ").append(row.service()).append(" | ").append(load.load())
                    .append(" | ").append(load.concurrency() > 0 ? load.concurrency() + " in flight" : number(load.offeredPerSecond()) + "/s");
            if (counts) {
                md.append(" | ").append(load.sent()).append(" | ").append(load.successes()).append(" | ").append(otherAnswers(load.statuses()))
                        .append(" | ").append(load.failed());
            }
            md.append(" | ").append(number(load.achievedPerSecond()))
                    .append(" | ").append(decimal(load.p50Ms()))
                    .append(" | ").append(decimal(load.p99Ms()))
                    .append(" | ").append(decimal(load.p999Ms()))
                    .append(" | ").append(decimal(load.maxMs()))
                    .append(" | ").append(decimal(load.serviceCores()))
                    .append(" | ").append(number(load.serviceCpuMicrosPerRequest()))
                    .append(" | ").append(load.databaseCores() == null ? "in the service" : decimal(load.databaseCores()))
                    .append(" | ").append(decimal(load.benchmarkCores()))
                    .append(" |\n");
        }
    }

    private static void details(StringBuilder md, Setup setup) {
        md.append("\n").append(setup.name()).append(": ");
        EndToEnd e2e = setup.endToEnd();
        md.append("receipt to sink at ").append(e2e.atRate()).append(" events/s ")
                .append(e2e.receiptToSinkP99Ms() == null ? "not measured" : "p50 " + decimal(e2e.receiptToSinkP50Ms()) + " ms, p99 "
                        + decimal(e2e.receiptToSinkP99Ms()) + " ms, max " + decimal(e2e.receiptToSinkMaxMs()) + " ms")
                .append("; ").append(number(e2e.delivered())).append(" events delivered, ").append(number(e2e.deliveredTwice()))
                .append(" deliveries of an event the sink already had; ").append(e2e.note()).append(". ")
                .append(setup.storage().kind()).append(" at the end ").append(megabytes(setup.storage().onDiskBytes()))
                .append(" for ").append(megabytes(setup.storage().totalDataBytes())).append(" of data (")
                .append(setup.storage().dataBytes().entrySet().stream().filter(table -> table.getValue() > 0)
                        .map(table -> table.getKey() + " " + megabytes(table.getValue())).collect(Collectors.joining(", ")))
                .append(").\n");
    }

    /** Intake latency against offered load: p50 and p99 of the bridge on each setup, the median over the runs. */
    private static void chart(Report report, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(560)
                .title("Intake latency to the 2xx against offered load (" + report.runs().get(0).started() + ")")
                .xAxisTitle("offered load, events/s (open loop)").yAxisTitle("latency, ms (log scale)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        double[] offered = null;
        int series = 0;
        for (String setup : report.setupNames()) {
            List<List<LoadFigures>> byRate = new ArrayList<>();
            List<Setup> each = report.runs().stream()
                    .map(run -> run.setups().stream().filter(s -> s.name().equals(setup)).findFirst().orElseThrow()).toList();
            for (int i = 0; i < each.get(0).fixedRates().size(); i++) {
                int index = i;
                byRate.add(each.stream().map(s -> s.fixedRates().get(index)).toList());
            }
            offered = byRate.stream().mapToDouble(loads -> loads.get(0).offeredPerSecond()).toArray();
            Color color = SETUP_COLORS[series++ % SETUP_COLORS.length];
            XYSeries p50 = chart.addSeries(setup + ", p50", offered,
                    byRate.stream().mapToDouble(loads -> Math.max(0.01, median(loads, LoadFigures::p50Ms))).toArray());
            p50.setMarker(SeriesMarkers.CIRCLE).setLineStyle(SeriesLines.DASH_DASH).setLineColor(color);
            p50.setMarkerColor(color);
            XYSeries p99 = chart.addSeries(setup + ", p99", offered,
                    byRate.stream().mapToDouble(loads -> Math.max(0.01, median(loads, LoadFigures::p99Ms))).toArray());
            p99.setMarker(SeriesMarkers.DIAMOND).setLineColor(color);
            p99.setMarkerColor(color);
        }
        if (offered != null && offered.length > 0) {
            chart.addSeries("p99 target at " + number(BridgeMeasurement.TARGET_RATE) + " events/s", new double[] {offered[0], offered[offered.length - 1]},
                    new double[] {Targets.MAX_P99_MS, Targets.MAX_P99_MS}).setMarker(SeriesMarkers.NONE).setLineColor(Color.GRAY);
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static String otherAnswers(Map<Integer, Long> statuses) {
        List<String> others = statuses.entrySet().stream().filter(e -> e.getKey() / 100 != 2)
                .map(e -> e.getValue() + " x " + e.getKey()).toList();
        return others.isEmpty() ? "0" : String.join(", ", others);
    }
}
