package io.carbridge.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Requests no well-behaved client sends (a broken URI, a body that never ends), written byte for byte to a socket. */
public final class RawHttp {

    private RawHttp() {}

    /** An open connection to the port on loopback; reads give up after 10 s. */
    public static Socket connect(int port) {
        try {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends the request as written, with {@code Connection: close}, and returns all that comes back. */
    public static String send(int port, String requestLine, String... headers) {
        return sendFrom("127.0.0.1", port, requestLine, headers);
    }

    /**
     * {@link #send}, from another loopback address than 127.0.0.1 (any of 127.0.0.0/8 on Linux): a second client, as
     * the bridge sees it.
     */
    public static String sendFrom(String localAddress, int port, String requestLine, String... headers) {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(localAddress, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            StringBuilder request = new StringBuilder(requestLine).append("\r\nHost: bridge\r\nConnection: close\r\n");
            for (String header : headers) {
                request.append(header).append("\r\n");
            }
            socket.getOutputStream().write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            return readUntilClosed(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What the peer sends until it closes the connection; "(not closed)" is appended if it did not within the timeout.
     */
    public static String readUntilClosed(InputStream in) throws IOException {
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[1024];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
        } catch (SocketTimeoutException notClosed) {
            text.append("(not closed)");
        }
        return text.toString();
    }
}
