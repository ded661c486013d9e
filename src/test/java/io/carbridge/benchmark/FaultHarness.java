package io.carbridge.benchmark;

import io.carbridge.benchmark.LoadGenerator.Observer;
import io.carbridge.benchmark.LoadGenerator.Result;
import io.carbridge.testing.PostgresServer;
import io.carbridge.testing.ServiceProcess;
import io.carbridge.testing.TestPorts;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fault harness ({@code mvn -B -Pfaults verify}, see docs/performance.md): the packaged service under load while
 * things go wrong, each scenario ending in a one-line verdict with its counts. {@link Scale#FULL} is the harness run by
 * the command; {@link Scale#QUICK} is the same code at a few seconds per scenario, run by {@code FaultHarnessIT} in the
 * test suite.
 */
public final class FaultHarness {

    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration STOP = Duration.ofSeconds(60);

    /**
     * How hard and how long each scenario pushes.
     *
     * @param killRate events/s sent while the service is killed
     * @param beforeKill load before the {@code kill -9}
     * @param outageRate events/s during the destination outage scenario
     * @param outage how long the sink refuses connections
     * @param aroundOutage load before the outage, and again after the sink is back
     * @param floodRate requests/s of the bad-input flood, 20 % of them bad
     * @param flood its duration
     * @param databaseRate events/s while the database goes away
     * @param databaseDown how long the database is stopped
     * @param drainTimeout longest wait for every accepted event to reach the sink
     * @param judgesLatency whether the outage verdict rests on the intake's p99 too (a few seconds of load on a shared
     *     machine are too few to judge a p99: the quick scale only reports it)
     * @param serviceSettings extra -D settings of the service (the quick scale shortens claims and backoff)
     */
    public record Scale(
            int killRate,
            Duration beforeKill,
            int outageRate,
            Duration outage,
            Duration aroundOutage,
            int floodRate,
            Duration flood,
            int databaseRate,
            Duration databaseDown,
            Duration drainTimeout,
            boolean judgesLatency,
            List<String> serviceSettings) {

        /** What the README's command runs: the figures of the issue (1,000/s, a 2-minute outage), product defaults. */
        public static final Scale FULL = new Scale(
                1_000,
                Duration.ofSeconds(20),
                100,
                Duration.ofMinutes(2),
                Duration.ofSeconds(30),
                1_000,
                Duration.ofSeconds(30),
                200,
                Duration.ofSeconds(30),
                Duration.ofMinutes(10),
                true,
                List.of());

        /**
         * Seconds per scenario, for the test suite. A killed instance's claims expire after the destination timeout
         * plus the claim margin, and retries back off up to the max delay: both are shortened so that recovery fits in
         * seconds.
         */
        public static final Scale QUICK = new Scale(
                300,
                Duration.ofSeconds(3),
                100,
                Duration.ofSeconds(5),
                Duration.ofSeconds(2),
                300,
                Duration.ofSeconds(3),
                100,
                Duration.ofSeconds(7),
                Duration.ofSeconds(60),
                false,
                List.of(
                        "-Dbridge.delivery.claim-margin=1s", "-Dbridge.destination.sink.timeout=2s",
                        "-Dbridge.destination.sink.retry.initial-delay=200ms",
                                "-Dbridge.destination.sink.retry.max-delay=1s"));
    }

    /** A scenario's outcome: PASS or FAIL, and the counts it rests on. */
    public record Verdict(String scenario, boolean passed, String counts) {
        @Override
        public String toString() {
            return (passed ? "PASS " : "FAIL ") + scenario + ": " + counts;
        }
    }

    private final Scale scale;

    public FaultHarness(Scale scale) {
        this.scale = scale;
    }

    public static void main(String[] args) throws Exception {
        FaultHarness harness = new FaultHarness(Scale.FULL);
        System.out.println("Fault harness on " + Machine.describe());
        List<Verdict> verdicts = new ArrayList<>();
        verdicts.add(print(harness.hardKillUnderLoad()));
        verdicts.add(print(harness.destinationOutage()));
        verdicts.add(print(harness.badInputFlood()));
        verdicts.add(print(harness.databaseUnavailable()));
        System.out.println();
        verdicts.forEach(System.out::println);
        if (verdicts.stream().anyMatch(verdict -> !verdict.passed())) {
            throw new IllegalStateException("fault harness: at least one scenario failed");
        }
    }

    /**
     * {@code kill -9} at a steady rate, restart on the same database, let deliveries drain: every event that got a 2xx
     * is in the database and reached the sink at least once; the ones that reached it twice are counted.
     */
    public Verdict hardKillUnderLoad() throws Exception {
        String database = ServiceProcess.newDatabaseUrl("fault-hard-kill");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicLong unanswered = new AtomicLong();
        Observer observer = (delivery, status) -> {
            if (status / 100 == 2) {
                acknowledged.add(delivery.eventId());
            } else if (status == 0) {
                unanswered.incrementAndGet();
            }
        };
        try (Sink sink = new Sink(TestPorts.freePort()).up()) {
            List<String> settings = withSink(sink);
            SmartcarTraffic traffic = new SmartcarTraffic("kill-" + System.currentTimeMillis(), 1);
            try (ServiceProcess service = ServiceProcess.start("fault-hard-kill", database, Map.of(), settings)
                            .awaitReady(START);
                    LoadGenerator generator = new LoadGenerator(service.httpPort(), 256)) {
                // the load outlives the kill by two seconds: requests in flight at the kill, and after it, get no
                // answer
                CompletableFuture<Result> load = CompletableFuture.supplyAsync(() -> generator.atFixedRate(
                        scale.killRate(), scale.beforeKill().plusSeconds(2), traffic.events(), observer));
                Thread.sleep(scale.beforeKill().toMillis());
                service.kill();
                load.join();
            }
            Set<String> acknowledgedAtKill = Set.copyOf(acknowledged);
            boolean drained;
            try (ServiceProcess restarted = ServiceProcess.start("fault-hard-kill", database, Map.of(), settings)
                    .awaitReady(START)) {
                drained = sink.awaitAll(acknowledgedAtKill, scale.drainTimeout());
                restarted.stop(STOP);
            }
            Set<String> stored = storedIds(database, "sa", "");
            long storedAcknowledged =
                    acknowledgedAtKill.stream().filter(stored::contains).count();
            long atSink = acknowledgedAtKill.stream()
                    .filter(id -> sink.deliveriesOf(id) > 0)
                    .count();
            long twice = acknowledgedAtKill.stream()
                    .filter(id -> sink.deliveriesOf(id) > 1)
                    .count();
            boolean passed =
                    !acknowledgedAtKill.isEmpty() && storedAcknowledged == acknowledgedAtKill.size() && drained;
            return new Verdict(
                    "hard kill under load",
                    passed,
                    String.format(
                            "kill -9 after %d s at %,d events/s: %,d acknowledged (2xx), "
                                    + "%,d of them in the database, %,d reached the sink after the restart (%,d of them twice); "
                                    + "%,d requests unanswered at the kill",
                            scale.beforeKill().toSeconds(),
                            scale.killRate(),
                            acknowledgedAtKill.size(),
                            storedAcknowledged,
                            atSink,
                            twice,
                            unanswered.get()));
        }
    }

    /**
     * The sink refuses connections for a while, then comes back: nothing is lost, the intake's p99 while the sink is
     * down stays close to its p99 before, and the backlog drains. "Close" is at most twice the p99 before plus 5 ms.
     */
    public Verdict destinationOutage() throws Exception {
        String database = ServiceProcess.newDatabaseUrl("fault-outage");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicLong requests = new AtomicLong();
        Observer observer = (delivery, status) -> {
            requests.incrementAndGet();
            if (status / 100 == 2) {
                acknowledged.add(delivery.eventId());
            }
        };
        try (Sink sink = new Sink(TestPorts.freePort()).up()) {
            SmartcarTraffic traffic = new SmartcarTraffic("outage-" + System.currentTimeMillis(), 2);
            Result before;
            Result during;
            Result after;
            boolean drained;
            long drainMillis;
            try (ServiceProcess service = ServiceProcess.start("fault-outage", database, Map.of(), withSink(sink))
                            .awaitReady(START);
                    LoadGenerator generator = new LoadGenerator(service.httpPort(), 256)) {
                // the same load once unmeasured first: "before" is compared with the service warmed up, as it would be
                generator.atFixedRate(scale.outageRate(), scale.aroundOutage(), traffic.events(), observer);
                before = generator.atFixedRate(scale.outageRate(), scale.aroundOutage(), traffic.events(), observer);
                sink.down();
                during = generator.atFixedRate(scale.outageRate(), scale.outage(), traffic.events(), observer);
                sink.up();
                long back = System.nanoTime();
                after = generator.atFixedRate(scale.outageRate(), scale.aroundOutage(), traffic.events(), observer);
                drained = sink.awaitAll(Set.copyOf(acknowledged), scale.drainTimeout());
                drainMillis = (System.nanoTime() - back) / 1_000_000;
                service.stop(STOP);
            }
            Set<String> stored = storedIds(database, "sa", "");
            long lost = acknowledged.stream()
                    .filter(id -> !stored.contains(id) || sink.deliveriesOf(id) == 0)
                    .count();
            long twice = acknowledged.stream()
                    .filter(id -> sink.deliveriesOf(id) > 1)
                    .count();
            long sent = requests.get();
            boolean p99Held = !scale.judgesLatency() || during.millis(99) <= 2 * before.millis(99) + 5;
            boolean passed = drained && lost == 0 && acknowledged.size() == sent && p99Held;
            return new Verdict(
                    "destination outage",
                    passed,
                    String.format(
                            "sink down for %d s at %,d events/s: %,d of %,d sent acknowledged, "
                                    + "%,d lost, %,d reached the sink twice; intake p99 %.1f ms before, %.1f ms while down, %.1f ms after; "
                                    + "backlog %s %.1f s after the sink came back",
                            scale.outage().toSeconds(),
                            scale.outageRate(),
                            acknowledged.size(),
                            sent,
                            lost,
                            twice,
                            before.millis(99),
                            during.millis(99),
                            after.millis(99),
                            drained ? "drained" : "NOT drained",
                            drainMillis / 1000.0));
        }
    }

    /**
     * Valid traffic with 20 % bad requests of every kind: every valid event is stored exactly once, every bad request
     * gets its status, and nothing is stored for a bad one.
     */
    public Verdict badInputFlood() throws Exception {
        String database = ServiceProcess.newDatabaseUrl("fault-flood");
        Set<String> validAccepted = ConcurrentHashMap.newKeySet();
        Set<String> bad = ConcurrentHashMap.newKeySet();
        Map<String, AtomicLong> wrongAnswers = new ConcurrentHashMap<>();
        Map<String, AtomicLong> badByKind = new ConcurrentHashMap<>();
        Observer observer = (delivery, status) -> {
            boolean valid = delivery.kind().equals("event");
            if (!valid) {
                bad.add(delivery.eventId());
                badByKind
                        .computeIfAbsent(delivery.kind(), kind -> new AtomicLong())
                        .incrementAndGet();
            }
            if (status != delivery.expectedStatus()) {
                wrongAnswers
                        .computeIfAbsent(delivery.kind() + " got " + status, kind -> new AtomicLong())
                        .incrementAndGet();
            } else if (valid) {
                validAccepted.add(delivery.eventId());
            }
        };
        Result flood;
        try (ServiceProcess service = ServiceProcess.start(
                                "fault-flood", database, Map.of(), Benchmark.passedOnSettings())
                        .awaitReady(START);
                LoadGenerator generator = new LoadGenerator(service.httpPort(), 256)) {
            flood = generator.atFixedRate(
                    scale.floodRate(),
                    scale.flood(),
                    new SmartcarTraffic("flood-" + System.currentTimeMillis(), 3).withBadInput(0.20),
                    observer);
            service.stop(STOP);
        }
        Set<String> stored = storedIds(database, "sa", "");
        long validStored = validAccepted.stream().filter(stored::contains).count();
        long badStored = bad.stream().filter(stored::contains).count();
        boolean passed = wrongAnswers.isEmpty()
                && validStored == validAccepted.size()
                && badStored == 0
                && stored.size() == validAccepted.size()
                && badByKind.size() == 6;
        return new Verdict(
                "bad input flood",
                passed,
                String.format(
                        "%,d requests at %,d/s: %,d valid stored exactly once (%,d rows), "
                                + "%,d bad %s, %,d stored; wrong answers: %s",
                        flood.sent(),
                        scale.floodRate(),
                        validAccepted.size(),
                        stored.size(),
                        bad.size(),
                        badByKind,
                        badStored,
                        wrongAnswers.isEmpty() ? "none" : wrongAnswers));
    }

    /**
     * The database goes away under load (PostgreSQL, stopped with a fast shutdown and started again): the intake
     * answers 503 instead of 2xx while it is gone, and recovers by itself once it is back; every event that got a 2xx
     * is stored.
     */
    public Verdict databaseUnavailable() throws Exception {
        PostgresServer postgres = PostgresServer.startOwn();
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Map<String, String> environment = Map.of("DB_URL", postgres.url(), "DB_USER", "postgres", "DB_PASSWORD", "");
        Set<Integer> downStatuses = ConcurrentHashMap.newKeySet();
        Result up;
        Result down;
        Result recovering;
        double recoverySeconds = -1;
        try (ServiceProcess service = ServiceProcess.start(
                                "fault-database", postgres.url(), environment, Benchmark.passedOnSettings())
                        .awaitReady(START);
                LoadGenerator generator = new LoadGenerator(service.httpPort(), 512)) {
            SmartcarTraffic traffic = new SmartcarTraffic("database-" + System.currentTimeMillis(), 4);
            Observer acknowledging = (delivery, status) -> {
                if (status / 100 == 2) {
                    acknowledged.add(delivery.eventId());
                }
            };
            up = generator.atFixedRate(scale.databaseRate(), Duration.ofSeconds(2), traffic.events(), acknowledging);
            postgres.stop();
            down = generator.atFixedRate(
                    scale.databaseRate(), scale.databaseDown(), traffic.events(), (delivery, status) -> {
                        acknowledging.answered(delivery, status);
                        downStatuses.add(status);
                    });
            postgres.restart();
            long back = System.nanoTime();
            // until the first 2xx: how long the intake takes to notice, by itself, that the database is back
            while (recoverySeconds < 0
                    && System.nanoTime() - back < scale.drainTimeout().toNanos()) {
                Result probe = generator.atFixedRate(
                        scale.databaseRate(), Duration.ofSeconds(1), traffic.events(), acknowledging);
                if (probe.successes() > 0) {
                    recoverySeconds = (System.nanoTime() - back) / 1e9;
                }
            }
            recovering =
                    generator.atFixedRate(scale.databaseRate(), Duration.ofSeconds(2), traffic.events(), acknowledging);
            service.stop(STOP);
        }
        Set<String> stored;
        try {
            stored = storedIds(postgres.url(), "postgres", "");
        } finally {
            postgres.stop();
        }
        long storedAcknowledged = acknowledged.stream().filter(stored::contains).count();
        boolean passed = up.successes() == up.sent()
                && down.answered(503) > 0
                && down.failed() == 0
                && downStatuses.stream().allMatch(status -> status == 503 || status / 100 == 2)
                && recoverySeconds >= 0
                && recovering.successes() == recovering.sent()
                && storedAcknowledged == acknowledged.size();
        return new Verdict(
                "database unavailable",
                passed,
                String.format(
                        "PostgreSQL stopped for %d s at %,d events/s: before %,d/%,d 2xx; "
                                + "while stopped %,d x 503, %,d x 2xx, other answers %s, %,d unanswered; 2xx again %.1f s after it was back, "
                                + "then %,d/%,d 2xx; %,d of %,d acknowledged events stored",
                        scale.databaseDown().toSeconds(),
                        scale.databaseRate(),
                        up.successes(),
                        up.sent(),
                        down.answered(503),
                        down.successes(),
                        otherThan(down.statuses(), 503),
                        down.failed(),
                        recoverySeconds,
                        recovering.successes(),
                        recovering.sent(),
                        storedAcknowledged,
                        acknowledged.size()));
    }

    private List<String> withSink(Sink sink) {
        List<String> settings = new ArrayList<>(sink.destinationSettings(16));
        settings.addAll(scale.serviceSettings());
        settings.addAll(Benchmark.passedOnSettings());
        return settings;
    }

    /** The event ids in the database; for H2, read after the service stopped (it holds the file while it runs). */
    private static Set<String> storedIds(String url, String user, String password) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (Connection connection = DriverManager.getConnection(url, user, password);
                ResultSet rows = connection.createStatement().executeQuery("SELECT event_id FROM webhook_event")) {
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
        }
        return ids;
    }

    private static String otherThan(Map<Integer, Long> statuses, int expected) {
        List<String> others = statuses.entrySet().stream()
                .filter(e -> e.getKey() != expected && e.getKey() / 100 != 2)
                .map(e -> e.getValue() + " x " + e.getKey())
                .toList();
        return others.isEmpty() ? "none" : String.join(", ", others);
    }

    private static Verdict print(Verdict verdict) {
        System.out.println(verdict);
        return verdict;
    }
}
