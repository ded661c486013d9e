package io.carbridge.benchmark;

import io.carbridge.benchmark.Figures.DatabaseActivity;
import io.carbridge.benchmark.Figures.DeliveringIntake;
import io.carbridge.benchmark.Figures.Drain;
import io.carbridge.benchmark.Figures.EngineOverhead;
import io.carbridge.benchmark.Figures.KafkaDelivery;
import io.carbridge.benchmark.Figures.LoadFigures;
import io.carbridge.benchmark.Figures.Reference;
import io.carbridge.benchmark.Figures.Run;
import io.carbridge.benchmark.Figures.Setup;
import io.carbridge.benchmark.Figures.Storage;
import io.carbridge.testing.ServiceProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Issue 23's targets, issue 21's of the Kafka row, and the two of issue 13's that still hold (the delivery engine's
 * overhead, the heap), judged on one setup's figures (and, for the second instance, on the same build's one instance in
 * the same run), and their medians over several runs.
 */
final class Targets {

    /** The p99 at {@link BridgeMeasurement#TARGET_RATE}. */
    static final double MAX_P99_MS = 20;

    static final String POSTGRESQL_ONLY = "not measured (PostgreSQL only)";
    static final String POSTGRESQL = "PostgreSQL";
    static final String H2 = "H2";
    /**
     * Delivery while the intake takes {@link BridgeMeasurement#TARGET_RATE}: issue 23's for HTTP, issue 21's for Kafka.
     */
    static final double MIN_DELIVERY_PER_SECOND = 2_000;

    private Targets() {}

    enum Unit {
        RATIO(""),
        PER_SECOND(" events/s"),
        MILLIS(" ms"),
        TIMES(" ×"),
        MEGABYTES(" MB");

        private final String suffix;

        Unit(String suffix) {
            this.suffix = suffix;
        }

        String format(double value) {
            return (this == PER_SECOND || this == MEGABYTES ? number(value) : decimal(value)) + suffix;
        }
    }

    /** What a figure must be: at least, at most, or below a threshold. */
    record Goal(String comparison, double threshold, Unit unit) {

        boolean isMet(double value) {
            return switch (comparison) {
                case ">=" -> value >= threshold;
                case "<=" -> value <= threshold;
                case "<" -> value < threshold;
                default -> throw new IllegalStateException(comparison);
            };
        }

        @Override
        public String toString() {
            return comparison.replace(">=", "≥").replace("<=", "≤") + " " + unit.format(threshold);
        }
    }

    /**
     * One target on one setup.
     *
     * @param value the figure the goal is judged on; null when it could not be measured
     * @param figure the figure as printed, with what it rests on, or why it could not be measured
     * @param judged false where the target is not this setup's (the figure is information)
     * @param sound false when the load under the figure went wrong (requests without a 2xx): not met, whatever the
     *     value
     * @param met null when not judged or not measured
     */
    record Target(String measure, Goal goal, Double value, String figure, boolean judged, boolean sound, Boolean met) {

        static Target of(String measure, Goal goal, Double value, String figure, boolean judged, boolean sound) {
            return new Target(
                    measure,
                    goal,
                    value,
                    figure,
                    judged,
                    sound,
                    judged && value != null ? sound && goal.isMet(value) : null);
        }

        static Target notMeasured(String measure, Goal goal, String why) {
            return of(measure, goal, null, "not measured: " + why, true, true);
        }

        /** A figure this setup does not have, and why; not judged. */
        static Target notHere(String measure, Goal goal, String why) {
            return of(measure, goal, null, why, false, true);
        }
    }

    /** One setup's targets in a run: the second instance's are judged against the same build's one instance. */
    static List<Target> of(Run run, Setup setup) {
        Setup oneInstance = setup.instances() == 1
                ? null
                : run.setups().stream()
                        .filter(other -> other.instances() == 1
                                && other.database().equals(setup.database())
                                && other.build().equals(setup.build()))
                        .findFirst()
                        .orElse(null);
        return of(setup, oneInstance);
    }

    /**
     * @param oneInstance with several instances, the same build on the same database with one instance, in the same
     *     run; otherwise null
     */
    static List<Target> of(Setup setup, Setup oneInstance) {
        Reference reference = setup.reference();
        boolean postgres = setup.database().equals(POSTGRESQL);
        List<Target> targets = new ArrayList<>();

        targets.add(delivery(
                "Delivery to an instant sink, default destination settings, while the intake takes "
                        + number(BridgeMeasurement.TARGET_RATE) + " events/s",
                setup.drain(),
                true));
        targets.add(secondInstance(setup, oneInstance));
        targets.addAll(kafka(setup));

        LoadFigures saturation = setup.saturation();
        String saturationNote =
                (setup.saturationPaused() ? "" : "; the destination did not pause, so the bridge delivered meanwhile")
                        + failures(saturation);
        targets.add(Target.of(
                "Intake at saturation, " + saturation.concurrency() + " in flight, against the minimal intake",
                new Goal(">=", 0.9, Unit.RATIO),
                saturation.achievedPerSecond() / reference.saturation().achievedPerSecond(),
                decimal(saturation.achievedPerSecond() / reference.saturation().achievedPerSecond()) + " ("
                        + perSecond(saturation) + " against " + perSecond(reference.saturation()) + ")"
                        + saturationNote,
                true,
                saturation.allSucceeded()));

        String p99 = "Intake p99 at " + number(BridgeMeasurement.TARGET_RATE) + " events/s";
        Goal p99Goal = new Goal("<=", MAX_P99_MS, Unit.MILLIS);
        targets.add(setup.fixedRates().stream()
                .filter(load -> load.offeredPerSecond() == BridgeMeasurement.TARGET_RATE)
                .findFirst()
                .map(load -> Target.of(
                        p99,
                        p99Goal,
                        load.p99Ms(),
                        decimal(load.p99Ms()) + " ms (p50 " + decimal(load.p50Ms()) + " ms)" + failures(load),
                        true,
                        load.allSucceeded()))
                .orElse(Target.notMeasured(
                        p99,
                        p99Goal,
                        number(BridgeMeasurement.TARGET_RATE) + " events/s is not among benchmark.rates")));

        targets.add(cpuPerEvent(saturation, reference.saturation()));
        targets.add(deliveringIntake(setup.delivering(), saturation, setup.saturationPaused()));
        targets.add(
                roundTripsPerEvent(setup.saturationDatabase(), reference.saturationDatabase(), saturation, postgres));
        targets.add(roundTripsPerDelivery(setup.drain(), postgres));

        String get = "GET of the bridge's server against a bare platform-http server";
        Goal getGoal = new Goal(">=", 0.9, Unit.RATIO);
        targets.add(
                setup.get() == null
                        ? Target.notMeasured(get, getGoal, "a figure of one server: see the bridge with one instance")
                        : Target.of(
                                get,
                                getGoal,
                                setup.get().achievedPerSecond()
                                        / reference.get().achievedPerSecond(),
                                decimal(setup.get().achievedPerSecond()
                                                / reference.get().achievedPerSecond()) + " (" + perSecond(setup.get())
                                        + " against " + perSecond(reference.get()) + ")",
                                true,
                                setup.get().allSucceeded()));

        targets.add(
                storage(setup.storage(), reference.storage(), setup.database().equals(H2)));

        targets.add(engine(setup.engine(), setup.lowLoad()));
        long heapMb = Long.parseLong(ServiceProcess.MAX_HEAP.replace("m", ""));
        targets.add(Target.of(
                "Heap (issue 13)",
                new Goal("<=", 256, Unit.MEGABYTES),
                (double) heapMb,
                "-Xmx" + ServiceProcess.MAX_HEAP
                        + " for every JVM; peak resident size "
                        + setup.peakRssMb().stream().map(mb -> mb + " MB").collect(Collectors.joining(", "))
                        + " (minimal intake " + reference.peakRssMb() + " MB)",
                true,
                true));
        return targets;
    }

    /**
     * A destination's delivery while its backlog drains and the intake takes the target rate; {@code judged} false:
     * information.
     */
    private static Target delivery(String measure, Drain drain, boolean judged) {
        Goal goal = new Goal(">=", MIN_DELIVERY_PER_SECOND, Unit.PER_SECOND);
        if (drain.whyNotMeasured() != null) {
            return Target.notMeasured(measure, goal, drain.whyNotMeasured());
        }
        LoadFigures intake = drain.intake();
        return Target.of(
                measure,
                goal,
                drain.deliveredPerSecond(),
                number(drain.deliveredPerSecond()) + " events/s over "
                        + decimal(drain.seconds()) + " s (backlog " + number(drain.backlog())
                        + (drain.backlogCleared() ? ", cleared" : ", left at the load's end")
                        + "; the intake meanwhile " + perSecond(intake) + ", p99 " + decimal(intake.p99Ms()) + " ms"
                        + failures(intake) + ")"
                        + (judged ? "" : "; a target on H2 only"),
                judged,
                intake.allSucceeded());
    }

    /**
     * The Kafka row's targets (issue 21): its delivery, on H2 at least {@link #MIN_DELIVERY_PER_SECOND} and on every
     * setup at least the HTTP destination's; and the intake meanwhile against its rate with no destination delivering.
     */
    private static List<Target> kafka(Setup setup) {
        KafkaDelivery kafka = setup.kafka();
        String delivery =
                "Delivery to a Kafka topic (the in-process broker), default destination settings, while the intake takes "
                        + number(BridgeMeasurement.TARGET_RATE) + " events/s";
        String againstHttp = "Kafka delivery against the HTTP destination's (an instant sink), same setup";
        Goal againstHttpGoal = new Goal(">=", 1, Unit.RATIO);
        String intake = "Intake while the Kafka destination drains, against its rate with no destination delivering";
        Goal intakeGoal = new Goal(">=", 0.9, Unit.RATIO);
        Goal deliveryGoal = new Goal(">=", MIN_DELIVERY_PER_SECOND, Unit.PER_SECOND);
        if (kafka.whySkipped() != null) {
            return List.of(
                    Target.notHere(delivery, deliveryGoal, kafka.whySkipped()),
                    Target.notHere(againstHttp, againstHttpGoal, kafka.whySkipped()),
                    Target.notHere(intake, intakeGoal, kafka.whySkipped()));
        }
        Drain drain = kafka.drain();
        if (drain.whyNotMeasured() != null) {
            return List.of(
                    Target.notMeasured(delivery, deliveryGoal, drain.whyNotMeasured()),
                    Target.notMeasured(againstHttp, againstHttpGoal, drain.whyNotMeasured()),
                    Target.notMeasured(intake, intakeGoal, drain.whyNotMeasured()));
        }
        Drain http = setup.drain();
        Target ratio = http.whyNotMeasured() != null
                ? Target.notMeasured(againstHttp, againstHttpGoal, "the HTTP destination's delivery was not measured")
                : Target.of(
                        againstHttp,
                        againstHttpGoal,
                        drain.deliveredPerSecond() / http.deliveredPerSecond(),
                        decimal(drain.deliveredPerSecond() / http.deliveredPerSecond()) + " ("
                                + number(drain.deliveredPerSecond()) + "/s against " + number(http.deliveredPerSecond())
                                + "/s)",
                        true,
                        drain.intake().allSucceeded() && http.intake().allSucceeded());
        // offered the target rate, an intake with no destination delivering takes all of it, or as much as it takes at
        // saturation with the destination paused when that is less (a loaded machine)
        LoadFigures during = drain.intake();
        double withoutDelivery =
                Math.min(BridgeMeasurement.TARGET_RATE, kafka.saturation().achievedPerSecond());
        Target kept = Target.of(
                intake,
                intakeGoal,
                during.achievedPerSecond() / withoutDelivery,
                decimal(during.achievedPerSecond() / withoutDelivery) + " (" + perSecond(during) + " of "
                        + number(BridgeMeasurement.TARGET_RATE)
                        + "/s offered, against " + number(withoutDelivery)
                        + "/s: the offered rate, or the intake at saturation with the "
                        + "destination paused if less, which was " + perSecond(kafka.saturation()) + failures(during)
                        + ")",
                true,
                during.allSucceeded() && kafka.saturation().allSucceeded());
        return List.of(delivery(delivery, drain, setup.database().equals(H2)), ratio, kept);
    }

    /** The second instance's delivery against the first's, same build, same run. */
    private static Target secondInstance(Setup setup, Setup oneInstance) {
        String measure = "Delivery with two instances against one instance's, same run";
        Goal goal = new Goal(">=", 1, Unit.RATIO);
        if (setup.instances() == 1) {
            return Target.notHere(measure, goal, "– (a target of two instances)");
        }
        if (oneInstance == null) {
            return Target.notMeasured(measure, goal, "one instance of this build was not measured in this run");
        }
        Drain two = setup.drain();
        Drain one = oneInstance.drain();
        if (two.whyNotMeasured() != null || one.whyNotMeasured() != null) {
            return Target.notMeasured(
                    measure,
                    goal,
                    "the delivery of " + (two.whyNotMeasured() != null ? "two instances" : "one instance")
                            + " was not measured");
        }
        double ratio = two.deliveredPerSecond() / one.deliveredPerSecond();
        return Target.of(
                measure,
                goal,
                ratio,
                decimal(ratio) + " (" + number(two.deliveredPerSecond()) + "/s against "
                        + number(one.deliveredPerSecond()) + "/s)",
                true,
                two.intake().allSucceeded() && one.intake().allSucceeded());
    }

    /** The CPU time of all the service's processes per event accepted at saturation, against the minimal intake's. */
    private static Target cpuPerEvent(LoadFigures saturation, LoadFigures reference) {
        String measure = "Service CPU per accepted event at saturation, against the minimal intake's";
        Goal goal = new Goal("<=", 1.5, Unit.TIMES);
        Double bridge = saturation.serviceCpuMicrosPerAccepted();
        Double minimal = reference.serviceCpuMicrosPerAccepted();
        if (bridge == null || minimal == null) {
            return Target.notMeasured(
                    measure, goal, (bridge == null ? "the bridge" : "the minimal intake") + " accepted no event");
        }
        return Target.of(
                measure,
                goal,
                bridge / minimal,
                decimal(bridge / minimal) + " × (" + number(bridge) + " µs against " + number(minimal)
                        + " µs: user + system time of every process of the service during the load, per event answered 202)",
                true,
                saturation.allSucceeded());
    }

    /** The intake at saturation while the destination delivers, against it with the destination paused. */
    private static Target deliveringIntake(DeliveringIntake delivering, LoadFigures paused, boolean wasPaused) {
        String measure =
                "Intake at saturation while one destination (an instant sink) drains, against the intake with it paused";
        Goal goal = new Goal(">=", 0.5, Unit.RATIO);
        if (delivering.whyNotMeasured() != null) {
            return Target.notMeasured(measure, goal, delivering.whyNotMeasured());
        }
        LoadFigures intake = delivering.intake();
        double ratio = intake.achievedPerSecond() / paused.achievedPerSecond();
        return Target.of(
                measure,
                goal,
                ratio,
                decimal(ratio) + " (" + perSecond(intake) + " against " + perSecond(paused)
                        + "; delivery meanwhile " + number(delivering.deliveredPerSecond()) + "/s" + failures(intake)
                        + (wasPaused
                                ? ""
                                : "; the destination did not pause, so the intake it is measured against delivered too")
                        + ")",
                true,
                intake.allSucceeded() && paused.allSucceeded());
    }

    /** The intake's SQL round trips per accepted event at saturation, the destination paused. */
    private static Target roundTripsPerEvent(
            DatabaseActivity activity, DatabaseActivity reference, LoadFigures saturation, boolean postgres) {
        String measure =
                "SQL round trips per accepted event, intake at saturation, " + saturation.concurrency() + " in flight";
        Goal goal = new Goal("<=", 1, Unit.RATIO);
        if (!postgres) {
            return Target.notHere(measure, goal, POSTGRESQL_ONLY);
        }
        if (activity == null || activity.roundTripsPerEvent() == null) {
            return Target.notMeasured(
                    measure, goal, activity == null ? "no statistics of the database" : "no event was accepted");
        }
        return Target.of(
                measure,
                goal,
                activity.roundTripsPerEvent(),
                decimal(activity.roundTripsPerEvent()) + " ("
                        + number(activity.intake().statements()) + " statements and "
                        + number(activity.intake().transactions()) + " transactions for "
                        + number(activity.acceptedEvents()) + " events"
                        + (activity.intakeOnly() ? "" : ", the destination delivering meanwhile")
                        + (reference == null || reference.roundTripsPerEvent() == null
                                ? ""
                                : "; the minimal intake's " + decimal(reference.roundTripsPerEvent()))
                        + ")",
                true,
                saturation.allSucceeded());
    }

    /** The delivery's SQL round trips per delivery while the backlog drains. */
    private static Target roundTripsPerDelivery(Drain drain, boolean postgres) {
        String measure = "SQL round trips per delivery (claim and outcome) while the backlog drains";
        Goal goal = new Goal("<=", 1, Unit.RATIO);
        if (!postgres) {
            return Target.notHere(measure, goal, POSTGRESQL_ONLY);
        }
        if (drain.whyNotMeasured() != null) {
            return Target.notMeasured(measure, goal, drain.whyNotMeasured());
        }
        DatabaseActivity activity = drain.database();
        if (activity == null || activity.roundTripsPerDelivery() == null) {
            return Target.notMeasured(
                    measure,
                    goal,
                    activity == null
                            ? "no statistics of the database"
                            : activity.note() != null ? activity.note() : "nothing was delivered");
        }
        return Target.of(
                measure,
                goal,
                activity.roundTripsPerDelivery(),
                decimal(activity.roundTripsPerDelivery()) + " ("
                        + number(activity.delivery().statements()) + " statements and "
                        + number(activity.delivery().transactions())
                        + " transactions for " + number(activity.deliveries()) + " deliveries)",
                true,
                drain.intake().allSucceeded());
    }

    private static Target engine(EngineOverhead engine, LoadFigures lowLoad) {
        String measure = "Engine overhead per delivery (claim and record) at " + number(lowLoad.offeredPerSecond())
                + " events/s (issue 13)";
        Goal goal = new Goal("<", 2, Unit.MILLIS);
        if (engine.whyNotMeasured() != null) {
            return Target.notMeasured(measure, goal, engine.whyNotMeasured());
        }
        return Target.of(
                measure,
                goal,
                engine.millisPerDelivery(),
                decimal(engine.millisPerDelivery()) + " ms (" + decimal(engine.cpuSeconds()) + " s of CPU in "
                        + String.join(", ", engine.threads()) + " for " + number(engine.deliveries()) + " deliveries)",
                true,
                true);
    }

    private static Target storage(Storage storage, Storage reference, boolean h2) {
        String measure = "H2 file at the end against its data";
        Goal goal = new Goal("<", 4, Unit.TIMES);
        String figure = decimal(storage.onDiskPerDataByte()) + " × (" + (h2 ? "file " : "database ")
                + megabytes(storage.onDiskBytes())
                + ", at most " + megabytes(storage.peakOnDiskBytes()) + " after a load, for "
                + megabytes(storage.totalDataBytes())
                + " of data; the minimal intake's " + decimal(reference.onDiskPerDataByte()) + " ×)"
                + (h2 ? "" : "; a target on H2 only");
        return Target.of(measure, goal, storage.onDiskPerDataByte(), figure, h2, true);
    }

    /**
     * The same setup's targets over several runs: the median of each value, judged again, with every run's value. A
     * target whose load went wrong in any run is not met.
     */
    static List<Target> median(List<List<Target>> runs) {
        List<Target> median = new ArrayList<>();
        for (int i = 0; i < runs.get(0).size(); i++) {
            int index = i;
            List<Target> each = runs.stream().map(targets -> targets.get(index)).toList();
            Target first = each.get(0);
            List<Double> values = each.stream()
                    .map(Target::value)
                    .filter(Objects::nonNull)
                    .sorted()
                    .toList();
            if (values.isEmpty()) {
                median.add(first);
                continue;
            }
            double value = values.size() % 2 == 1
                    ? values.get(values.size() / 2)
                    : (values.get(values.size() / 2 - 1) + values.get(values.size() / 2)) / 2;
            String figures = each.stream()
                    .map(target -> target.value() == null
                            ? "not measured"
                            : first.goal().unit().format(target.value()))
                    .collect(Collectors.joining(", "));
            median.add(Target.of(
                    first.measure(),
                    first.goal(),
                    value,
                    first.goal().unit().format(value) + " (runs: " + figures + ")",
                    first.judged(),
                    each.stream().allMatch(Target::sound)));
        }
        return median;
    }

    private static String failures(LoadFigures load) {
        long without = load.sent() - load.successes();
        return without == 0 ? "" : "; " + number(without) + " of " + number(load.sent()) + " requests without a 2xx";
    }

    private static String perSecond(LoadFigures load) {
        return number(load.achievedPerSecond()) + "/s";
    }

    static String megabytes(long bytes) {
        return number(bytes / 1e6) + " MB";
    }

    static String number(double value) {
        return String.format(Locale.ROOT, "%,.0f", value);
    }

    static String decimal(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
