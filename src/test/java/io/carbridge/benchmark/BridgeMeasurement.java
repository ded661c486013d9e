package io.carbridge.benchmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbridge.benchmark.Figures.Drain;
import io.carbridge.benchmark.Figures.EndToEnd;
import io.carbridge.benchmark.Figures.EngineOverhead;
import io.carbridge.benchmark.Figures.LoadFigures;
import io.carbridge.benchmark.Figures.Reference;
import io.carbridge.benchmark.Figures.Setup;
import io.carbridge.benchmark.LoadGenerator.Observer;
import io.carbridge.benchmark.ProcessStats.ThreadCpu;
import io.carbridge.testing.ServiceProcess;
import io.carbridge.testing.TestPorts;
import org.HdrHistogram.Histogram;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The bridge on one database, one or more instances sharing it, with the sink as its one destination at the default
 * destination settings. In order: warm-up; the sink answers 410 Gone, which pauses the destination, and the intake at
 * saturation leaves a backlog in the outbox; the destination is resumed through the admin API and the backlog drains
 * while the intake takes 1,000 events/s; the trivial GET at saturation (one instance); a low rate, for the delivery
 * engine's CPU per delivery; the fixed rates (intake latency, receipt-to-sink latency at 500/s); duplicates. Between
 * loads the sink catches up with every accepted event, so that one load's backlog does not weigh on the next.
 */
final class BridgeMeasurement {

    /** The rate of the p99 target, and the intake's rate while the backlog drains. */
    static final int TARGET_RATE = 1_000;
    /** The fixed rate at which receipt-to-sink latency is measured. */
    static final int END_TO_END_RATE = 500;
    static final double DUPLICATE_FRACTION = 0.30;
    /**
     * The delivery engine's threads that claim and record, as the bridge names them (dispatcher and recorder) and as
     * the {@code outbox} component will (consumer and recorder); {@code %s} is the destination.
     */
    static final List<String> ENGINE_THREADS = List.of("dispatch-%s", "delivery-recorder", "outbox-%s", "outbox-recorder");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration PAUSE_TIMEOUT = Duration.ofSeconds(30);

    private final Benchmark.Options options;
    private final BenchmarkDatabase database;
    private final int instances;
    private final String adminToken = "benchmark-" + UUID.randomUUID();
    private boolean delivering;
    /** False once a backlog did not drain in time: later loads then run on top of it, and the figures say so. */
    private boolean keepingUp = true;

    BridgeMeasurement(Benchmark.Options options, BenchmarkDatabase database, int instances) {
        this.options = options;
        this.database = database;
        this.instances = instances;
    }

    Setup measure(String name, Reference reference) {
        String url = database.newDatabase("bridge" + instances);
        try (Sink sink = new Sink(TestPorts.freePort()).up();
             ServiceUnderLoad bridge = new ServiceUnderLoad(options, database, url, start(url, sink));
             DashboardRun dashboard = DashboardRun.start(options, database.key() + (instances > 1 ? "-" + instances : ""), name, bridge.services())) {
            SmartcarTraffic traffic = new SmartcarTraffic("bench-" + database.key() + "-" + instances + "-" + System.currentTimeMillis(), 42);
            bridge.warmUp(traffic);
            delivering = sink.awaitDistinct(1, Duration.ofSeconds(20));
            drain(sink, bridge);

            // first after the warm-up, as the minimal intake's: neither has had more time to compile its path
            Backlog backlog = intakeAtSaturationIntoAPausedOutbox(sink, bridge, traffic);
            Drain drain = backlog.paused() ? drainWhileTakingTargetRate(sink, bridge, traffic, backlog.eventIds())
                    : Drain.notMeasured("the destination did not pause within " + PAUSE_TIMEOUT.toSeconds() + " s of the sink answering 410 Gone");

            drain(sink, bridge);
            LoadFigures get = instances > 1 ? null : bridge.saturate("GET " + SmartcarTraffic.CEILING_PATH
                    + " at saturation (the bridge's server)", SmartcarTraffic.ceiling(), Observer.NONE);

            drain(sink, bridge);
            List<Long> pids = bridge.services().stream().map(ServiceProcess::pid).toList();
            ThreadCpu engineBefore = ProcessStats.threadCpuSeconds(pids, engineThreads());
            long deliveriesBefore = sink.deliveries();
            LoadFigures lowLoad = bridge.atRate(Targets.number(options.lowRate()) + " events/s (engine overhead)", options.lowRate(),
                    traffic.events(), Observer.NONE);
            EngineOverhead engine = engineOverhead(sink, bridge, pids, engineBefore, deliveriesBefore);

            List<LoadFigures> fixedRates = new ArrayList<>();
            Histogram receiptToSink = null;
            for (int rate : options.rates()) {
                drain(sink, bridge);
                sink.takeReceiptToSink();
                fixedRates.add(bridge.atRate(Targets.number(rate) + " events/s", rate, traffic.events(), Observer.NONE));
                if (rate == END_TO_END_RATE && drain(sink, bridge)) {
                    receiptToSink = sink.takeReceiptToSink();
                }
            }
            drain(sink, bridge);
            LoadFigures duplicates = bridge.atRate(Targets.number(options.duplicateRate()) + " events/s, 30 % duplicates",
                    options.duplicateRate(), traffic.withDuplicates(DUPLICATE_FRACTION), Observer.NONE);
            drain(sink, bridge);

            EndToEnd endToEnd = endToEnd(sink, bridge, receiptToSink);
            dashboard.render();
            ServiceUnderLoad.Stopped stopped = bridge.stop();
            return new Setup(name, database.label(), instances, reference, get, lowLoad, engine, fixedRates, duplicates,
                    backlog.saturation(), backlog.paused(), drain, endToEnd, stopped.storage(), stopped.peakRssMb());
        }
    }

    /** The intake at saturation, and the events it left waiting in the outbox. */
    private record Backlog(LoadFigures saturation, boolean paused, Set<String> eventIds) {
    }

    /**
     * The sink answers 410 Gone to a few events, and the bridge pauses the destination: from then on the outbox rows
     * wait, as the minimal intake's do. Then the intake at saturation. If the destination does not pause, the sink
     * takes deliveries again and the intake is measured delivering meanwhile.
     */
    private Backlog intakeAtSaturationIntoAPausedOutbox(Sink sink, ServiceUnderLoad bridge, SmartcarTraffic traffic) {
        Set<String> eventIds = new HashSet<>();
        Observer intoBacklog = (delivery, status) -> {
            if (status == SmartcarTraffic.ACCEPTED) {
                eventIds.add(delivery.eventId());
            }
        };
        Benchmark.phase("the sink answers 410 Gone: the destination pauses");
        sink.gone();
        bridge.send(20, Duration.ofSeconds(1), traffic.events(), intoBacklog);
        boolean paused;
        try {
            Awaitility.await().pollInterval(Duration.ofMillis(200)).atMost(PAUSE_TIMEOUT)
                    .until(() -> bridge.services().stream().allMatch(this::isPaused));
            paused = true;
        } catch (ConditionTimeoutException notPaused) {
            sink.back();
            paused = false;
        }
        LoadFigures saturation = bridge.saturate("intake at saturation" + (paused ? ", destination paused" : ", delivering"),
                traffic.events(), intoBacklog);
        return new Backlog(saturation, paused, eventIds);
    }

    /** The instances, one after another (each migrates the schema at start), each with an instance id of its own. */
    private List<ServiceProcess> start(String url, Sink sink) {
        List<ServiceProcess> services = new ArrayList<>();
        Map<String, String> environment = new HashMap<>(database.environment(url));
        environment.put("ADMIN_TOKEN", adminToken);
        try {
            for (int i = 1; i <= instances; i++) {
                List<String> settings = new ArrayList<>(options.serviceJvmArgs());
                settings.add("-Dcamel.main.routes-include-pattern=" + Benchmark.WITH_CEILING_ROUTE);
                settings.addAll(sink.destinationSettings());
                settings.add("-Dbridge.instance-id=benchmark-" + i);
                settings.addAll(Benchmark.passedOnSettings());
                String name = "benchmark-" + database.key() + "-bridge" + (instances > 1 ? "-" + i : "");
                ServiceProcess service = ServiceProcess.start(name, url, environment, settings);
                services.add(service);
                service.awaitReady(START_TIMEOUT);
                Benchmark.started(name, service);
            }
            return services;
        } catch (RuntimeException e) {
            services.forEach(ServiceProcess::close);
            throw e;
        }
    }

    private Set<String> engineThreads() {
        return ENGINE_THREADS.stream().map(name -> String.format(name, Sink.NAME)).collect(Collectors.toSet());
    }

    /** The engine threads' CPU from before the low-rate load until its deliveries are recorded, per delivery. */
    private EngineOverhead engineOverhead(Sink sink, ServiceUnderLoad bridge, List<Long> pids, ThreadCpu before, long deliveriesBefore) {
        if (!drain(sink, bridge)) {
            return EngineOverhead.notMeasured("the low-rate load's deliveries did not all reach the sink");
        }
        sleep(Duration.ofMillis(500)); // the outcomes of the last attempts are recorded a few ms after the sink's answer
        ThreadCpu after = ProcessStats.threadCpuSeconds(pids, engineThreads());
        long deliveries = sink.deliveries() - deliveriesBefore;
        if (after.threads().isEmpty()) {
            return EngineOverhead.notMeasured("no thread of the service is named " + String.join(", ", engineThreads())
                    + " (Linux keeps a thread name's first 15 characters)");
        }
        if (!after.threads().equals(before.threads())) {
            return EngineOverhead.notMeasured("the engine's threads changed during the load: " + before.threads() + ", then " + after.threads());
        }
        if (deliveries == 0) {
            return EngineOverhead.notMeasured("nothing reached the sink");
        }
        double seconds = after.seconds() - before.seconds();
        return new EngineOverhead(seconds * 1000 / deliveries, deliveries, seconds, after.threads(), null);
    }

    private boolean isPaused(ServiceProcess service) {
        for (JsonNode destination : service.http().get("/admin/destinations", admin()).json()) {
            if (destination.path("name").asText().equals(Sink.NAME)) {
                return destination.path("paused").asBoolean();
            }
        }
        return false;
    }

    /**
     * Resumes the destination on every instance and runs the target rate at once: the delivery rate is the distinct
     * events that first reached the sink from the resume until the whole backlog had arrived, or until the load ended
     * if it had not (the engine then worked on a backlog all along).
     */
    private Drain drainWhileTakingTargetRate(Sink sink, ServiceUnderLoad bridge, SmartcarTraffic traffic, Set<String> backlog) {
        sink.back();
        long resumedAt = System.nanoTime();
        for (ServiceProcess service : bridge.services()) {
            int status = service.http().send("POST", "/admin/destinations/" + Sink.NAME + "/resume", null, admin()).status();
            if (status != 200) {
                return Drain.notMeasured("the admin API answered " + status + " to the resume");
            }
        }
        LoadFigures intake = bridge.atRate(Targets.number(TARGET_RATE) + " events/s while a backlog of " + Targets.number(backlog.size()) + " drains",
                TARGET_RATE, traffic.events(), Observer.NONE);
        long loadEnded = System.nanoTime();
        OptionalLong cleared = sink.lastFirstArrivalOf(backlog);
        boolean clearedInLoad = cleared.isPresent() && cleared.getAsLong() <= loadEnded;
        long end = clearedInLoad ? cleared.getAsLong() : loadEnded;
        double seconds = (end - resumedAt) / 1e9;
        return new Drain(backlog.size(), sink.firstArrivalsBetween(resumedAt, end) / seconds, seconds, clearedInLoad, intake, null);
    }

    private Map<String, String> admin() {
        return Map.of("Authorization", "Bearer " + adminToken);
    }

    private EndToEnd endToEnd(Sink sink, ServiceUnderLoad bridge, Histogram receiptToSink) {
        if (!delivering) {
            return new EndToEnd(null, null, null, END_TO_END_RATE, 0, 0,
                    "no delivery reached the sink within 20 s of the warm-up: the service forwarded nothing");
        }
        String note = keepingUp ? "every accepted event reached the sink"
                : "a backlog did not drain within " + options.drainTimeout().toSeconds() + " s, so later loads ran on top of it and "
                + "receipt-to-sink latency was not measured; at the end " + sink.distinctEvents() + " of " + bridge.accepted()
                + " accepted events had reached the sink";
        return new EndToEnd(receiptToSink == null ? null : receiptToSink.getValueAtPercentile(50) / 1000.0,
                receiptToSink == null ? null : receiptToSink.getValueAtPercentile(99) / 1000.0,
                receiptToSink == null ? null : receiptToSink.getMaxValue() / 1000.0, END_TO_END_RATE,
                sink.distinctEvents(), sink.deliveries() - sink.distinctEvents(), note);
    }

    /**
     * Waits until the sink has every event accepted so far; after one wait ran out, the later ones are skipped (returns
     * whether the sink is caught up).
     */
    private boolean drain(Sink sink, ServiceUnderLoad bridge) {
        if (delivering && keepingUp) {
            keepingUp = sink.awaitDistinct(bridge.accepted(), options.drainTimeout());
        }
        return delivering && keepingUp;
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
