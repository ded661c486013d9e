package io.carbridge.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbridge.benchmark.Figures.DatabaseActivity;
import io.carbridge.benchmark.Figures.DeliveringIntake;
import io.carbridge.benchmark.Figures.Drain;
import io.carbridge.benchmark.Figures.EndToEnd;
import io.carbridge.benchmark.Figures.EngineOverhead;
import io.carbridge.benchmark.Figures.KafkaDelivery;
import io.carbridge.benchmark.Figures.LoadFigures;
import io.carbridge.benchmark.Figures.Reference;
import io.carbridge.benchmark.Figures.Setup;
import io.carbridge.benchmark.LoadGenerator.Observer;
import io.carbridge.benchmark.ProcessStats.ThreadCpu;
import io.carbridge.testing.ServiceProcess;
import io.carbridge.testing.TestPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The bridge on one database, one or more instances sharing it, with the sink as its one destination at the default
 * destination settings. In order: warm-up; the sink answers 410 Gone, which pauses the destination, and the intake at
 * saturation leaves a backlog in the outbox; the destination is resumed through the admin API and the backlog drains
 * while the intake takes 1,000 events/s; the intake at saturation while the destination delivers; the trivial GET at
 * saturation (one instance); a low rate, for the delivery engine's CPU per delivery; the fixed rates (intake latency,
 * receipt-to-sink latency at 500/s); duplicates. Between loads the sink catches up with every accepted event, so that
 * one load's backlog does not weigh on the next. On PostgreSQL, the three loads of the intake at saturation and of the
 * drain are each a window of {@link SqlActivity}: what the database did meanwhile.
 *
 * <p>Then, with one instance, the Kafka row: a bridge of its own whose one destination is a topic on the in-process
 * broker ({@link KafkaTopic}), its delivery measured by the same two loads as the sink's ({@link #kafkaDelivery()}).
 *
 * <p>The bridge is this checkout's build, or the baseline's ({@link Build}).
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
    static final List<String> ENGINE_THREADS =
            List.of("dispatch-%s", "delivery-recorder", "outbox-%s", "outbox-recorder");

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration PAUSE_TIMEOUT = Duration.ofSeconds(30);

    /**
     * A build of the bridge: this checkout's ({@code target/smartcar-bridge.jar}, run from the checkout), or another
     * checkout's ({@code benchmark.baseline-jar}: its {@code target/smartcar-bridge.jar} with {@code lib/} beside it,
     * run from that checkout, whose {@code application.properties} and {@code routes/} it reads).
     *
     * @param label {@link #THIS_BUILD} or {@link #BASELINE}
     * @param workingDirectory where it runs from
     */
    record Build(String label, Path jar, Path workingDirectory) {

        static final String THIS_BUILD = "this build";
        static final String BASELINE = "baseline";

        static Build thisBuild() {
            return new Build(
                    THIS_BUILD, ServiceProcess.JAR.toAbsolutePath(), Path.of("").toAbsolutePath());
        }

        /** Another checkout's build; refuses a jar that is not in a built checkout's {@code target/}. */
        static Build baseline(Path jar) {
            Path absolute = jar.toAbsolutePath().normalize();
            Path checkout =
                    absolute.getParent() == null ? null : absolute.getParent().getParent();
            if (!Files.isRegularFile(absolute)
                    || !Files.isDirectory(absolute.resolveSibling("lib"))
                    || checkout == null
                    || !Files.isRegularFile(checkout.resolve("application.properties"))
                    || !Files.isDirectory(checkout.resolve("routes"))) {
                throw new IllegalArgumentException(
                        "benchmark.baseline-jar must be the smartcar-bridge.jar of a built checkout "
                                + "(<checkout>/target/smartcar-bridge.jar with lib/ beside it, application.properties and routes/ in the checkout), not "
                                + jar);
            }
            return new Build(BASELINE, absolute, checkout);
        }

        boolean isBaseline() {
            return label.equals(BASELINE);
        }

        ServiceProcess start(String name, String url, Map<String, String> environment, List<String> settings) {
            return isBaseline()
                    ? ServiceProcess.startJar(jar, workingDirectory, name, url, environment, settings)
                    : ServiceProcess.start(name, url, environment, settings);
        }

        /** The jar, where it runs from, and the checkout's commit (with a mark when the checkout has changes). */
        String describe() {
            return jar + ", run from " + workingDirectory + ", " + commit(workingDirectory);
        }

        private static String commit(Path checkout) {
            try {
                Process log = new ProcessBuilder(
                                "git", "-C", checkout.toString(), "log", "-1", "--format=commit %h (%cs) %s")
                        .redirectErrorStream(true)
                        .start();
                String commit = new String(log.getInputStream().readAllBytes()).trim();
                Process status = new ProcessBuilder(
                                "git", "-C", checkout.toString(), "status", "--porcelain", "--untracked-files=no")
                        .redirectErrorStream(true)
                        .start();
                boolean changed = !new String(status.getInputStream().readAllBytes()).isBlank();
                return log.waitFor() == 0
                        ? commit + (changed && status.waitFor() == 0 ? ", with uncommitted changes" : "")
                        : "commit unknown";
            } catch (IOException e) {
                return "commit unknown";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "commit unknown";
            }
        }
    }

    private final Benchmark.Options options;
    private final BenchmarkDatabase database;
    private final int instances;
    private final Build build;
    private final String adminToken = "benchmark-" + UUID.randomUUID();
    private boolean delivering;
    /** False once a backlog did not drain in time: later loads then run on top of it, and the figures say so. */
    private boolean keepingUp = true;

    BridgeMeasurement(Benchmark.Options options, BenchmarkDatabase database, int instances, Build build) {
        this.options = options;
        this.database = database;
        this.instances = instances;
        this.build = build;
    }

    Setup measure(String name, Reference reference) {
        String url = database.newDatabase("bridge" + instances + (build.isBaseline() ? "_baseline" : ""));
        SqlActivity sql = database.sqlActivity(url);
        Function<KafkaDelivery, Setup> withKafkaRow;
        try (Sink sink = new Sink(TestPorts.freePort()).up();
                ServiceUnderLoad bridge = new ServiceUnderLoad(options, database, url, start(url, sink, ""));
                DashboardRun dashboard = DashboardRun.start(
                        options,
                        database.key()
                                + (instances > 1 ? "-" + instances : "")
                                + (build.isBaseline() ? "-baseline" : ""),
                        name,
                        bridge.services())) {
            SmartcarTraffic traffic = new SmartcarTraffic(
                    "bench-" + database.key() + "-" + instances + "-" + System.currentTimeMillis(), 42);
            bridge.warmUp(traffic);
            delivering = sink.awaitDistinct(1, Duration.ofSeconds(20));
            drain(sink, bridge);

            // first after the warm-up, as the minimal intake's: neither has had more time to compile its path
            Backlog backlog = intakeAtSaturationIntoAPausedOutbox(sink, bridge, traffic, sql);
            Drain drain = backlog.paused()
                    ? drainWhileTakingTargetRate(sink, bridge, traffic, backlog.eventIds(), sql)
                    : Drain.notMeasured("the destination did not pause within " + PAUSE_TIMEOUT.toSeconds()
                            + " s of the sink answering 410 Gone");

            drain(sink, bridge);
            DeliveringIntake deliveringIntake = intakeAtSaturationWhileDelivering(sink, bridge, traffic, sql);

            drain(sink, bridge);
            LoadFigures get = instances > 1
                    ? null
                    : bridge.saturate(
                            "GET " + SmartcarTraffic.CEILING_PATH + " at saturation (the bridge's server)",
                            SmartcarTraffic.ceiling(),
                            Observer.NONE);

            drain(sink, bridge);
            List<Long> pids =
                    bridge.services().stream().map(ServiceProcess::pid).toList();
            ThreadCpu engineBefore = ProcessStats.threadCpuSeconds(pids, engineThreads());
            long deliveriesBefore = sink.deliveries();
            LoadFigures lowLoad = bridge.atRate(
                    Targets.number(options.lowRate()) + " events/s (engine overhead)",
                    options.lowRate(),
                    traffic.events(),
                    Observer.NONE);
            EngineOverhead engine = engineOverhead(sink, bridge, pids, engineBefore, deliveriesBefore);

            List<LoadFigures> fixedRates = new ArrayList<>();
            Histogram receiptToSink = null;
            for (int rate : options.rates()) {
                drain(sink, bridge);
                sink.takeReceiptToSink();
                fixedRates.add(
                        bridge.atRate(Targets.number(rate) + " events/s", rate, traffic.events(), Observer.NONE));
                if (rate == END_TO_END_RATE && drain(sink, bridge)) {
                    receiptToSink = sink.takeReceiptToSink();
                }
            }
            drain(sink, bridge);
            LoadFigures duplicates = bridge.atRate(
                    Targets.number(options.duplicateRate()) + " events/s, 30 % duplicates",
                    options.duplicateRate(),
                    traffic.withDuplicates(DUPLICATE_FRACTION),
                    Observer.NONE);
            drain(sink, bridge);

            EndToEnd endToEnd = endToEnd(sink, bridge, receiptToSink);
            dashboard.render();
            ServiceUnderLoad.Stopped stopped = bridge.stop();
            withKafkaRow = kafka -> new Setup(
                    name,
                    database.label(),
                    instances,
                    build.label(),
                    reference,
                    get,
                    lowLoad,
                    engine,
                    fixedRates,
                    duplicates,
                    backlog.saturation(),
                    backlog.paused(),
                    backlog.database(),
                    drain,
                    kafka,
                    deliveringIntake,
                    endToEnd,
                    stopped.storage(),
                    stopped.peakRssMb());
        }
        // once this bridge, its sink and its dashboard are closed, so that nothing of theirs weighs on the Kafka row
        return withKafkaRow.apply(kafkaDelivery());
    }

    /**
     * The Kafka row, after the HTTP destination's bridge stopped: a bridge of its own on a fresh database, whose one
     * destination is a topic on the in-process broker, warmed up as the first, then its delivery measured by the same
     * two loads as the HTTP destination's: the intake at saturation into the paused outbox, and the drain while the
     * intake takes {@link #TARGET_RATE} events/s. With one instance only: two would double the row's time for a figure
     * the HTTP row already gives for two instances.
     */
    private KafkaDelivery kafkaDelivery() {
        if (!options.kafka()) {
            return KafkaDelivery.skipped("off (benchmark.kafka=false)");
        }
        if (instances > 1) {
            return KafkaDelivery.skipped("– (measured with one instance)");
        }
        String url = database.newDatabase("kafka" + (build.isBaseline() ? "_baseline" : ""));
        SqlActivity sql = database.sqlActivity(url);
        try (KafkaTopic topic = KafkaTopic.start();
                ServiceUnderLoad bridge = new ServiceUnderLoad(options, database, url, start(url, topic, "-kafka"))) {
            SmartcarTraffic traffic =
                    new SmartcarTraffic("kafka-" + database.key() + "-" + System.currentTimeMillis(), 43);
            bridge.warmUp(traffic);
            if (!topic.awaitDistinct(bridge.accepted(), options.drainTimeout())) {
                bridge.stop();
                return KafkaDelivery.notMeasured("the warm-up's events did not all reach the topic within "
                        + options.drainTimeout().toSeconds() + " s");
            }
            Backlog backlog = intakeAtSaturationIntoAPausedOutbox(topic, bridge, traffic, sql);
            Drain drain = backlog.paused()
                    ? drainWhileTakingTargetRate(topic, bridge, traffic, backlog.eventIds(), sql)
                    : Drain.notMeasured("the destination did not pause within " + PAUSE_TIMEOUT.toSeconds()
                            + " s of the admin API's pause");
            bridge.stop();
            return new KafkaDelivery(backlog.saturation(), backlog.paused(), drain, null);
        } catch (RuntimeException e) {
            // costs this row only, the HTTP figures stand: a baseline older than Kafka destinations does not start with
            // one
            return KafkaDelivery.notMeasured("the bridge with a Kafka destination failed: " + e.getMessage());
        }
    }

    /** The intake at saturation, the events it left waiting in the outbox, and what PostgreSQL did meanwhile. */
    private record Backlog(LoadFigures saturation, boolean paused, Set<String> eventIds, DatabaseActivity database) {}

    /**
     * The sink answers 410 Gone to a few events, and the bridge pauses the destination: from then on the outbox rows
     * wait, as the minimal intake's do. Then the intake at saturation. If the destination does not pause, the sink
     * takes deliveries again and the intake is measured delivering meanwhile.
     */
    private Backlog intakeAtSaturationIntoAPausedOutbox(
            BenchmarkDestination destination, ServiceUnderLoad bridge, SmartcarTraffic traffic, SqlActivity sql) {
        Set<String> eventIds = new HashSet<>();
        Observer intoBacklog = (delivery, status) -> {
            if (status == SmartcarTraffic.ACCEPTED) {
                eventIds.add(delivery.eventId());
            }
        };
        Benchmark.phase("the destination " + destination.name() + " pauses");
        destination.pause(
                () -> bridge.send(20, Duration.ofSeconds(1), traffic.events(), intoBacklog),
                () -> onEveryInstance(bridge, destination, "pause"));
        boolean paused;
        try {
            Awaitility.await()
                    .pollInterval(Duration.ofMillis(200))
                    .atMost(PAUSE_TIMEOUT)
                    .until(() -> bridge.services().stream().allMatch(service -> isPaused(service, destination)));
            paused = true;
        } catch (ConditionTimeoutException notPaused) {
            destination.takeDeliveriesAgain();
            paused = false;
        }
        SqlActivity.Window window = sql.start();
        long deliveriesBefore = destination.deliveries();
        LoadFigures saturation = bridge.saturate(
                "intake at saturation" + (paused ? ", destination paused" : ", delivering"),
                traffic.events(),
                intoBacklog);
        DatabaseActivity activity = window == null
                ? null
                : window.stop(
                        saturation.load(),
                        paused,
                        saturation.accepted(),
                        () -> destination.deliveries() - deliveriesBefore);
        return new Backlog(saturation, paused, eventIds, activity);
    }

    /**
     * The intake at saturation while the destination, resumed, delivers to the sink, which answers at once: the intake
     * against the intake at saturation with the destination paused, and the distinct events that first reached the sink
     * per second meanwhile.
     */
    private DeliveringIntake intakeAtSaturationWhileDelivering(
            Sink sink, ServiceUnderLoad bridge, SmartcarTraffic traffic, SqlActivity sql) {
        if (!delivering) {
            return DeliveringIntake.notMeasured("no delivery reached the sink within 20 s of the warm-up");
        }
        if (bridge.services().stream().anyMatch(service -> isPaused(service, sink))) {
            return DeliveringIntake.notMeasured("the destination is paused (it was not resumed)");
        }
        SqlActivity.Window window = sql.start();
        long deliveriesBefore = sink.deliveries();
        long started = System.nanoTime();
        LoadFigures intake = bridge.saturate(
                "intake at saturation, the destination delivering"
                        + (keepingUp ? "" : " (on top of an earlier backlog)"),
                traffic.events(),
                Observer.NONE);
        long ended = System.nanoTime();
        DatabaseActivity activity = window == null
                ? null
                : window.stop(intake.load(), false, intake.accepted(), () -> sink.deliveries() - deliveriesBefore);
        return new DeliveringIntake(
                intake, sink.firstArrivalsBetween(started, ended) / ((ended - started) / 1e9), activity, null);
    }

    /**
     * The instances, one after another (each migrates the schema at start), each with an instance id of its own;
     * {@code nameSuffix} tells their logs from another bridge's of the same setup.
     */
    private List<ServiceProcess> start(String url, BenchmarkDestination destination, String nameSuffix) {
        List<ServiceProcess> services = new ArrayList<>();
        Map<String, String> environment = new HashMap<>(database.environment(url));
        environment.put("ADMIN_TOKEN", adminToken);
        try {
            for (int i = 1; i <= instances; i++) {
                List<String> settings = new ArrayList<>(options.serviceJvmArgs());
                settings.add("-Dcamel.main.routes-include-pattern=" + Benchmark.withCeilingRoute());
                settings.addAll(destination.destinationSettings());
                settings.add("-Dbridge.instance-id=benchmark-" + i);
                settings.addAll(Benchmark.passedOnSettings());
                String name = "benchmark-" + database.key() + "-bridge" + nameSuffix
                        + (build.isBaseline() ? "-baseline" : "") + (instances > 1 ? "-" + i : "");
                ServiceProcess service = build.start(name, url, environment, settings);
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
        return ENGINE_THREADS.stream()
                .map(name -> String.format(name, Sink.NAME))
                .collect(Collectors.toSet());
    }

    /** The engine threads' CPU from before the low-rate load until its deliveries are recorded, per delivery. */
    private EngineOverhead engineOverhead(
            Sink sink, ServiceUnderLoad bridge, List<Long> pids, ThreadCpu before, long deliveriesBefore) {
        if (!drain(sink, bridge)) {
            return EngineOverhead.notMeasured("the low-rate load's deliveries did not all reach the sink");
        }
        sleep(Duration.ofMillis(
                500)); // the outcomes of the last attempts are recorded a few ms after the sink's answer
        ThreadCpu after = ProcessStats.threadCpuSeconds(pids, engineThreads());
        long deliveries = sink.deliveries() - deliveriesBefore;
        if (after.threads().isEmpty()) {
            return EngineOverhead.notMeasured("no thread of the service is named " + String.join(", ", engineThreads())
                    + " (Linux keeps a thread name's first 15 characters)");
        }
        if (!after.threads().equals(before.threads())) {
            return EngineOverhead.notMeasured(
                    "the engine's threads changed during the load: " + before.threads() + ", then " + after.threads());
        }
        if (deliveries == 0) {
            return EngineOverhead.notMeasured("nothing reached the sink");
        }
        double seconds = after.seconds() - before.seconds();
        return new EngineOverhead(seconds * 1000 / deliveries, deliveries, seconds, after.threads(), null);
    }

    private boolean isPaused(ServiceProcess service, BenchmarkDestination destination) {
        for (JsonNode listed :
                service.http().get("/admin/destinations", admin()).json()) {
            if (listed.path("name").asText().equals(destination.name())) {
                return listed.path("paused").asBoolean();
            }
        }
        return false;
    }

    /**
     * Asks every instance to {@code pause} or {@code resume} the destination; the first status other than 200, or 200.
     */
    private int onEveryInstance(ServiceUnderLoad bridge, BenchmarkDestination destination, String action) {
        for (ServiceProcess service : bridge.services()) {
            int status = service.http()
                    .send("POST", "/admin/destinations/" + destination.name() + "/" + action, null, admin())
                    .status();
            if (status != 200) {
                return status;
            }
        }
        return 200;
    }

    /**
     * Resumes the destination on every instance and runs the target rate at once: the delivery rate is the distinct
     * events that first reached the sink from the resume until the whole backlog had arrived, or until the load ended
     * if it had not (the engine then worked on a backlog all along).
     */
    private Drain drainWhileTakingTargetRate(
            BenchmarkDestination destination,
            ServiceUnderLoad bridge,
            SmartcarTraffic traffic,
            Set<String> backlog,
            SqlActivity sql) {
        SqlActivity.Window window = sql.start();
        destination.takeDeliveriesAgain();
        long deliveriesBefore = destination.deliveries();
        long resumedAt = System.nanoTime();
        int status = onEveryInstance(bridge, destination, "resume");
        if (status != 200) {
            if (window != null) {
                window.stop("resume refused", false, 0, () -> 0);
            }
            return Drain.notMeasured("the admin API answered " + status + " to the resume");
        }
        LoadFigures intake = bridge.atRate(
                Targets.number(TARGET_RATE) + " events/s while a backlog of " + Targets.number(backlog.size())
                        + " drains",
                TARGET_RATE,
                traffic.events(),
                Observer.NONE);
        long loadEnded = System.nanoTime();
        DatabaseActivity activity = window == null
                ? null
                : window.stop(
                        intake.load(), false, intake.accepted(), () -> destination.deliveries() - deliveriesBefore);
        OptionalLong cleared = destination.lastFirstArrivalOf(backlog);
        boolean clearedInLoad = cleared.isPresent() && cleared.getAsLong() <= loadEnded;
        long end = clearedInLoad ? cleared.getAsLong() : loadEnded;
        double seconds = (end - resumedAt) / 1e9;
        return new Drain(
                backlog.size(),
                destination.firstArrivalsBetween(resumedAt, end) / seconds,
                seconds,
                clearedInLoad,
                intake,
                activity,
                null);
    }

    private Map<String, String> admin() {
        return Map.of("Authorization", "Bearer " + adminToken);
    }

    private EndToEnd endToEnd(Sink sink, ServiceUnderLoad bridge, Histogram receiptToSink) {
        if (!delivering) {
            return new EndToEnd(
                    null,
                    null,
                    null,
                    END_TO_END_RATE,
                    0,
                    0,
                    "no delivery reached the sink within 20 s of the warm-up: the service forwarded nothing");
        }
        String note = keepingUp
                ? "every accepted event reached the sink"
                : "a backlog did not drain within " + options.drainTimeout().toSeconds()
                        + " s, so later loads ran on top of it and "
                        + "receipt-to-sink latency was not measured; at the end " + sink.distinctEvents() + " of "
                        + bridge.accepted()
                        + " accepted events had reached the sink";
        return new EndToEnd(
                receiptToSink == null ? null : receiptToSink.getValueAtPercentile(50) / 1000.0,
                receiptToSink == null ? null : receiptToSink.getValueAtPercentile(99) / 1000.0,
                receiptToSink == null ? null : receiptToSink.getMaxValue() / 1000.0,
                END_TO_END_RATE,
                sink.distinctEvents(),
                sink.deliveries() - sink.distinctEvents(),
                note);
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
