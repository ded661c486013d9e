package io.carbridge.benchmark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.carbridge.benchmark.BenchmarkReport.EndToEnd;
import io.carbridge.benchmark.BenchmarkReport.LoadFigures;
import io.carbridge.benchmark.BenchmarkReport.Results;
import io.carbridge.benchmark.LoadGenerator.Observer;
import io.carbridge.benchmark.LoadGenerator.Result;
import io.carbridge.testing.ServiceProcess;
import io.carbridge.testing.TestPorts;
import org.HdrHistogram.Histogram;

/**
 * The benchmark ({@code mvn -B -Pbenchmark verify}, see the README): starts the packaged service as its own process
 * with a fresh H2 file database and one local sink destination, and measures in one run the ceiling of the HTTP stack,
 * the intake at saturation, intake latency at fixed rates, a load with 30 % duplicates, end-to-end delivery and the
 * service's peak memory. Prints a table and writes {@code results.md}, {@code results.json} and {@code latency.png}.
 * <p>
 * Settings are system properties: {@code benchmark.*} (below) for the run itself; any {@code bridge.*} or
 * {@code camel.*} property is passed on to the service and printed with the figures.
 */
public final class Benchmark {

    /** Adds the trivial ceiling endpoint (test resources only) to the service's own routes. */
    static final String WITH_CEILING_ROUTE = "file:routes/*.camel.yaml,file:src/test/resources/benchmark/ceiling.camel.yaml";
    static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final int SINK_CONCURRENCY = 16;

    private final int phaseSeconds = Integer.getInteger("benchmark.phase-seconds", 20);
    private final int warmupSeconds = Integer.getInteger("benchmark.warmup-seconds", 15);
    private final int concurrency = Integer.getInteger("benchmark.concurrency", 64);
    private final List<Integer> rates = Arrays.stream(System.getProperty("benchmark.rates", "500,1000,2000").split(","))
            .map(String::trim).map(Integer::valueOf).toList();
    private final int duplicateRate = Integer.getInteger("benchmark.duplicate-rate", 1000);
    private final double duplicateFraction = 0.30;
    /** The fixed rate at which receipt-to-sink latency is measured. */
    private final int endToEndRate = 500;
    private final List<String> serviceJvmArgs = Arrays.stream(System.getProperty("benchmark.service-jvm-args", "").split("\\s+"))
            .filter(arg -> !arg.isBlank()).toList();
    private final Duration drainTimeout = Duration.ofSeconds(Integer.getInteger("benchmark.drain-timeout-seconds", 300));
    private final Path output = Path.of(System.getProperty("benchmark.output", "target/benchmark"));

    private long acceptedSoFar;
    private boolean delivering;
    /** False once a backlog did not drain in time: later loads then run on top of it, and the run says so. */
    private boolean keepingUp = true;

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Benchmark benchmark = new Benchmark();
        BenchmarkReport.write(benchmark.run(), benchmark.output);
    }

    Results run() throws Exception {
        Machine machine = Machine.describe();
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        System.out.println("Benchmark on " + machine);
        Files.createDirectories(output); // before the service starts: its JVM options may write there (a JFR recording)
        try (Sink sink = new Sink(TestPorts.freePort()).up()) {
            List<String> settings = new ArrayList<>(serviceJvmArgs);
            settings.add("-Dcamel.main.routes-include-pattern=" + WITH_CEILING_ROUTE);
            settings.addAll(sink.destinationSettings(SINK_CONCURRENCY));
            settings.addAll(passedOnSettings());
            try (ServiceProcess bridge = ServiceProcess.start("benchmark", ServiceProcess.newDatabaseUrl("benchmark"), Map.of(), settings)
                    .awaitReady(START_TIMEOUT);
                 LoadGenerator generator = new LoadGenerator(bridge.httpPort(), concurrency)) {
                SmartcarTraffic traffic = new SmartcarTraffic("bench-" + started.getEpochSecond(), 42);

                phase("warm-up (" + warmupSeconds + " s, not measured)");
                count(generator.saturate(concurrency, Duration.ofSeconds(warmupSeconds), traffic.events(), Observer.NONE));
                generator.saturate(concurrency, Duration.ofSeconds(Math.max(1, warmupSeconds / 3)), SmartcarTraffic.ceiling(), Observer.NONE);
                delivering = sink.awaitDistinct(1, Duration.ofSeconds(20));
                drain(sink);

                phase("ceiling: GET " + SmartcarTraffic.CEILING_PATH + " at saturation");
                LoadFigures ceiling = measure(bridge, "ceiling (trivial endpoint)", 0, concurrency,
                        () -> generator.saturate(concurrency, phaseDuration(), SmartcarTraffic.ceiling(), Observer.NONE));

                phase("intake at saturation: unique signed events");
                long deliveredBefore = sink.distinctEvents();
                long saturationStart = System.nanoTime();
                LoadFigures intake = measure(bridge, "intake at saturation", 0, concurrency,
                        () -> generator.saturate(concurrency, phaseDuration(), traffic.events(), Observer.NONE));
                Double sustained = null;
                if (delivering) {
                    drain(sink);
                    // from the start of the load until the last of its events (or the end of the wait): a backlog that
                    // grows faster than it drains shows here as a low rate
                    sustained = (sink.distinctEvents() - deliveredBefore) / ((sink.lastDeliveryNanos() - saturationStart) / 1e9);
                }

                List<LoadFigures> fixedRates = new ArrayList<>();
                Histogram receiptToSink = null;
                for (int rate : rates) {
                    drain(sink);
                    phase("intake latency at " + rate + " events/s (open loop)");
                    sink.takeReceiptToSink();
                    fixedRates.add(measure(bridge, rate + " events/s", rate, 0,
                            () -> generator.atFixedRate(rate, phaseDuration(), traffic.events(), Observer.NONE)));
                    if (rate == endToEndRate && drain(sink)) {
                        receiptToSink = sink.takeReceiptToSink();
                    }
                }

                drain(sink);
                phase("30 % duplicates at " + duplicateRate + " events/s (open loop)");
                LoadFigures duplicates = measure(bridge, duplicateRate + " events/s, 30 % duplicates", duplicateRate, 0,
                        () -> generator.atFixedRate(duplicateRate, phaseDuration(), traffic.withDuplicates(duplicateFraction), Observer.NONE));
                drain(sink);

                long peakRssKb = ProcessStats.peakResidentKb(bridge.pid());
                EndToEnd endToEnd = endToEnd(sink, sustained, receiptToSink);
                bridge.stop(Duration.ofSeconds(60));
                return new Results(started.toString(), machine, describe(settings), ceiling, intake, fixedRates, duplicates, endToEnd,
                        peakRssKb / 1024, ServiceProcess.MAX_HEAP, Machine.loadAverageNow());
            }
        }
    }

    /** Any {@code bridge.*} or {@code camel.*} system property given to the benchmark, as a setting of the service. */
    static List<String> passedOnSettings() {
        return System.getProperties().stringPropertyNames().stream().sorted()
                .filter(key -> key.startsWith("bridge.") || key.startsWith("camel."))
                .map(key -> "-D" + key + "=" + System.getProperty(key)).toList();
    }

    private Map<String, String> describe(List<String> serviceSettings) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("service", "java -Xmx" + ServiceProcess.MAX_HEAP + " " + String.join(" ", serviceSettings)
                + " -jar target/smartcar-bridge.jar; everything else as in application.properties");
        settings.put("database", "H2 file, fresh, under target/it-data (WRITE_DELAY=0)");
        settings.put("load generator", "same machine, one Vert.x event loop, HTTP/1.1 keep-alive on loopback");
        settings.put("saturation", concurrency + " requests in flight (closed loop), " + phaseSeconds + " s");
        settings.put("fixed rates", rates + " events/s open loop, " + phaseSeconds + " s each, latency from the intended send time");
        settings.put("warm-up", warmupSeconds + " s at saturation before the first measurement");
        settings.put("events", "current-format VEHICLE_STATE (the sample delivery, ~1.2 KB), unique ids, 1,000 vehicles, signed");
        return settings;
    }

    private EndToEnd endToEnd(Sink sink, Double sustained, Histogram receiptToSink) {
        if (!delivering) {
            return EndToEnd.notMeasured(endToEndRate, "no delivery reached the sink within 20 s of the warm-up: the service forwarded nothing");
        }
        long twice = sink.deliveries() - sink.distinctEvents();
        String note = keepingUp ? "every accepted event reached the sink"
                : "a backlog did not drain within " + drainTimeout.toSeconds() + " s, so later loads ran on top of it and "
                + "receipt-to-sink latency was not measured; at the end " + sink.distinctEvents() + " of " + acceptedSoFar
                + " accepted events had reached the sink";
        return new EndToEnd(sustained, receiptToSink == null ? null : receiptToSink.getValueAtPercentile(50) / 1000.0,
                receiptToSink == null ? null : receiptToSink.getValueAtPercentile(99) / 1000.0,
                receiptToSink == null ? null : receiptToSink.getMaxValue() / 1000.0, endToEndRate,
                sink.distinctEvents(), twice, note);
    }

    /**
     * Waits until the sink has every event accepted so far, so that one load's backlog does not weigh on the next; after
     * one wait ran out, the later ones are skipped (returns whether the sink is caught up).
     */
    private boolean drain(Sink sink) {
        if (delivering && keepingUp) {
            keepingUp = sink.awaitDistinct(acceptedSoFar, drainTimeout);
        }
        return keepingUp;
    }

    /** Runs one load, counting the events it got accepted and the CPU both processes used meanwhile. */
    private LoadFigures measure(ServiceProcess bridge, String name, int offeredPerSecond, int inFlight, Supplier<Result> load) {
        double serviceCpu = ProcessStats.cpuSeconds(bridge.pid());
        double benchmarkCpu = ProcessStats.cpuSecondsOfThisProcess();
        Result result = count(load.get());
        return LoadFigures.of(name, offeredPerSecond, inFlight, result,
                ProcessStats.cpuSeconds(bridge.pid()) - serviceCpu, ProcessStats.cpuSecondsOfThisProcess() - benchmarkCpu);
    }

    private Result count(Result result) {
        acceptedSoFar += result.answered(SmartcarTraffic.ACCEPTED);
        return result;
    }

    private Duration phaseDuration() {
        return Duration.ofSeconds(phaseSeconds);
    }

    private static void phase(String name) {
        System.out.println("[" + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "] " + name + ", load average " + Machine.loadAverageNow());
    }
}
