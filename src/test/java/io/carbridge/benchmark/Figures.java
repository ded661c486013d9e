package io.carbridge.benchmark;

import java.util.List;
import java.util.Map;

/**
 * What a benchmark run measured: the figures of each load, service and database, as written to {@code results.json}.
 */
final class Figures {

    private Figures() {}

    /**
     * One load: what was offered, what came back, the latency to the answer (ms), and the cores each process used on
     * average during it: the service (all its instances), the database server when it runs apart (null for H2, which
     * runs inside the service), and the benchmark process (the load generator and the sink).
     */
    record LoadFigures(
            String load,
            int offeredPerSecond,
            int concurrency,
            long sent,
            long successes,
            long failed,
            Map<Integer, Long> statuses,
            double achievedPerSecond,
            double p50Ms,
            double p99Ms,
            double p999Ms,
            double maxMs,
            double serviceCores,
            Double databaseCores,
            double benchmarkCores) {

        static LoadFigures of(
                String load,
                int offeredPerSecond,
                int concurrency,
                LoadGenerator.Result result,
                double serviceCpuSeconds,
                Double databaseCpuSeconds,
                double benchmarkCpuSeconds) {
            double seconds = result.elapsed().toNanos() / 1e9;
            return new LoadFigures(
                    load,
                    offeredPerSecond,
                    concurrency,
                    result.sent(),
                    result.successes(),
                    result.failed(),
                    result.statuses(),
                    result.successesPerSecond(),
                    result.millis(50),
                    result.millis(99),
                    result.millis(99.9),
                    result.maxMillis(),
                    serviceCpuSeconds / seconds,
                    databaseCpuSeconds == null ? null : databaseCpuSeconds / seconds,
                    benchmarkCpuSeconds / seconds);
        }

        /** Service CPU per answered request, in microseconds. */
        double serviceCpuMicrosPerRequest() {
            return serviceCores * 1e6 / achievedPerSecond;
        }

        /** Whether every request sent got a 2xx. */
        boolean allSucceeded() {
            return successes == sent;
        }

        /** Events answered 202: stored now. */
        long accepted() {
            return statuses.getOrDefault(SmartcarTraffic.ACCEPTED, 0L);
        }

        /**
         * The CPU time of all the service's processes during the load per event it accepted, in microseconds; null when
         * it accepted none.
         */
        Double serviceCpuMicrosPerAccepted() {
            if (accepted() == 0 || achievedPerSecond == 0) {
                return null;
            }
            double seconds = successes / achievedPerSecond;
            return serviceCores * seconds * 1e6 / accepted();
        }
    }

    /**
     * Delivery to the sink while a backlog drains and the intake takes a fixed rate: distinct events that first reached
     * the sink per second, from the resume until the backlog was delivered or the load ended, whichever came first.
     *
     * @param backlog events waiting when the destination was resumed
     * @param backlogCleared whether the whole backlog reached the sink before the load ended
     * @param intake the load meanwhile
     * @param whyNotMeasured null when measured
     */
    record Drain(
            long backlog,
            Double deliveredPerSecond,
            double seconds,
            boolean backlogCleared,
            LoadFigures intake,
            DatabaseActivity database,
            String whyNotMeasured) {

        static Drain notMeasured(String why) {
            return new Drain(0, null, 0, false, null, null, why);
        }
    }

    /**
     * The Kafka row: a bridge of its own whose one destination is a topic on the in-process broker
     * ({@link KafkaTopic}), its delivery measured as the HTTP destination's is: the intake at saturation fills the
     * paused outbox, then the backlog drains while the intake takes {@link BridgeMeasurement#TARGET_RATE} events/s.
     *
     * @param saturation the intake at saturation, the destination paused: the intake's rate with no destination
     *     delivering
     * @param saturationPaused whether the destination paused
     * @param drain the delivery to the topic while the backlog drains
     * @param whySkipped null when measured; otherwise why this setup has no Kafka row
     */
    record KafkaDelivery(LoadFigures saturation, boolean saturationPaused, Drain drain, String whySkipped) {

        static KafkaDelivery skipped(String why) {
            return new KafkaDelivery(null, false, null, why);
        }

        /** Meant to be measured, but it could not be: its delivery figure says why. */
        static KafkaDelivery notMeasured(String why) {
            return new KafkaDelivery(null, false, Drain.notMeasured(why), null);
        }
    }

    /**
     * The intake at saturation while the destination (the sink, answering at once) delivers: the backlog the intake
     * makes meanwhile is the delivery's to drain.
     *
     * @param deliveredPerSecond distinct events that first reached the sink per second during the load
     * @param database what PostgreSQL did meanwhile; null on H2
     * @param whyNotMeasured null when measured
     */
    record DeliveringIntake(
            LoadFigures intake, Double deliveredPerSecond, DatabaseActivity database, String whyNotMeasured) {

        static DeliveringIntake notMeasured(String why) {
            return new DeliveringIntake(null, null, null, why);
        }
    }

    /**
     * One statement as {@code pg_stat_statements} counts it over a load: its executions (a JDBC batch counts one per
     * row), the rows it returned or changed, its execution time (ms), the shared buffers it found in memory and read,
     * and the WAL it wrote.
     *
     * @param side {@link DatabaseActivity#INTAKE}, {@link DatabaseActivity#DELIVERY},
     *     {@link DatabaseActivity#TRANSACTION} or {@link DatabaseActivity#OTHER}, by its text (see
     *     {@link SqlActivity#side})
     */
    record StatementFigures(
            String side,
            String query,
            long calls,
            long rows,
            double totalMs,
            long sharedBlocksHit,
            long sharedBlocksRead,
            long sharedBlocksDirtied,
            long walBytes) {}

    /** The rows one table took over a load, from {@code pg_stat_user_tables}. */
    record TableFigures(
            long inserted, long updated, long hotUpdated, long deleted, long sequentiallyRead, long indexFetched) {}

    /**
     * The service's backends sampled every {@code sampleMillis} during a load: how many samples found one waiting on a
     * heavyweight lock ({@code wait_event_type = 'Lock'}) or holding a lock request not granted ({@code pg_locks});
     * over all samples, the backends waiting on a lock and the active backends; the ungranted locks by type and mode,
     * what the active backends waited on, and the statements that waited on a lock, each with its number of backend
     * samples.
     *
     * @param failure null unless the sampling stopped on an error
     */
    record LockWaits(
            long sampleMillis,
            int samples,
            int samplesWithLockWait,
            int samplesWithUngrantedLock,
            long backendsWaitingOnLocks,
            long activeBackends,
            Map<String, Long> ungrantedLocks,
            Map<String, Long> waitEvents,
            Map<String, Long> waitingStatements,
            String failure) {

        /** The fraction of samples in which a backend waited on a lock. */
        double lockWaitFraction() {
            return samples == 0 ? 0 : (double) samplesWithLockWait / samples;
        }
    }

    /**
     * The statements of one side over a load: executions apart from transaction control, transactions, and round trips
     * (the executions plus two per transaction, its {@code BEGIN} and its {@code COMMIT}); the rows, execution time and
     * shared buffers of its statements.
     */
    record Side(
            long statements,
            long transactions,
            long roundTrips,
            long rows,
            double executionMs,
            long sharedBlocksHit,
            long sharedBlocksRead) {}

    /**
     * What PostgreSQL did for one service's database during one load ({@link SqlActivity}).
     *
     * <p>Transactions are counted by their {@code BEGIN}. In a load where the delivery engine has nothing to do (its
     * destination paused, or the minimal intake) every transaction is the intake's. Otherwise the intake's are as many
     * as its duplicate check ran (once per transaction of its group commit), and the rest are counted as the
     * delivery's: the service's other work (the pause check, metrics, health) runs without a transaction of its own.
     *
     * @param seconds from the reset of the statistics to their reading
     * @param intakeOnly whether every transaction was the intake's (see above)
     * @param acceptedEvents events answered 202 during the load
     * @param deliveries deliveries the sink took during the load
     * @param intake the intake's statements (see {@link SqlActivity#side})
     * @param delivery the delivery's: claims, outcomes, attempts, the pause check
     * @param other every other statement; its transactions are 0 (see above)
     * @param all every statement of the database
     * @param roundTripsPerEvent the intake's round trips per accepted event; null if none was accepted
     * @param roundTripsPerDelivery the delivery's round trips per delivery; null if nothing was delivered or the
     *     intake's transactions could not be told apart
     * @param intakeTransactionChecks how many times the intake's duplicate check ran
     * @param note null, or what the attribution could not do
     */
    record DatabaseActivity(
            String load,
            double seconds,
            boolean intakeOnly,
            long acceptedEvents,
            long deliveries,
            Side intake,
            Side delivery,
            Side other,
            Side all,
            Double roundTripsPerEvent,
            Double roundTripsPerDelivery,
            long intakeTransactionChecks,
            String note,
            List<StatementFigures> statements,
            Map<String, TableFigures> tables,
            LockWaits lockWaits) {

        static final String INTAKE = "intake";
        static final String DELIVERY = "delivery";
        static final String TRANSACTION = "transaction";
        static final String OTHER = "other";

        static DatabaseActivity of(
                String load,
                double seconds,
                boolean intakeOnly,
                long acceptedEvents,
                long deliveries,
                List<StatementFigures> statements,
                Map<String, TableFigures> tables,
                LockWaits lockWaits) {
            long transactions = statements.stream()
                    .filter(s -> SqlActivity.isBegin(s.query()))
                    .mapToLong(StatementFigures::calls)
                    .sum();
            long intakeChecks = statements.stream()
                    .filter(s -> SqlActivity.isIntakeTransaction(s.query()))
                    .mapToLong(StatementFigures::calls)
                    .sum();
            long intakeStatements = statements.stream()
                    .filter(s -> s.side().equals(INTAKE))
                    .mapToLong(StatementFigures::calls)
                    .sum();
            String note = null;
            long intakeTransactions;
            if (intakeOnly) {
                intakeTransactions = transactions;
            } else if (intakeChecks == 0 && intakeStatements > 0) {
                intakeTransactions = 0;
                note = "the intake's transactions could not be told apart from the delivery's: its duplicate check ("
                        + SqlActivity.INTAKE_TRANSACTION + " ...) did not run";
            } else {
                intakeTransactions = Math.min(intakeChecks, transactions);
            }
            long deliveryTransactions = transactions - intakeTransactions;
            Side intake = side(statements, INTAKE, intakeTransactions);
            Side delivery = side(statements, DELIVERY, deliveryTransactions);
            Side other = side(statements, OTHER, 0);
            Side control = side(statements, TRANSACTION, 0);
            Side all = new Side(
                    intake.statements() + delivery.statements() + other.statements(),
                    transactions,
                    intake.statements() + delivery.statements() + other.statements() + 2 * transactions,
                    intake.rows() + delivery.rows() + other.rows() + control.rows(),
                    intake.executionMs() + delivery.executionMs() + other.executionMs() + control.executionMs(),
                    intake.sharedBlocksHit()
                            + delivery.sharedBlocksHit()
                            + other.sharedBlocksHit()
                            + control.sharedBlocksHit(),
                    intake.sharedBlocksRead()
                            + delivery.sharedBlocksRead()
                            + other.sharedBlocksRead()
                            + control.sharedBlocksRead());
            return new DatabaseActivity(
                    load,
                    seconds,
                    intakeOnly,
                    acceptedEvents,
                    deliveries,
                    intake,
                    delivery,
                    other,
                    all,
                    acceptedEvents == 0 ? null : (double) intake.roundTrips() / acceptedEvents,
                    deliveries == 0 || note != null ? null : (double) delivery.roundTrips() / deliveries,
                    intakeChecks,
                    note,
                    statements,
                    tables,
                    lockWaits);
        }

        /** A side's statements; the transaction control statements' rows, time and buffers count with no side. */
        private static Side side(List<StatementFigures> statements, String side, long transactions) {
            List<StatementFigures> its =
                    statements.stream().filter(s -> s.side().equals(side)).toList();
            long calls = its.stream().mapToLong(StatementFigures::calls).sum();
            return new Side(
                    side.equals(TRANSACTION) ? 0 : calls,
                    transactions,
                    (side.equals(TRANSACTION) ? 0 : calls) + 2 * transactions,
                    its.stream().mapToLong(StatementFigures::rows).sum(),
                    its.stream().mapToDouble(StatementFigures::totalMs).sum(),
                    its.stream().mapToLong(StatementFigures::sharedBlocksHit).sum(),
                    its.stream().mapToLong(StatementFigures::sharedBlocksRead).sum());
        }

        /** The statements that took the most execution time, the most first. */
        List<StatementFigures> busiest(int count) {
            return statements.stream()
                    .sorted(java.util.Comparator.comparingDouble(StatementFigures::totalMs)
                            .reversed())
                    .limit(count)
                    .toList();
        }
    }

    /**
     * The CPU time of the delivery engine's claiming and recording threads per delivery, at a low rate.
     *
     * @param threads the threads counted, as Linux names them
     * @param whyNotMeasured null when measured
     */
    record EngineOverhead(
            Double millisPerDelivery, long deliveries, double cpuSeconds, List<String> threads, String whyNotMeasured) {

        static EngineOverhead notMeasured(String why) {
            return new EngineOverhead(null, 0, 0, List.of(), why);
        }
    }

    /**
     * Delivery to the sink over the whole run.
     *
     * @param receiptToSinkP50Ms from the bridge's receipt to the sink's answer, at {@code atRate} events/s (null: not
     *     measured)
     * @param deliveredTwice deliveries of an event the sink already had (at-least-once delivery)
     */
    record EndToEnd(
            Double receiptToSinkP50Ms,
            Double receiptToSinkP99Ms,
            Double receiptToSinkMaxMs,
            int atRate,
            long delivered,
            long deliveredTwice,
            String note) {}

    /**
     * What the database took on disk against its data (see {@link BenchmarkDatabase}).
     *
     * @param onDiskBytes at the end, the service still running (H2: the file; PostgreSQL: the database)
     * @param peakOnDiskBytes the most seen after any load
     * @param dataBytes the bytes of the rows' values, per table
     */
    record Storage(String kind, long onDiskBytes, long peakOnDiskBytes, Map<String, Long> dataBytes) {

        long totalDataBytes() {
            return dataBytes.values().stream().mapToLong(Long::longValue).sum();
        }

        double onDiskPerDataByte() {
            return (double) onDiskBytes / totalDataBytes();
        }
    }

    /**
     * The minimal durable intake on one database: the reference of every ratio.
     *
     * @param saturationDatabase what PostgreSQL did during its intake at saturation; null on H2
     */
    record Reference(
            LoadFigures get,
            LoadFigures saturation,
            DatabaseActivity saturationDatabase,
            LoadFigures atTargetRate,
            Storage storage,
            long peakRssMb) {}

    /**
     * The bridge on one database with one or more instances, and the minimal intake measured on the same database in
     * the same run.
     *
     * @param build which build of the bridge ran: {@link BridgeMeasurement.Build#THIS_BUILD} or
     *     {@link BridgeMeasurement.Build#BASELINE} ({@code benchmark.baseline-jar})
     * @param get the trivial GET at saturation; null with several instances (a figure of one server)
     * @param saturation the intake at saturation, the destination paused (the outbox rows wait, as in the reference)
     * @param saturationDatabase what PostgreSQL did meanwhile; null on H2
     * @param drain the delivery to the HTTP sink while the backlog drains
     * @param kafka the same with a Kafka destination, in a bridge of its own
     * @param delivering the intake at saturation while the destination delivers
     */
    record Setup(
            String name,
            String database,
            int instances,
            String build,
            Reference reference,
            LoadFigures get,
            LoadFigures lowLoad,
            EngineOverhead engine,
            List<LoadFigures> fixedRates,
            LoadFigures duplicates,
            LoadFigures saturation,
            boolean saturationPaused,
            DatabaseActivity saturationDatabase,
            Drain drain,
            KafkaDelivery kafka,
            DeliveringIntake delivering,
            EndToEnd endToEnd,
            Storage storage,
            List<Long> peakRssMb) {}

    /** One measurement of every setup, with the machine's load average when it started and ended. */
    record Run(int number, String started, String loadAverageAtStart, String loadAverageAtEnd, List<Setup> setups) {}
}
