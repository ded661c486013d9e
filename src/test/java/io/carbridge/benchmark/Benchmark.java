package io.carbridge.benchmark;

import io.carbridge.benchmark.BridgeMeasurement.Build;
import io.carbridge.benchmark.Figures.DatabaseActivity;
import io.carbridge.benchmark.Figures.LoadFigures;
import io.carbridge.benchmark.Figures.Reference;
import io.carbridge.benchmark.Figures.Run;
import io.carbridge.benchmark.Figures.Setup;
import io.carbridge.benchmark.LoadGenerator.Observer;
import io.carbridge.testing.PostgresServer;
import io.carbridge.testing.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The benchmark ({@code mvn -B -Pbenchmark verify}, see docs/performance.md): on H2 and on PostgreSQL, each in a fresh
 * database, the minimal durable intake ({@link MinimalIntake}) and then the bridge, both as processes of their own
 * under {@code -Xmx256m}; on PostgreSQL also two instances of the bridge sharing the database. Every ratio of issue
 * 23's targets is taken between figures of the same run. Each setup with one instance also measures delivery to a Kafka
 * topic on a broker in this JVM (issue 21's Kafka row; {@code benchmark.kafka=false} turns it off). With
 * {@code benchmark.baseline-jar}, each bridge setup is measured again with the baseline's build, on a fresh database,
 * right after this build in odd runs and right before it in even ones. {@code benchmark.runs} repeats the whole
 * measurement; the report gives each run with the load average at its start, and the median of each figure. Prints the
 * tables and writes {@code results.md}, {@code results.json} and {@code latency.png}.
 *
 * <p>Settings are system properties: {@code benchmark.*} ({@link Options}) for the run itself; any {@code bridge.*} or
 * {@code camel.*} property is passed on to the bridge and printed with the figures.
 */
public final class Benchmark {

    /** The trivial GET (test resources only): the same route on the bridge's server and on the minimal intake's. */
    static final String CEILING_ROUTE = "file:src/test/resources/benchmark/ceiling.camel.yaml";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    /**
     * The run's settings ({@code -Dbenchmark.*}).
     *
     * @param runs how many times the whole measurement runs ({@code benchmark.runs}, 1)
     * @param databases {@code h2}, {@code postgresql} or both ({@code benchmark.db}: h2, postgresql or both, the
     *     default)
     * @param phaseSeconds each measured load ({@code benchmark.phase-seconds}, 20)
     * @param warmupSeconds at saturation before each service's first measured load ({@code benchmark.warmup-seconds},
     *     15)
     * @param concurrency requests in flight at saturation ({@code benchmark.concurrency}, 64)
     * @param rates the fixed rates, events/s ({@code benchmark.rates}, 500,1000,2000)
     * @param duplicateRate the rate of the load with 30 % duplicates ({@code benchmark.duplicate-rate}, 1000)
     * @param lowRate the low rate at which the delivery engine's CPU per delivery is taken ({@code benchmark.low-rate},
     *     100)
     * @param serviceJvmArgs extra JVM options of the bridge's processes ({@code benchmark.service-jvm-args})
     * @param drainTimeout the longest wait for the sink to catch up between loads
     *     ({@code benchmark.drain-timeout-seconds}, 300)
     * @param output where the report goes ({@code benchmark.output}, target/benchmark)
     * @param baseline the build each bridge setup is measured with again, next to this build
     *     ({@code benchmark.baseline-jar}, a {@code smartcar-bridge.jar} of another checkout); null for none
     * @param dashboard whether each bridge setup is also watched through the Grafana dashboard
     *     ({@code benchmark.dashboard}, false; {@link DashboardRun})
     * @param kafka whether each setup with one instance also measures delivery to a Kafka topic on the in-process
     *     broker, in a bridge of its own ({@code benchmark.kafka}, true; {@link KafkaTopic})
     */
    record Options(
            int runs,
            List<String> databases,
            int phaseSeconds,
            int warmupSeconds,
            int concurrency,
            List<Integer> rates,
            int duplicateRate,
            int lowRate,
            List<String> serviceJvmArgs,
            Duration drainTimeout,
            Path output,
            Build baseline,
            boolean dashboard,
            boolean kafka) {

        static Options fromSystemProperties() {
            String db = System.getProperty("benchmark.db", "both").trim().toLowerCase();
            List<String> databases =
                    switch (db) {
                        case "both" -> List.of("h2", "postgresql");
                        case "h2", "postgresql" -> List.of(db);
                        default ->
                            throw new IllegalArgumentException("benchmark.db is h2, postgresql or both, not " + db);
                    };
            int runs = Integer.getInteger("benchmark.runs", 1);
            if (runs < 1) {
                throw new IllegalArgumentException("benchmark.runs is at least 1, not " + runs);
            }
            return new Options(
                    runs,
                    databases,
                    Integer.getInteger("benchmark.phase-seconds", 20),
                    Integer.getInteger("benchmark.warmup-seconds", 15),
                    Integer.getInteger("benchmark.concurrency", 64),
                    Arrays.stream(System.getProperty("benchmark.rates", "500,1000,2000")
                                    .split(","))
                            .map(String::trim)
                            .map(Integer::valueOf)
                            .toList(),
                    Integer.getInteger("benchmark.duplicate-rate", 1000),
                    Integer.getInteger("benchmark.low-rate", 100),
                    Arrays.stream(System.getProperty("benchmark.service-jvm-args", "")
                                    .split("\\s+"))
                            .filter(arg -> !arg.isBlank())
                            .toList(),
                    Duration.ofSeconds(Integer.getInteger("benchmark.drain-timeout-seconds", 300)),
                    Path.of(System.getProperty("benchmark.output", "target/benchmark")),
                    System.getProperty("benchmark.baseline-jar", "").isBlank()
                            ? null
                            : Build.baseline(Path.of(
                                    System.getProperty("benchmark.baseline-jar").trim())),
                    Boolean.getBoolean(DashboardRun.OPTION),
                    Boolean.parseBoolean(System.getProperty("benchmark.kafka", "true")));
        }

        /** This build, then the baseline's if there is one: the order of the report's columns. */
        List<Build> builds() {
            return baseline == null ? List.of(Build.thisBuild()) : List.of(Build.thisBuild(), baseline);
        }

        /**
         * The order the builds are measured in: this build first in odd runs, the baseline first in even ones, so that
         * with an even number of runs the median weighs both orders alike. The machine changes from one measurement to
         * the next (the same delivery code drained 1,179 to 1,954 events/s in one day's side by sides, first or
         * second), and a build always measured first or always second would carry whatever the order adds.
         */
        List<Build> measuringOrder(int run) {
            List<Build> order = new ArrayList<>(builds());
            if (run % 2 == 0) {
                Collections.reverse(order);
            }
            return order;
        }

        Duration phase() {
            return Duration.ofSeconds(phaseSeconds);
        }
    }

    private final Options options;
    private final Map<String, String> databaseDescriptions = new LinkedHashMap<>();

    private Benchmark(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Benchmark benchmark = new Benchmark(Options.fromSystemProperties());
        if (benchmark.options.dashboard()) {
            DashboardRun.requireTools();
        }
        Machine machine = Machine.describe();
        System.out.println("Benchmark on " + machine);
        // before any service starts: its JVM options may write there (a JFR recording)
        Files.createDirectories(benchmark.options.output());
        List<Run> runs = new ArrayList<>();
        for (int number = 1; number <= benchmark.options.runs(); number++) {
            runs.add(benchmark.run(number));
        }
        BenchmarkReport.write(
                new BenchmarkReport.Report(machine, benchmark.describe(), runs), benchmark.options.output());
    }

    /** One measurement of every setup. */
    private Run run(int number) {
        String started = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String loadAverage = Machine.loadAverageNow();
        System.out.println(
                "Run " + number + " of " + options.runs() + ", " + started + ", load average " + loadAverage);
        List<Setup> setups = new ArrayList<>();
        if (options.databases().contains("h2")) {
            BenchmarkDatabase h2 = BenchmarkDatabase.h2();
            databaseDescriptions.put(h2.label(), h2.describe());
            Reference reference = minimalIntake(h2);
            setups.addAll(eachBuild(number, build -> new BridgeMeasurement(options, h2, 1, build)
                    .measure(setupName(h2.label(), build), reference)));
        }
        if (options.databases().contains("postgresql")) {
            PostgresServer server = PostgresServer.startDurable(SqlActivity.SERVER_SETTINGS);
            try {
                BenchmarkDatabase postgres = BenchmarkDatabase.postgres(server);
                databaseDescriptions.put(postgres.label(), postgres.describe());
                Reference reference = minimalIntake(postgres);
                for (int instances : List.of(1, 2)) {
                    String setup = postgres.label() + (instances > 1 ? ", two instances" : "");
                    setups.addAll(eachBuild(number, build -> new BridgeMeasurement(options, postgres, instances, build)
                            .measure(setupName(setup, build), reference)));
                }
            } finally {
                server.discard();
            }
        }
        return new Run(number, started, loadAverage, Machine.loadAverageNow(), setups);
    }

    /** Measures each build in the run's {@link Options#measuringOrder}; answers the setups in the report's order. */
    private List<Setup> eachBuild(int run, Function<Build, Setup> measure) {
        Map<Build, Setup> measured = new HashMap<>();
        options.measuringOrder(run).forEach(build -> measured.put(build, measure.apply(build)));
        return options.builds().stream().map(measured::get).toList();
    }

    /** A setup's name: the database and instances, and with a baseline, which build. */
    private String setupName(String setup, Build build) {
        return options.baseline() == null ? setup : setup + ", " + build.label();
    }

    /**
     * The minimal intake on a fresh database: the intake at saturation (with what PostgreSQL did meanwhile), the
     * trivial GET, and the target rate, in the order the bridge's are measured.
     */
    private Reference minimalIntake(BenchmarkDatabase database) {
        String url = database.newDatabase("minimal");
        String name = "benchmark-" + database.key() + "-minimal";
        ServiceProcess process = ServiceProcess.startTestMain(
                name, MinimalIntake.class, SmartcarTraffic.CEILING_PATH, url, database.environment(url), List.of());
        try (ServiceUnderLoad minimal = new ServiceUnderLoad(options, database, url, List.of(process))) {
            process.awaitReady(START_TIMEOUT);
            started(name, process);
            SmartcarTraffic traffic =
                    new SmartcarTraffic("minimal-" + database.key() + "-" + System.currentTimeMillis(), 7);
            minimal.warmUp(traffic);
            SqlActivity.Window window = database.sqlActivity(url).start();
            LoadFigures saturation = minimal.saturate("intake at saturation", traffic.events(), Observer.NONE);
            DatabaseActivity saturationDatabase =
                    window == null ? null : window.stop(saturation.load(), true, saturation.accepted(), () -> 0);
            LoadFigures get = minimal.saturate(
                    "GET " + SmartcarTraffic.CEILING_PATH + " at saturation (bare platform-http server)",
                    SmartcarTraffic.ceiling(),
                    Observer.NONE);
            LoadFigures atTargetRate = minimal.atRate(
                    Targets.number(BridgeMeasurement.TARGET_RATE) + " events/s",
                    BridgeMeasurement.TARGET_RATE,
                    traffic.events(),
                    Observer.NONE);
            ServiceUnderLoad.Stopped stopped = minimal.stop();
            return new Reference(
                    get,
                    saturation,
                    saturationDatabase,
                    atTargetRate,
                    stopped.storage(),
                    stopped.peakRssMb().get(0));
        }
    }

    /**
     * The service's routes and the trivial GET's, this checkout's file named by its absolute path: a baseline runs from
     * its own checkout, and its routes are its own.
     */
    static String withCeilingRoute() {
        return "file:routes/*.camel.yaml,file:"
                + Path.of(CEILING_ROUTE.substring("file:".length())).toAbsolutePath();
    }

    /** Any {@code bridge.*} or {@code camel.*} system property given to the benchmark, as a setting of the service. */
    static List<String> passedOnSettings() {
        return System.getProperties().stringPropertyNames().stream()
                .sorted()
                .filter(key -> key.startsWith("bridge.") || key.startsWith("camel."))
                .map(key -> "-D" + key + "=" + System.getProperty(key))
                .toList();
    }

    private Map<String, String> describe() {
        Map<String, String> settings = new LinkedHashMap<>();
        List<String> bridgeSettings = new ArrayList<>(options.serviceJvmArgs());
        bridgeSettings.add("-Dcamel.main.routes-include-pattern=" + withCeilingRoute());
        bridgeSettings.add(
                "-Dbridge.destinations=" + Sink.NAME + " -Dbridge.destination." + Sink.NAME + ".url=<the sink>");
        bridgeSettings.add("-Dbridge.instance-id=benchmark-<n>");
        bridgeSettings.addAll(passedOnSettings());
        settings.put(
                "bridge",
                "java -Xmx" + ServiceProcess.MAX_HEAP + " " + String.join(" ", bridgeSettings)
                        + " -jar target/smartcar-bridge.jar; the destination at its default settings, everything else as in application.properties");
        settings.put("this build", Build.thisBuild().describe());
        if (options.baseline() != null) {
            settings.put(
                    "baseline",
                    options.baseline().describe()
                            + "; measured with the same loads as this build, after it in odd runs and before it in even ones, "
                            + "on a fresh database, with the same settings");
        }
        settings.put(
                "minimal intake",
                "java -Xmx" + ServiceProcess.MAX_HEAP + " -cp <the test classpath> " + MinimalIntake.class.getName()
                        + ": platform-http on Vert.x with " + MinimalIntake.WORKER_THREADS
                        + " worker threads, HMAC-SHA256 of the raw bytes, "
                        + "Jackson, a group commit of the event row and one outbox row (the bridge's schema; commits at most every "
                        + TimeUnit.NANOSECONDS.toMillis(MinimalIntake.MIN_COMMIT_INTERVAL_NANOS)
                        + " ms under load, as the bridge's default), "
                        + "the 2xx after the commit");
        databaseDescriptions.forEach((database, description) -> settings.put(database, description));
        settings.put(
                "load generator",
                "same machine, one Vert.x event loop, HTTP/1.1 keep-alive on loopback; with two instances, "
                        + "requests go to each in turn");
        settings.put(
                "saturation",
                options.concurrency() + " requests in flight (closed loop), " + options.phaseSeconds() + " s");
        settings.put(
                "fixed rates",
                options.rates() + " events/s open loop, " + options.phaseSeconds()
                        + " s each, latency from the intended send time");
        settings.put(
                "engine overhead",
                options.lowRate() + " events/s for " + options.phaseSeconds() + " s; CPU time of the threads "
                        + BridgeMeasurement.ENGINE_THREADS.stream()
                                .map(name -> String.format(name, Sink.NAME))
                                .toList()
                        + " (/proc/<pid>/task/*/stat) from the start of the load until its last outcome is recorded, per delivery");
        settings.put(
                "delivery",
                "the sink answers 410 Gone, which pauses the destination; the intake at saturation leaves a backlog; "
                        + "the destination is resumed (admin API) as " + BridgeMeasurement.TARGET_RATE
                        + " events/s start for "
                        + options.phaseSeconds()
                        + " s; distinct events reaching the sink per second from the resume until the backlog "
                        + "is delivered or the load ends");
        if (options.kafka()) {
            settings.put(
                    "kafka",
                    "with one instance, after the HTTP destination's bridge stopped: a bridge of its own on a fresh database, "
                            + "its one destination -Dbridge.destination." + KafkaTopic.NAME + ".uri=kafka:"
                            + KafkaTopic.TOPIC
                            + "?brokers=<the broker> at its default settings; the broker is Kafka (KRaft, one node) in the benchmark's JVM, the topic "
                            + KafkaTopic.PARTITIONS
                            + " partitions, read by a consumer there; warm-up, then the destination paused (admin API), "
                            + "the intake at saturation, and the delivery measured as the HTTP destination's: distinct events reaching the topic "
                            + "per second from the resume, the intake taking "
                            + Targets.number(BridgeMeasurement.TARGET_RATE) + " events/s (benchmark.kafka=false: off)");
        }
        settings.put(
                "intake while delivering",
                "once the sink has every event, the intake at saturation (" + options.concurrency()
                        + " in flight, " + options.phaseSeconds()
                        + " s) with the destination delivering, against the intake at saturation "
                        + "with it paused; distinct events reaching the sink per second meanwhile");
        settings.put(
                "SQL",
                "PostgreSQL only: pg_stat_statements reset for the service's database at the start of the intake at "
                        + "saturation (paused and delivering) and of the drain, read at their end; statements put on the intake's side or "
                        + "the delivery's by their text; a round trip is a statement's execution (a JDBC batch counts one per row) or a "
                        + "transaction's BEGIN or COMMIT (transactions counted by their BEGIN); pg_stat_user_tables read at the same "
                        + "moments; pg_stat_activity and pg_locks sampled every " + SqlActivity.SAMPLE_MILLIS + " ms");
        settings.put("warm-up", options.warmupSeconds() + " s at saturation before each service's first measurement");
        settings.put(
                "events",
                "current-format VEHICLE_STATE (the sample delivery, ~1.2 KB), unique ids, 1,000 vehicles, signed");
        settings.put(
                "runs", options.runs() + ", each on fresh databases and processes; the median is taken per figure");
        if (options.dashboard()) {
            // Prometheus shares the cores with the loads: the figures say so
            settings.put(
                    "dashboard",
                    "Prometheus scraped every bridge instance every " + DashboardRun.SCRAPE_SECONDS
                            + " s during the loads (" + DashboardRun.OPTION + ")");
        }
        return settings;
    }

    static void started(String name, ServiceProcess service) {
        phase(name + " started, pid " + service.pid() + ", its output in target/it-logs/" + name + ".log");
    }

    static void phase(String name) {
        System.out.println("[" + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "] " + name + ", load average "
                + Machine.loadAverageNow());
    }
}
