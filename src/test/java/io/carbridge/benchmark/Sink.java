package io.carbridge.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The HTTP destination of a benchmark run: a local HTTP endpoint that takes every delivery the bridge POSTs, counts it
 * by its {@code Idempotency-Key} (the event id), notes when each event first arrived, and measures receipt-to-sink
 * latency as now minus the event's {@code receivedAt} (the bridge and the sink share the machine's clock). It can go
 * away (connections refused) and come back on the same port, as a destination in an outage does; or answer {@code 410
 * Gone}, which makes the bridge pause it until an operator resumes it.
 */
final class Sink extends BenchmarkDestination {

    static final String PATH = "/sink";
    /** The destination's name in the bridge's settings. */
    static final String NAME = "sink";

    private static final long MAX_LATENCY_MICROS = TimeUnit.HOURS.toMicros(1);

    private final ObjectMapper json = new ObjectMapper();
    private final Vertx vertx =
            Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    private final int port;
    private final Recorder receiptToSink = new Recorder(MAX_LATENCY_MICROS, 3);
    private volatile boolean gone;
    private HttpServer server;

    Sink(int port) {
        this.port = port;
    }

    /**
     * The service's settings that make this sink its one destination, {@code sink}, with attempts in flight at once.
     */
    List<String> destinationSettings(int concurrency) {
        List<String> settings = new ArrayList<>(destinationSettings());
        settings.add("-Dbridge.destination.sink.concurrency=" + concurrency);
        return settings;
    }

    @Override
    String name() {
        return NAME;
    }

    /**
     * The service's settings that make this sink its one destination, {@code sink}, every other setting its default.
     */
    @Override
    List<String> destinationSettings() {
        return List.of(
                "-Dbridge.destinations=" + NAME,
                "-Dbridge.destination." + NAME + ".url=http://127.0.0.1:" + port + PATH);
    }

    /** Starts taking deliveries on the port. */
    Sink up() {
        server = vertx.createHttpServer()
                .requestHandler(this::take)
                .listen(port, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .join();
        return this;
    }

    /** From now on every delivery is answered {@code 410 Gone} (and not counted), until {@link #back()}. */
    void gone() {
        gone = true;
    }

    /** Takes deliveries again after {@link #gone()}. */
    void back() {
        gone = false;
    }

    /** The bridge pauses a destination that answers 410 Gone: from the next delivery on. */
    @Override
    void pause(Runnable deliverAFew, Runnable pauseThroughAdminApi) {
        gone();
        deliverAFew.run();
    }

    @Override
    void takeDeliveriesAgain() {
        back();
    }

    /** Stops listening and closes every open connection: deliveries are refused until {@link #up()}. */
    void down() {
        server.close().toCompletionStage().toCompletableFuture().join();
        server = null;
    }

    /** Receipt-to-sink latencies (microseconds) since the previous call. */
    Histogram takeReceiptToSink() {
        return receiptToSink.getIntervalHistogram();
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private void take(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            if (gone) {
                request.response().setStatusCode(410).end();
                return;
            }
            long now = System.nanoTime();
            Instant arrived = Instant.now();
            String eventId = request.getHeader("Idempotency-Key");
            try {
                JsonNode delivery = json.readTree(body.getBytes());
                if (eventId == null) {
                    eventId = delivery.path("eventId").asText();
                }
                Instant receivedAt = Instant.parse(delivery.path("receivedAt").asText());
                receiptToSink.recordValue(Math.max(
                        0,
                        Math.min(
                                MAX_LATENCY_MICROS,
                                Duration.between(receivedAt, arrived).toNanos() / 1_000)));
            } catch (Exception e) {
                request.response().setStatusCode(400).end("not a bridge delivery: " + e.getMessage());
                return;
            }
            arrived(eventId, now);
            request.response().setStatusCode(204).end();
        });
    }
}
