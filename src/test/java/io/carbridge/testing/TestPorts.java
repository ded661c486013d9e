package io.carbridge.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/**
 * Free loopback ports for the HTTP and management servers of in-JVM tests, chosen once per test JVM and published as
 * the system properties {@code test.http.port} and {@code test.management.port} that {@code test.properties} reads.
 * Test contexts run one after another, so they can all use the same pair.
 */
public final class TestPorts {

    public static final int HTTP;
    public static final int MANAGEMENT;

    static {
        HTTP = Integer.parseInt(System.getProperty("test.http.port", String.valueOf(freePort())));
        MANAGEMENT = Integer.parseInt(System.getProperty("test.management.port", String.valueOf(freePort())));
        System.setProperty("test.http.port", String.valueOf(HTTP));
        System.setProperty("test.management.port", String.valueOf(MANAGEMENT));
    }

    private TestPorts() {
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
