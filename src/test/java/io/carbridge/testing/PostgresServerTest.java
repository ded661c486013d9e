package io.carbridge.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL tests run from any checkout: as root, a clone in root's home or in a {@code mktemp -d} directory sits
 * under a directory only root can enter (0700), where {@code nobody}, the user PostgreSQL runs as, cannot reach.
 */
class PostgresServerTest {

    @Test
    void aServerStartsAndAnswersWhenTheCheckoutIsInADirectoryOnlyItsOwnerCanEnter(@TempDir Path privateDirectory)
            throws Exception {
        Files.setPosixFilePermissions(privateDirectory, PosixFilePermissions.fromString("rwx------"));
        Path checkout = Files.createDirectories(privateDirectory.resolve("bridge"));

        Process child = new ProcessBuilder(
                        Paths.get(System.getProperty("java.home"), "bin", "java")
                                .toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        PostgresServerTest.class.getName())
                .directory(checkout.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(child.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(child.exitValue()).as(output).isZero();
        assertThat(output).contains("answered 1");
    }

    /** The child JVM, working in the private checkout: a database on its own server, and one query. */
    public static void main(String[] args) throws Exception {
        try (Connection connection = DriverManager.getConnection(PostgresServer.newDatabase("private_checkout"));
                ResultSet answer = connection.createStatement().executeQuery("SELECT 1")) {
            answer.next();
            System.out.println("answered " + answer.getInt(1));
        }
    }
}
