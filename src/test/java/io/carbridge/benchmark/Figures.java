package io.carbridge.benchmark;

import java.util.List;
import java.util.Map;

/** What a benchmark run measured: the figures of each load, service and database, as written to {@code results.json}. */
final class Figures {

    private Figures() {
    }

    /**
     * One load: what was offered, what came back, the latency to the answer (ms), and the cores each process used on
     * average during it: the service (all its instances), the database server when it runs apart (null for H2, which
     * runs inside the service), and the benchmark process (the load generator and the sink).
     */
    record LoadFigures(String load, int offeredPerSecond, int concurrency, long sent, long successes, long failed,
                       Map<Integer, Long> statuses, double achievedPerSecond, double p50Ms, double p99Ms, double p999Ms,
                       double maxMs, double serviceCores, Double databaseCores, double benchmarkCores) {

        static LoadFigures of(String load, int offeredPerSecond, int concurrency, LoadGenerator.Result result,
                              double serviceCpuSeconds, Double databaseCpuSeconds, double benchmarkCpuSeconds) {
            double seconds = result.elapsed().toNanos() / 1e9;
            return new LoadFigures(load, offeredPerSecond, concurrency, result.sent(), result.successes(), result.failed(),
                    result.statuses(), result.successesPerSecond(), result.millis(50), result.millis(99), result.millis(99.9),
                    result.maxMillis(), serviceCpuSeconds / seconds, databaseCpuSeconds == null ? null : databaseCpuSeconds / seconds,
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
    }

    /**
     * Delivery to the sink while a backlog drains and the intake takes a fixed rate: distinct events that first reached
     * the sink per second, from the resume until the backlog was delivered or the load ended, whichever came first.
     *
     * @param backlog         events waiting when the destination was resumed
     * @param backlogCleared  whether the whole backlog reached the sink before the load ended
     * @param intake          the load meanwhile
     * @param whyNotMeasured  null when measured
     */
    record Drain(long backlog, Double deliveredPerSecond, double seconds, boolean backlogCleared, LoadFigures intake,
                 String whyNotMeasured) {

        static Drain notMeasured(String why) {
            return new Drain(0, null, 0, false, null, why);
        }
    }

    /**
     * The CPU time of the delivery engine's claiming and recording threads per delivery, at a low rate.
     *
     * @param threads        the threads counted, as Linux names them
     * @param whyNotMeasured null when measured
     */
    record EngineOverhead(Double millisPerDelivery, long deliveries, double cpuSeconds, List<String> threads, String whyNotMeasured) {

        static EngineOverhead notMeasured(String why) {
            return new EngineOverhead(null, 0, 0, List.of(), why);
        }
    }

    /**
     * Delivery to the sink over the whole run.
     *
     * @param receiptToSinkP50Ms from the bridge's receipt to the sink's answer, at {@code atRate} events/s (null: not measured)
     * @param deliveredTwice     deliveries of an event the sink already had (at-least-once delivery)
     */
    record EndToEnd(Double receiptToSinkP50Ms, Double receiptToSinkP99Ms, Double receiptToSinkMaxMs, int atRate, long delivered,
                    long deliveredTwice, String note) {
    }

    /**
     * What the database took on disk against its data (see {@link BenchmarkDatabase}).
     *
     * @param onDiskBytes     at the end, the service still running (H2: the file; PostgreSQL: the database)
     * @param peakOnDiskBytes the most seen after any load
     * @param dataBytes       the bytes of the rows' values, per table
     */
    record Storage(String kind, long onDiskBytes, long peakOnDiskBytes, Map<String, Long> dataBytes) {

        long totalDataBytes() {
            return dataBytes.values().stream().mapToLong(Long::longValue).sum();
        }

        double onDiskPerDataByte() {
            return (double) onDiskBytes / totalDataBytes();
        }
    }

    /** The minimal durable intake on one database: the reference of every ratio. */
    record Reference(LoadFigures get, LoadFigures saturation, LoadFigures atTargetRate, Storage storage, long peakRssMb) {
    }

    /**
     * The bridge on one database with one or more instances, and the minimal intake measured on the same database in
     * the same run.
     *
     * @param get        the trivial GET at saturation; null with several instances (a figure of one server)
     * @param saturation the intake at saturation, the destination paused (the outbox rows wait, as in the reference)
     */
    record Setup(String name, String database, int instances, Reference reference, LoadFigures get, LoadFigures lowLoad,
                 EngineOverhead engine, List<LoadFigures> fixedRates, LoadFigures duplicates, LoadFigures saturation,
                 boolean saturationPaused, Drain drain, EndToEnd endToEnd, Storage storage, List<Long> peakRssMb) {
    }

    /** One measurement of every setup, with the machine's load average when it started and ended. */
    record Run(int number, String started, String loadAverageAtStart, String loadAverageAtEnd, List<Setup> setups) {
    }
}
