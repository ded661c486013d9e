package io.carbridge.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A stand-in for your CRM in the README's "Try it": prints every delivery the bridge sends it and answers 204. Runs
 * with the JDK alone, from the repository root: {@code java src/test/java/io/carbridge/testing/ExampleDestination.java
 * [port]} (port 9000 by default, where the example destination of application.properties sends).
 */
public final class ExampleDestination {

    private ExampleDestination() {}

    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 9000;
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                System.out.println(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " Idempotency-Key: "
                        + exchange.getRequestHeaders().getFirst("Idempotency-Key") + System.lineSeparator()
                        + new String(body.readAllBytes(), StandardCharsets.UTF_8));
                System.out.flush();
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        System.out.println("Example destination: printing what the bridge sends to http://localhost:" + port
                + "/ (Ctrl-C to stop)");
    }
}
