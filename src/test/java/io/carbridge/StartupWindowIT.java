package io.carbridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.Fixtures;
import io.carbridge.testing.ServiceProcess;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The windows in which the packaged service listens but its routes do not run: from the moment its port opens until
 * every route has started, and from SIGTERM until it exits. A load balancer or Smartcar's retry may send a request at
 * any of those moments; each is answered 503 with {@code Retry-After} and a JSON body (or finds no listener), never a
 * 404 or an HTML page, which would say the path is wrong. Readiness turns 200 only once a delivery can be served.
 */
class StartupWindowIT {

    private static final String ADMIN_TOKEN = "startup-window-admin";
    private static final Duration START = Duration.ofSeconds(90);

    @Test
    void fromThePortOpeningUntilEveryRouteRunsAndFromSigtermOnEveryAnswerIs503WithRetryAfterNever404OrHtml()
            throws Exception {
        String database = ServiceProcess.newDatabaseUrl("startup-window");
        ExecutorService probes = Executors.newFixedThreadPool(4);
        try (ServiceProcess service =
                ServiceProcess.start("startup-window", database, Map.of("ADMIN_TOKEN", ADMIN_TOKEN), List.of())) {
            AtomicInteger sequence = new AtomicInteger();
            AtomicBoolean stopping = new AtomicBoolean();
            List<Probe> all = List.of(
                    new Probe("POST /webhooks/smartcar", () -> {
                        byte[] body = Fixtures.currentEvent(
                                "window-" + sequence.incrementAndGet(), "VEHICLE_STATE", "veh-window", "");
                        return service.http().deliver("/webhooks/smartcar", body, Fixtures.sign(body));
                    }),
                    new Probe("GET /console/", () -> service.http().get("/console/", Map.of())),
                    new Probe("GET /admin/events", () -> service.http()
                            .get("/admin/events?limit=1", Map.of("Authorization", "Bearer " + ADMIN_TOKEN))),
                    new Probe("GET /observe/health/ready", () -> service.management()
                            .get("/observe/health/ready", Map.of())));
            List<CompletableFuture<Void>> running = new ArrayList<>();
            for (Probe probe : all) {
                running.add(CompletableFuture.runAsync(() -> probe.run(stopping), probes));
            }

            // until each path has been served a few times
            long deadline = System.nanoTime() + START.toNanos();
            while (all.stream().anyMatch(probe -> probe.served() < 5) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(all).as("every path served after the start").allSatisfy(probe -> assertThat(probe.served())
                    .as(probe.name)
                    .isGreaterThanOrEqualTo(5));

            stopping.set(true);
            service.stop(Duration.ofSeconds(60));
            CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get();

            for (Probe probe : all) {
                System.out.println(probe.name + ": before its first 2xx " + compress(probe.beforeServed)
                        + "; after SIGTERM " + compress(probe.afterSigterm));
            }
            for (Probe probe : all) {
                // readiness may also say DOWN itself, in Camel's words, as the service begins to stop
                String notNow = probe == all.get(3) ? "503 json( no)? retry-after" : "503 json retry-after";
                assertThat(probe.beforeServed)
                        .as(probe.name + ": the answers before it was first served")
                        .allSatisfy(answer -> assertThat(answer).matches("refused|" + notNow));
                assertThat(probe.whileServing)
                        .as(probe.name + ": the answers once served")
                        .allSatisfy(answer -> assertThat(answer).startsWith("2"));
                // a 2xx after SIGTERM answers a request that came just before the service began to stop; the process
                // exits in the end, and the connections that reached the port while it closed break (no answer at all,
                // which Smartcar retries like a 503)
                assertThat(String.join(" | ", probe.afterSigterm))
                        .as(probe.name + ": the answers after SIGTERM")
                        .matches("((2\\d\\d [^|]*|" + notNow + ") \\| )*(broken[^|]* \\| )*refused");
            }
            Probe intake = all.get(0);
            assertThat(intake.beforeServed)
                    .as("the intake was asked while its port listened and its routes did not run yet")
                    .anyMatch(answer -> answer.startsWith("503"));
            assertThat(intake.afterSigterm).as("and after SIGTERM").anyMatch(answer -> answer.startsWith("503"));
            Probe readiness = all.get(3);
            assertThat(intake.lastRefusedSentAt)
                    .as("no delivery sent after readiness said ready was refused")
                    .isLessThan(readiness.firstServedAt);
        } finally {
            probes.shutdownNow();
        }
    }

    private static String compress(List<String> answers) {
        StringBuilder text = new StringBuilder();
        String last = null;
        int count = 0;
        for (String answer : answers) {
            if (answer.equals(last)) {
                count++;
                continue;
            }
            if (last != null) {
                text.append(count).append(" x ").append(last).append("; ");
            }
            last = answer;
            count = 1;
        }
        return text.append(count).append(" x ").append(last).toString();
    }

    /**
     * One path asked over and over: what it answered before its first 2xx, between that and SIGTERM, and after SIGTERM.
     */
    private static final class Probe {

        final String name;
        final Supplier<BridgeHttp.Response> request;
        final List<String> beforeServed = new CopyOnWriteArrayList<>();
        final List<String> whileServing = new CopyOnWriteArrayList<>();
        final List<String> afterSigterm = new CopyOnWriteArrayList<>();
        volatile long firstServedAt = Long.MAX_VALUE;
        /** When the last request that was not served yet was sent. */
        volatile long lastRefusedSentAt;

        Probe(String name, Supplier<BridgeHttp.Response> request) {
            this.name = name;
            this.request = request;
        }

        int served() {
            return whileServing.size();
        }

        void run(AtomicBoolean stopping) {
            while (!stopping.get()) {
                long sentAt = System.nanoTime();
                String answer = answer();
                if (firstServedAt == Long.MAX_VALUE && !answer.startsWith("2")) {
                    beforeServed.add(answer);
                    lastRefusedSentAt = sentAt;
                } else {
                    if (firstServedAt == Long.MAX_VALUE) {
                        firstServedAt = System.nanoTime();
                    }
                    // a request in flight as the test turns to stopping the service may be answered after SIGTERM
                    (stopping.get() ? afterSigterm : whileServing).add(answer);
                }
            }
            // until the port refuses connections: the process has closed it, or exited
            for (String answer = answer(); ; answer = answer()) {
                afterSigterm.add(answer);
                if (answer.equals("refused")) {
                    return;
                }
            }
        }

        private String answer() {
            try {
                BridgeHttp.Response response = request.get();
                String contentType = String.valueOf(response.header("Content-Type"));
                if (response.status() == 503) {
                    // the JSON error of the bridge, or the DOWN of Camel's readiness check
                    boolean json = contentType.startsWith("application/json")
                            && (response.json().has("error") || response.json().has("status"));
                    return "503" + (json ? " json" : " " + contentType)
                            + (response.hasHeader("Retry-After") ? " retry-after" : " no retry-after");
                }
                return response.status() + " " + contentType;
            } catch (UncheckedIOException failed) {
                return failed.getCause() instanceof ConnectException ? "refused" : "broken: " + failed.getCause();
            }
        }
    }
}
