package io.carbridge.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service ({@code target/smartcar-bridge.jar}) running as its own process, started the way the README
 * starts it: {@code java -jar} from the repository root, with a heap limit, loopback ports and its own database. The
 * benchmark and the fault harness only ever talk to it over HTTP, kill it, and read its {@code /proc} status.
 */
final class BridgeProcess implements AutoCloseable {

    /** The Application Management Token the service is started with; traffic is signed with it. */
    static final String MANAGEMENT_TOKEN = "benchmark-management-token";
    static final String INTAKE_PATH = "/webhooks/smartcar";
    static final String CEILING_PATH = "/benchmark/ceiling";
    /** Adds the trivial ceiling endpoint (test resources only) to the service's own routes. */
    static final String WITH_CEILING_ROUTE =
            "file:routes/*.camel.yaml,file:src/test/resources/benchmark/ceiling.camel.yaml";

    private static final Path JAR = Path.of("target", "smartcar-bridge.jar");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Launch launch;
    private final Process process;

    private BridgeProcess(Launch launch, Process process) {
        this.launch = launch;
        this.process = process;
    }

    /**
     * Everything needed to start (and restart) one service: the same database and ports every time, so a restart after
     * {@code kill -9} finds what the killed process committed.
     *
     * @param properties -D overrides of {@code application.properties}
     * @param jvmArgs    extra JVM options, such as a JFR recording
     */
    record Launch(String name, String heap, String dbUrl, int httpPort, int managementPort, Map<String, String> properties,
                  List<String> jvmArgs, Path logDirectory) {

        /** A fresh H2 file database in a new temporary directory. */
        static String freshH2Database() {
            try {
                return "jdbc:h2:file:" + Files.createTempDirectory("bridge-benchmark-db").resolve("bridge").toAbsolutePath();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Launch withProperty(String key, String value) {
            Map<String, String> more = new LinkedHashMap<>(properties);
            more.put(key, value);
            return new Launch(name, heap, dbUrl, httpPort, managementPort, more, jvmArgs, logDirectory);
        }

        /** Starts the service and waits until it reports ready (database reachable, routes started). */
        BridgeProcess start() {
            if (!Files.isRegularFile(JAR)) {
                throw new IllegalStateException(JAR + " is missing: run mvn package first (the benchmark starts the packaged service)");
            }
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx" + heap);
            command.addAll(jvmArgs);
            properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
            command.add("-jar");
            command.add(JAR.toString());
            try {
                Files.createDirectories(logDirectory);
                Path log = logDirectory.resolve(name + ".log");
                ProcessBuilder builder = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
                builder.environment().put("SMARTCAR_MANAGEMENT_TOKEN", MANAGEMENT_TOKEN);
                builder.environment().put("HTTP_PORT", String.valueOf(httpPort));
                builder.environment().put("MANAGEMENT_PORT", String.valueOf(managementPort));
                builder.environment().put("DB_URL", dbUrl);
                BridgeProcess bridge = new BridgeProcess(this, builder.start());
                bridge.awaitReady(log);
                return bridge;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    long pid() {
        return process.pid();
    }

    Launch launch() {
        return launch;
    }

    /** Peak resident set size (VmHWM) of the process so far, in kB. */
    long peakResidentKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            throw new IllegalStateException("no VmHWM in /proc/" + process.pid() + "/status");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code kill -9}: no shutdown hook, no last commit, whatever was in memory is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM, as an orchestrator stops it; waits for the graceful shutdown. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            kill();
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }

    private void awaitReady(Path log) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + launch.managementPort() + "/observe/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited with " + process.exitValue() + " while starting; see " + log);
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(Duration.ofMillis(200));
        }
        process.destroyForcibly();
        throw new IllegalStateException("the service was not ready within " + START_TIMEOUT.toSeconds() + " s; see " + log);
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
