package io.carbridge.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Free loopback ports for in-JVM tests, chosen once per test JVM and published as system properties
 * ({@code test.http.port}, {@code test.management.port}, {@code test.sink.port}, {@code test.smartcar.port}) that
 * {@code test.properties} and test annotations read as {@code {{sys:test.http.port}}}, before the first test runs
 * ({@link Publisher}). Test contexts run one after another, so they can share them.
 */
public final class TestPorts {

    public static final int HTTP = publish("http");
    public static final int MANAGEMENT = publish("management");
    /** Where tests run their HTTP destination double (WireMock): {@code test.sink.port}. */
    public static final int SINK = publish("sink");
    /** Where tests run their Smartcar double (WireMock, see {@link SmartcarDouble}): {@code test.smartcar.port}. */
    public static final int SMARTCAR = publish("smartcar");

    private TestPorts() {}

    /** Publishes the ports when the test session opens, before any test class asks Camel to resolve them. */
    public static final class Publisher implements LauncherSessionListener {
        @Override
        public void launcherSessionOpened(LauncherSession session) {
            System.getProperty("test.http.port", String.valueOf(HTTP));
        }
    }

    private static int publish(String name) {
        String property = "test." + name + ".port";
        int port = Integer.parseInt(System.getProperty(property, String.valueOf(freePort())));
        System.setProperty(property, String.valueOf(port));
        return port;
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
