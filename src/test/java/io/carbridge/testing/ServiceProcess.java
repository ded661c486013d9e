package io.carbridge.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The packaged service started the way the README says ({@code java -jar target/smartcar-bridge.jar} from the project
 * directory), as a separate process, so tests can kill it hard and start it again; or, for the benchmark's reference
 * service, a main class of the test classpath started the same way ({@link #startTestMain}). Its output goes to
 * {@code target/it-logs/<name>.log}.
 */
public final class ServiceProcess implements AutoCloseable {

    public static final Path JAR = Paths.get("target", "smartcar-bridge.jar");
    /** The heap limit the service runs under in every process-level test and in the benchmark. */
    public static final String MAX_HEAP = "256m";
    /**
     * What the build adds to every service it starts (it.jvm-options, set by the pom for the tests, not for the
     * benchmark): a short-lived service spends half its start-up CPU in the optimising compiler.
     */
    private static final List<String> JVM_OPTIONS = Arrays.stream(
                    System.getProperty("it.jvm-options", "").split(" "))
            .filter(option -> !option.isBlank())
            .toList();

    /** The service's readiness: 200 once the database is up and every route runs. */
    private static final String READINESS_PATH = "/observe/health/ready";

    private final Process process;
    private final Path log;
    private final long logOffset;
    private final int httpPort;
    private final int managementPort;
    private final BridgeHttp http;
    private final BridgeHttp management;
    /** Where {@link #awaitReady} asks, and what: 200 there means ready. */
    private final BridgeHttp readiness;

    private final String readinessPath;

    private ServiceProcess(
            Process process,
            Path log,
            long logOffset,
            int httpPort,
            int managementPort,
            boolean readyOnHttpPort,
            String readinessPath) {
        this.process = process;
        this.log = log;
        this.logOffset = logOffset;
        this.httpPort = httpPort;
        this.managementPort = managementPort;
        this.http = new BridgeHttp(httpPort);
        this.management = new BridgeHttp(managementPort);
        this.readiness = readyOnHttpPort ? http : management;
        this.readinessPath = readinessPath;
    }

    /** A fresh H2 file database under {@code target/it-data/<name>}; reuse the URL to restart on the same data. */
    public static String newDatabaseUrl(String name) {
        Path directory =
                Paths.get("target", "it-data", name + "-" + System.nanoTime()).toAbsolutePath();
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "jdbc:h2:file:" + directory.resolve("bridge");
    }

    /**
     * Starts the service with the test management token and the given environment and system properties (each
     * {@code -Dname=value}); does not wait for it to be ready.
     */
    public static ServiceProcess start(
            String name, String databaseUrl, Map<String, String> environment, List<String> systemProperties) {
        return startIn(Paths.get(""), name, databaseUrl, environment, systemProperties);
    }

    /** {@link #start}, from another working directory than the project's. */
    public static ServiceProcess startIn(
            Path workingDirectory,
            String name,
            String databaseUrl,
            Map<String, String> environment,
            List<String> systemProperties) {
        return startIn(workingDirectory, name, databaseUrl, environment, systemProperties, List.of());
    }

    /** {@link #startIn}, with command-line arguments after the jar (such as a team's {@code --routes-dir}). */
    public static ServiceProcess startIn(
            Path workingDirectory,
            String name,
            String databaseUrl,
            Map<String, String> environment,
            List<String> systemProperties,
            List<String> arguments) {
        List<String> main = new ArrayList<>(List.of("-jar", JAR.toAbsolutePath().toString()));
        main.addAll(arguments);
        return launch(workingDirectory, name, databaseUrl, environment, systemProperties, main, false, READINESS_PATH);
    }

    /**
     * {@link #startIn}, with another build of the service: {@code jar} (its {@code lib/} beside it), run from
     * {@code workingDirectory} (the checkout it was built in, whose {@code application.properties} and {@code routes/}
     * it reads). The benchmark's baseline.
     */
    public static ServiceProcess startJar(
            Path jar,
            Path workingDirectory,
            String name,
            String databaseUrl,
            Map<String, String> environment,
            List<String> systemProperties) {
        return launch(
                workingDirectory,
                name,
                databaseUrl,
                environment,
                systemProperties,
                List.of("-jar", jar.toAbsolutePath().toString()),
                false,
                READINESS_PATH);
    }

    /**
     * Starts {@code mainClass} of the test classpath as its own process, under the same heap limit and with the same
     * environment as {@link #start}; {@link #awaitReady} waits for a 200 from {@code readinessPath} on its HTTP port.
     */
    public static ServiceProcess startTestMain(
            String name,
            Class<?> mainClass,
            String readinessPath,
            String databaseUrl,
            Map<String, String> environment,
            List<String> systemProperties) {
        return launch(
                Paths.get(""),
                name,
                databaseUrl,
                environment,
                systemProperties,
                List.of("-cp", testClasspath(), mainClass.getName()),
                true,
                readinessPath);
    }

    private static ServiceProcess launch(
            Path workingDirectory,
            String name,
            String databaseUrl,
            Map<String, String> environment,
            List<String> systemProperties,
            List<String> main,
            boolean readyOnHttpPort,
            String readinessPath) {
        int httpPort = TestPorts.freePort();
        int managementPort = TestPorts.freePort();
        List<String> command = new ArrayList<>(List.of(javaExecutable(), "-Xmx" + MAX_HEAP));
        command.addAll(JVM_OPTIONS);
        command.addAll(systemProperties);
        command.addAll(main);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SMARTCAR_MANAGEMENT_TOKEN", Fixtures.MANAGEMENT_TOKEN);
        env.put("HTTP_PORT", String.valueOf(httpPort));
        env.put("MANAGEMENT_PORT", String.valueOf(managementPort));
        env.put("DB_URL", databaseUrl);
        env.putAll(environment);
        try {
            Path log = Paths.get("target", "it-logs", name + ".log");
            Files.createDirectories(log.getParent());
            long logOffset = Files.exists(log) ? Files.size(log) : 0;
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workingDirectory.toAbsolutePath().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment()
                    .keySet()
                    .removeIf(key -> key.equals("SMARTCAR_MANAGEMENT_TOKEN") || key.equals("DB_URL"));
            env.forEach((key, value) -> {
                if (value == null) {
                    builder.environment().remove(key);
                } else {
                    builder.environment().put(key, value);
                }
            });
            return new ServiceProcess(
                    builder.start(), log, logOffset, httpPort, managementPort, readyOnHttpPort, readinessPath);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until readiness answers 200 (for the service: the database is up and every route runs). */
    public ServiceProcess awaitReady(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited with " + process.exitValue() + ":\n" + output());
            }
            try {
                if (readiness.get(readinessPath, Map.of()).status() == 200) {
                    return this;
                }
            } catch (UncheckedIOException notListeningYet) {
                // keep waiting
            }
            sleep(200);
        }
        throw new IllegalStateException("the service was not ready within " + timeout + ":\n" + output());
    }

    public BridgeHttp http() {
        return http;
    }

    /** The port of the webhook endpoint, for clients other than {@link #http()} (the benchmark's load generator). */
    public int httpPort() {
        return httpPort;
    }

    public BridgeHttp management() {
        return management;
    }

    public int managementPort() {
        return managementPort;
    }

    /** {@code kill -9}: no shutdown hook, no flush, nothing. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(10));
    }

    /** SIGTERM: the graceful shutdown an orchestrator asks for. Returns the exit code. */
    public int stop(Duration timeout) {
        process.destroy();
        return awaitExit(timeout);
    }

    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException("the service did not exit within " + timeout);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** What this process wrote (the log file keeps earlier runs of the same name before it). */
    public String output() {
        try {
            byte[] all = Files.readAllBytes(log);
            int from = (int) Math.min(logOffset, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            awaitExit(Duration.ofSeconds(10));
        }
    }

    private static String javaExecutable() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * This JVM's test classpath. Under {@code exec:java} (the benchmark's Maven profile) it is the class loader Maven
     * made for the run, not {@code java.class.path}, which then holds Maven's own launcher. An empty entry (the working
     * directory, as failsafe's classpath has one) is left out: it would put the checkout's files on the child's
     * classpath.
     */
    private static String testClasspath() {
        if (ServiceProcess.class.getClassLoader() instanceof URLClassLoader loader) {
            return Arrays.stream(loader.getURLs())
                    .map(url -> {
                        try {
                            return Paths.get(url.toURI()).toString();
                        } catch (URISyntaxException e) {
                            throw new IllegalStateException("not a file on the classpath: " + url, e);
                        }
                    })
                    .collect(Collectors.joining(File.pathSeparator));
        }
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
