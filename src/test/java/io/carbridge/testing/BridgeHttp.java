package io.carbridge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A real HTTP client on loopback, for tests that talk to the bridge the way Smartcar and operators do. */
public final class BridgeHttp {

    private static final ObjectMapper JSON = new ObjectMapper();

    // HTTP/1.1 as webhook senders speak it; the JDK's default would try a cleartext HTTP/2 upgrade on every connection
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String base;

    public BridgeHttp(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    public static BridgeHttp bridge() {
        return new BridgeHttp(TestPorts.HTTP);
    }

    public static BridgeHttp management() {
        return new BridgeHttp(TestPorts.MANAGEMENT);
    }

    /** A Smartcar-style delivery: JSON, with {@code SC-Signature} when {@code signature} is not null. */
    public Response deliver(String path, byte[] body, String signature) {
        return signature == null
                ? send("POST", path, body, Map.of("Content-Type", "application/json"))
                : send("POST", path, body, Map.of("Content-Type", "application/json", "SC-Signature", signature));
    }

    public Response get(String path, Map<String, String> headers) {
        return send("GET", path, null, headers);
    }

    public Response send(String method, String path, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(
                    response.statusCode(), response.body(), response.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public record Response(int status, String body, Map<String, java.util.List<String>> headers) {

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0))
                    .findFirst()
                    .orElse(null);
        }

        public boolean hasHeader(String name) {
            return header(name) != null;
        }
    }

    /** The Prometheus page of the in-JVM tests' management port. */
    public static String metrics() {
        return management().prometheus();
    }

    /** The value of one Prometheus series of the in-JVM tests' management port, see {@link #metricValue}. */
    public static double metric(String series) {
        return management().metricValue(series);
    }

    /** The Prometheus page, when this client talks to a management port. */
    public String prometheus() {
        return get("/observe/metrics", Map.of()).body();
    }

    /** The value of one Prometheus series, such as {@code name{label="x"}}; 0 while it has not been counted yet. */
    public double metricValue(String series) {
        return prometheus()
                .lines()
                .filter(line -> line.startsWith(series + " "))
                .mapToDouble(line ->
                        Double.parseDouble(line.substring(series.length() + 1).trim()))
                .findFirst()
                .orElse(0);
    }
}
