package io.carbridge.benchmark;

import io.carbridge.benchmark.Delivery.Traffic;
import io.carbridge.benchmark.Figures.LoadFigures;
import io.carbridge.benchmark.Figures.Storage;
import io.carbridge.benchmark.LoadGenerator.Observer;
import io.carbridge.benchmark.LoadGenerator.Result;
import io.carbridge.testing.ServiceProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A service under load (the bridge, one or more instances, or the minimal intake) on a fresh database of its own: runs
 * the loads, taking with each the CPU the service, the database server and the benchmark process used, and what the
 * database takes on disk after it.
 */
final class ServiceUnderLoad implements AutoCloseable {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final Benchmark.Options options;
    private final BenchmarkDatabase database;
    private final String url;
    private final List<ServiceProcess> services;
    private final LoadGenerator generator;
    private long accepted;
    private long peakOnDiskBytes;

    /** Takes over the started services: they are stopped with it. */
    ServiceUnderLoad(Benchmark.Options options, BenchmarkDatabase database, String url, List<ServiceProcess> services) {
        this.options = options;
        this.database = database;
        this.url = url;
        this.services = services;
        this.generator = new LoadGenerator(
                services.stream().map(ServiceProcess::httpPort).toList(), options.concurrency());
    }

    List<ServiceProcess> services() {
        return services;
    }

    /** Events accepted (202) so far, by every load. */
    long accepted() {
        return accepted;
    }

    /** Unique events and the trivial GET at saturation, not measured: the JIT compiles the paths the figures take. */
    void warmUp(SmartcarTraffic traffic) {
        Benchmark.phase("warm-up (" + options.warmupSeconds() + " s, not measured)");
        count(generator.saturate(
                options.concurrency(), Duration.ofSeconds(options.warmupSeconds()), traffic.events(), Observer.NONE));
        generator.saturate(
                options.concurrency(),
                Duration.ofSeconds(Math.max(1, options.warmupSeconds() / 3)),
                SmartcarTraffic.ceiling(),
                Observer.NONE);
    }

    /** {@code concurrency} requests in flight (closed loop) for a phase. */
    LoadFigures saturate(String name, Traffic traffic, Observer observer) {
        return measure(
                name,
                0,
                options.concurrency(),
                () -> generator.saturate(options.concurrency(), options.phase(), traffic, observer));
    }

    /** {@code perSecond} requests a second (open loop) for a phase. */
    LoadFigures atRate(String name, int perSecond, Traffic traffic, Observer observer) {
        return measure(name, perSecond, 0, () -> generator.atFixedRate(perSecond, options.phase(), traffic, observer));
    }

    /** A few requests, not measured (counted as accepted events all the same). */
    void send(int perSecond, Duration duration, Traffic traffic, Observer observer) {
        count(generator.atFixedRate(perSecond, duration, traffic, observer));
    }

    /**
     * What the database takes on disk and holds, and the peak resident size of each service; stops the services (the
     * data of H2 can only be read once the file is closed). Returns the storage figures and the peak sizes in MB.
     */
    Stopped stop() {
        long onDisk = database.onDiskBytes(url);
        peakOnDiskBytes = Math.max(peakOnDiskBytes, onDisk);
        List<Long> peakRssMb = services.stream()
                .map(service -> ProcessStats.peakResidentKb(service.pid()) / 1024)
                .toList();
        services.forEach(service -> service.stop(STOP_TIMEOUT));
        Map<String, Long> data = database.dataBytes(url);
        database.drop(url);
        return new Stopped(new Storage(database.label(), onDisk, peakOnDiskBytes, data), peakRssMb);
    }

    record Stopped(Storage storage, List<Long> peakRssMb) {}

    @Override
    public void close() {
        generator.close();
        services.forEach(ServiceProcess::close);
    }

    /** Runs one load, counting the events it got accepted and the CPU each process used meanwhile. */
    private LoadFigures measure(String name, int offeredPerSecond, int inFlight, Supplier<Result> load) {
        Benchmark.phase(name);
        List<Long> pids = services.stream().map(ServiceProcess::pid).toList();
        Long databasePid = database.serverPid();
        double serviceCpu = ProcessStats.cpuSeconds(pids);
        Double databaseCpu = databasePid == null ? null : ProcessStats.cpuSecondsWithDescendants(databasePid);
        double benchmarkCpu = ProcessStats.cpuSecondsOfThisProcess();
        Result result = count(load.get());
        LoadFigures figures = LoadFigures.of(
                name,
                offeredPerSecond,
                inFlight,
                result,
                ProcessStats.cpuSeconds(pids) - serviceCpu,
                databasePid == null ? null : ProcessStats.cpuSecondsWithDescendants(databasePid) - databaseCpu,
                ProcessStats.cpuSecondsOfThisProcess() - benchmarkCpu);
        peakOnDiskBytes = Math.max(peakOnDiskBytes, database.onDiskBytes(url));
        return figures;
    }

    private Result count(Result result) {
        accepted += result.answered(SmartcarTraffic.ACCEPTED);
        return result;
    }
}
