package io.carbridge.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** A benchmark run's figures: the table printed, {@code results.md}, {@code results.json} and {@code latency.png}. */
final class BenchmarkReport {

    static final double MIN_INTAKE_PER_SECOND = 5_000;
    static final double MIN_RATIO_TO_CEILING = 0.30;
    static final int P99_TARGET_RATE = 1_000;
    static final double MAX_P99_MS = 20;
    static final double MIN_END_TO_END_PER_SECOND = 2_000;
    static final double MAX_RECEIPT_TO_SINK_P99_MS = 500;
    static final String HEAP_TARGET = "256m";

    private BenchmarkReport() {
    }

    /**
     * One load: what was offered, what came back, the latency to the answer (ms), and the cores each process used on
     * average during it (the benchmark process holds the load generator and the sink).
     */
    record LoadFigures(String load, int offeredPerSecond, int concurrency, long sent, long successes, long failed,
                       Map<Integer, Long> statuses, double achievedPerSecond, double p50Ms, double p99Ms, double p999Ms,
                       double maxMs, double serviceCores, double benchmarkCores) {

        static LoadFigures of(String load, int offeredPerSecond, int concurrency, LoadGenerator.Result result,
                              double serviceCpuSeconds, double benchmarkCpuSeconds) {
            double seconds = result.elapsed().toNanos() / 1e9;
            return new LoadFigures(load, offeredPerSecond, concurrency, result.sent(), result.successes(), result.failed(),
                    result.statuses(), result.successesPerSecond(), result.millis(50), result.millis(99), result.millis(99.9),
                    result.maxMillis(), serviceCpuSeconds / seconds, benchmarkCpuSeconds / seconds);
        }

        /** Service CPU per answered request, in microseconds. */
        double serviceCpuMicrosPerRequest() {
            return serviceCores * 1e6 / achievedPerSecond;
        }
    }

    /**
     * Delivery to the sink.
     *
     * @param sustainedPerSecond  distinct events that reached the sink per second, from the start of the intake
     *                            saturation load until the last of its events arrived
     * @param receiptToSinkP50Ms  from the bridge's receipt to the sink's answer, at {@code atRate} events/s
     * @param deliveredTwice      deliveries of an event the sink already had (at-least-once delivery)
     */
    record EndToEnd(Double sustainedPerSecond, Double receiptToSinkP50Ms, Double receiptToSinkP99Ms, Double receiptToSinkMaxMs,
                    int atRate, long delivered, long deliveredTwice, String note) {

        static EndToEnd notMeasured(int atRate, String why) {
            return new EndToEnd(null, null, null, null, atRate, 0, 0, why);
        }
    }

    record Target(String measure, String target, String measured, boolean met) {
    }

    record Results(String date, Machine machine, Map<String, String> settings, LoadFigures ceiling, LoadFigures intakeSaturation,
                   List<LoadFigures> fixedRates, LoadFigures duplicates, EndToEnd endToEnd, long peakRssMb, String heapLimit,
                   String loadAverageAtEnd) {

        double ratioToCeiling() {
            return intakeSaturation.achievedPerSecond() / ceiling.achievedPerSecond();
        }

        List<Target> targets() {
            List<Target> targets = new ArrayList<>();
            double intake = intakeSaturation.achievedPerSecond();
            targets.add(new Target("intake at saturation", ">= " + number(MIN_INTAKE_PER_SECOND) + " events/s",
                    number(intake) + " events/s", intake >= MIN_INTAKE_PER_SECOND));
            targets.add(new Target("intake / ceiling", ">= " + MIN_RATIO_TO_CEILING, decimal(ratioToCeiling()) + " (ceiling "
                    + number(ceiling.achievedPerSecond()) + " req/s)", ratioToCeiling() >= MIN_RATIO_TO_CEILING));
            fixedRates.stream().filter(load -> load.offeredPerSecond() == P99_TARGET_RATE).findFirst().ifPresent(load ->
                    targets.add(new Target("p99 to the 2xx at " + number(P99_TARGET_RATE) + " events/s", "<= " + number(MAX_P99_MS) + " ms",
                            decimal(load.p99Ms()) + " ms", load.p99Ms() <= MAX_P99_MS && load.successes() == load.sent())));
            Double sustained = endToEnd.sustainedPerSecond();
            targets.add(new Target("delivered end to end", ">= " + number(MIN_END_TO_END_PER_SECOND) + " events/s",
                    sustained == null ? "not measured" : number(sustained) + " events/s",
                    sustained != null && sustained >= MIN_END_TO_END_PER_SECOND));
            Double p99 = endToEnd.receiptToSinkP99Ms();
            targets.add(new Target("p99 receipt to sink at " + endToEnd.atRate() + " events/s", "<= " + number(MAX_RECEIPT_TO_SINK_P99_MS) + " ms",
                    p99 == null ? "not measured" : decimal(p99) + " ms", p99 != null && p99 <= MAX_RECEIPT_TO_SINK_P99_MS));
            targets.add(new Target("heap limit (peak RSS " + peakRssMb + " MB)", "-Xmx" + HEAP_TARGET, "-Xmx" + heapLimit,
                    HEAP_TARGET.equals(heapLimit)));
            return targets;
        }
    }

    static void write(Results results, Path directory) throws IOException {
        Files.createDirectories(directory);
        String markdown = markdown(results);
        System.out.println();
        System.out.println(markdown);
        Files.writeString(directory.resolve("results.md"), markdown);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Map<String, Object> document = new java.util.LinkedHashMap<>(json.convertValue(results, Map.class));
        document.put("ratioToCeiling", results.ratioToCeiling());
        document.put("targets", results.targets());
        json.writeValue(directory.resolve("results.json").toFile(), document);
        chart(results, directory.resolve("latency.png"));
        System.out.println("Written: " + directory.resolve("results.md") + ", results.json, latency.png");
    }

    static String markdown(Results results) {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmark run ").append(results.date()).append("\n\n");
        md.append("One run, not a guarantee. Machine: ").append(results.machine()).append("; load average at the end ")
                .append(results.loadAverageAtEnd()).append(".\n\n");
        md.append("| Measure | Target | Measured | Met |\n|---|---|---|---|\n");
        results.targets().forEach(t -> md.append("| ").append(t.measure()).append(" | ").append(t.target()).append(" | ")
                .append(t.measured()).append(" | ").append(t.met() ? "yes" : "**no**").append(" |\n"));
        md.append("\n| Load | Offered | Sent | 2xx | Other answers | No answer | Achieved/s | p50 ms | p99 ms | p99.9 ms | max ms "
                        + "| Service cores | Service CPU µs/request | Generator+sink cores |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        List<LoadFigures> loads = new ArrayList<>();
        loads.add(results.ceiling());
        loads.add(results.intakeSaturation());
        loads.addAll(results.fixedRates());
        loads.add(results.duplicates());
        for (LoadFigures load : loads) {
            md.append("| ").append(load.load())
                    .append(" | ").append(load.concurrency() > 0 ? load.concurrency() + " in flight" : number(load.offeredPerSecond()) + "/s")
                    .append(" | ").append(load.sent())
                    .append(" | ").append(load.successes())
                    .append(" | ").append(otherAnswers(load.statuses()))
                    .append(" | ").append(load.failed())
                    .append(" | ").append(number(load.achievedPerSecond()))
                    .append(" | ").append(decimal(load.p50Ms()))
                    .append(" | ").append(decimal(load.p99Ms()))
                    .append(" | ").append(decimal(load.p999Ms()))
                    .append(" | ").append(decimal(load.maxMs()))
                    .append(" | ").append(decimal(load.serviceCores()))
                    .append(" | ").append(number(load.serviceCpuMicrosPerRequest()))
                    .append(" | ").append(decimal(load.benchmarkCores()))
                    .append(" |\n");
        }
        EndToEnd e2e = results.endToEnd();
        md.append("\nEnd to end: ");
        if (e2e.sustainedPerSecond() == null && e2e.receiptToSinkP99Ms() == null) {
            md.append(e2e.note()).append(".\n");
        } else {
            md.append(e2e.sustainedPerSecond() == null ? "sustained rate not measured" : number(e2e.sustainedPerSecond()) + " events/s sustained to the sink")
                    .append("; receipt to sink at ").append(e2e.atRate()).append(" events/s: ")
                    .append(e2e.receiptToSinkP99Ms() == null ? "not measured" : "p50 " + decimal(e2e.receiptToSinkP50Ms()) + " ms, p99 "
                            + decimal(e2e.receiptToSinkP99Ms()) + " ms, max " + decimal(e2e.receiptToSinkMaxMs()) + " ms")
                    .append("; ").append(e2e.delivered()).append(" events delivered, ").append(e2e.deliveredTwice())
                    .append(" deliveries of an event the sink already had; ").append(e2e.note()).append(".\n");
        }
        md.append("\nMemory: peak resident size (VmHWM) of the service ").append(results.peakRssMb()).append(" MB under -Xmx")
                .append(results.heapLimit()).append(".\n\nSettings:\n\n");
        results.settings().forEach((key, value) -> md.append("- ").append(key).append(": ").append(value).append("\n"));
        return md.toString();
    }

    private static void chart(Results results, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(560)
                .title("Intake latency to the 2xx against offered load (" + results.date() + ")")
                .xAxisTitle("offered load, events/s (open loop)").yAxisTitle("latency, ms (log scale)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        List<LoadFigures> loads = results.fixedRates();
        double[] offered = loads.stream().mapToDouble(LoadFigures::offeredPerSecond).toArray();
        chart.addSeries("p50", offered, loads.stream().mapToDouble(l -> Math.max(0.01, l.p50Ms())).toArray()).setMarker(SeriesMarkers.CIRCLE);
        chart.addSeries("p99", offered, loads.stream().mapToDouble(l -> Math.max(0.01, l.p99Ms())).toArray()).setMarker(SeriesMarkers.DIAMOND);
        chart.addSeries("p99.9", offered, loads.stream().mapToDouble(l -> Math.max(0.01, l.p999Ms())).toArray()).setMarker(SeriesMarkers.SQUARE);
        chart.addSeries("max", offered, loads.stream().mapToDouble(l -> Math.max(0.01, l.maxMs())).toArray()).setMarker(SeriesMarkers.TRIANGLE_UP);
        chart.addSeries("p99 target at 1,000/s", new double[] {offered[0], offered[offered.length - 1]},
                new double[] {MAX_P99_MS, MAX_P99_MS}).setMarker(SeriesMarkers.NONE);
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static String otherAnswers(Map<Integer, Long> statuses) {
        List<String> others = statuses.entrySet().stream().filter(e -> e.getKey() / 100 != 2)
                .map(e -> e.getValue() + " x " + e.getKey()).toList();
        return others.isEmpty() ? "0" : String.join(", ", others);
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, "%,.0f", value);
    }

    private static String decimal(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
