package io.carbridge.benchmark;

import io.carbridge.benchmark.Delivery.Traffic;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Drives the bridge over loopback HTTP/1.1 with keep-alive connections, from one Vert.x event loop (the machine's cores
 * are shared with the service, so the generator must stay cheap). Given several instances' ports, it sends to each in
 * turn, as a load balancer would.
 *
 * <p>Fixed-rate loads are open-loop: request {@code i} is due at {@code start + i / rate} whether or not earlier
 * answers came back, and its latency is measured from that intended time, so time spent queueing behind a slow answer
 * (in the generator, the connection pool or the service) is counted instead of hidden. Saturation loads are
 * closed-loop: a fixed number of requests in flight, each followed by the next as soon as it is answered.
 */
final class LoadGenerator implements AutoCloseable {

    /** Longest latency the histograms hold; a request is abandoned (counted as failed) after this. */
    private static final long MAX_LATENCY_MICROS = TimeUnit.SECONDS.toMicros(60);

    private final Vertx vertx;
    private final Context context;
    private final HttpClient client;
    private final int[] ports;

    /**
     * What happened to each request: its status, or 0 when there was no answer (connection refused, reset, timeout).
     */
    @FunctionalInterface
    interface Observer {
        Observer NONE = (delivery, status) -> {};

        void answered(Delivery delivery, int status);
    }

    /** The outcome of one load: latencies (microseconds, answered requests only) and counts. */
    record Result(Histogram latencyMicros, Map<Integer, Long> statuses, long failed, long sent, Duration elapsed) {

        long answered(int status) {
            return statuses.getOrDefault(status, 0L);
        }

        long successes() {
            return statuses.entrySet().stream()
                    .filter(e -> e.getKey() / 100 == 2)
                    .mapToLong(Map.Entry::getValue)
                    .sum();
        }

        double successesPerSecond() {
            return successes() / (elapsed.toNanos() / 1e9);
        }

        double millis(double percentile) {
            return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
        }

        double maxMillis() {
            return latencyMicros.getMaxValue() / 1000.0;
        }
    }

    LoadGenerator(int port, int maxConnections) {
        this(List.of(port), maxConnections);
    }

    /** @param maxConnections the most connections to each port */
    LoadGenerator(List<Integer> ports, int maxConnections) {
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        this.context = vertx.getOrCreateContext();
        this.ports = ports.stream().mapToInt(Integer::intValue).toArray();
        this.client = vertx.createHttpClient(
                // keep-alive shorter than the bridge's idle timeout (30 s), as docs/operations.md asks of a load
                // balancer: with
                // Vert.x's 60 s a request could go out on a connection the bridge was closing as idle, and get no
                // answer
                new HttpClientOptions()
                        .setDefaultHost("127.0.0.1")
                        .setKeepAlive(true)
                        .setKeepAliveTimeout(10)
                        .setConnectTimeout(5_000),
                new PoolOptions().setHttp1MaxSize(maxConnections).setMaxWaitQueueSize(-1));
        // a connection the service drops (kill -9, shutdown) fails its request, which is counted; no need for Vert.x
        // to log each one as an error besides
        client.connectionHandler(connection -> connection.exceptionHandler(ignored -> {}));
    }

    /**
     * Open loop: {@code perSecond} requests every second for {@code duration}; returns when every request is settled.
     */
    Result atFixedRate(double perSecond, Duration duration, Traffic traffic, Observer observer) {
        Load load = new Load(traffic, observer);
        long total = Math.round(perSecond * duration.toNanos() / 1e9);
        double intervalNanos = 1e9 / perSecond;
        context.runOnContext(ignored -> {
            load.start = System.nanoTime();
            // a 1 ms tick sends every request that is due; a late tick shows up as latency, as it would for Smartcar
            vertx.setPeriodic(0, 1, timer -> {
                long due = Math.min(total, (long) ((System.nanoTime() - load.start) / intervalNanos) + 1);
                while (load.sent < due) {
                    load.send(load.start + (long) (load.sent * intervalNanos), null);
                }
                if (load.sent == total) {
                    vertx.cancelTimer(timer);
                    load.finishIssuing();
                }
            });
        });
        return load.result.join();
    }

    /** Closed loop: {@code concurrency} requests always in flight for {@code duration}. */
    Result saturate(int concurrency, Duration duration, Traffic traffic, Observer observer) {
        Load load = new Load(traffic, observer);
        context.runOnContext(ignored -> {
            load.start = System.nanoTime();
            load.deadline = load.start + duration.toNanos();
            for (int i = 0; i < concurrency; i++) {
                load.sendNextUntilDeadline();
            }
        });
        return load.result.join();
    }

    @Override
    public void close() {
        client.close().toCompletionStage().toCompletableFuture().join();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    /** One load's state; touched only on the generator's event loop. */
    private final class Load {
        final Traffic traffic;
        final Observer observer;
        final Histogram latency = new Histogram(MAX_LATENCY_MICROS, 3);
        final Map<Integer, Long> statuses = new TreeMap<>();
        final CompletableFuture<Result> result = new CompletableFuture<>();
        long start;
        long deadline = Long.MAX_VALUE;
        long sent;
        long inFlight;
        long failed;
        long lastAnswer;
        boolean issuing = true;

        Load(Traffic traffic, Observer observer) {
            this.traffic = traffic;
            this.observer = observer;
        }

        void sendNextUntilDeadline() {
            long now = System.nanoTime();
            if (now < deadline) {
                send(now, this::sendNextUntilDeadline);
            } else if (issuing) {
                finishIssuing();
            }
        }

        void send(long intendedNanos, Runnable then) {
            Delivery delivery = traffic.next();
            sent++;
            inFlight++;
            RequestOptions options = new RequestOptions()
                    .setMethod(delivery.method())
                    .setURI(delivery.path())
                    .setPort(ports[(int) (sent % ports.length)])
                    .setIdleTimeout(TimeUnit.MICROSECONDS.toMillis(MAX_LATENCY_MICROS));
            if (delivery.contentType() != null) {
                options.putHeader("Content-Type", delivery.contentType());
            }
            if (delivery.signature() != null) {
                options.putHeader("SC-Signature", delivery.signature());
            }
            client.request(options)
                    .compose(request -> delivery.body() == null ? request.send() : request.send(delivery.body()))
                    .compose(response -> response.body().map(body -> response.statusCode()))
                    .onComplete(answer -> {
                        lastAnswer = System.nanoTime();
                        int status = answer.succeeded() ? answer.result() : 0;
                        if (answer.succeeded()) {
                            latency.recordValue(Math.min(MAX_LATENCY_MICROS, (lastAnswer - intendedNanos) / 1_000));
                            statuses.merge(status, 1L, Long::sum);
                        } else {
                            failed++;
                        }
                        observer.answered(delivery, status);
                        inFlight--;
                        if (then != null) {
                            then.run();
                        }
                        completeWhenSettled();
                    });
        }

        void finishIssuing() {
            issuing = false;
            completeWhenSettled();
        }

        void completeWhenSettled() {
            if (!issuing && inFlight == 0 && !result.isDone()) {
                result.complete(new Result(latency, statuses, failed, sent, Duration.ofNanos(lastAnswer - start)));
            }
        }
    }
}
