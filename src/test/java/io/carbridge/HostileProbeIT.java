package io.carbridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.Fixtures;
import io.carbridge.testing.RawHttp;
import io.carbridge.testing.ServiceProcess;
import io.carbridge.testing.TestPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The hostile probe of issue 10, run against the packaged service as an attacker would, on loopback: each request of
 * the issue, sent again, with one verdict line per request (PASS or FAIL, what was sent and what came back). The
 * service runs with its defaults except a short idle and body-read timeout (2 s), so that the slow-client requests take
 * seconds, and a small Connect state cap (20).
 */
class HostileProbeIT {

    private static final String ADMIN_TOKEN = "probe-admin-token";
    private static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer " + ADMIN_TOKEN);
    private static final String INTAKE = "/webhooks/smartcar";

    private final List<String> verdicts = new ArrayList<>();
    private ServiceProcess service;
    private BridgeHttp http;

    @Test
    void everyHostileRequestOfTheProbeGetsTheRightAnswer() throws Exception {
        Map<String, String> environment = Map.of(
                "ADMIN_TOKEN",
                ADMIN_TOKEN,
                "SMARTCAR_CLIENT_ID",
                "probe-client",
                "SMARTCAR_CLIENT_SECRET",
                "probe-secret",
                "SMARTCAR_REDIRECT_URI",
                "https://bridge.example.com/connect/callback",
                "SMARTCAR_WEBHOOK_ID",
                "probe-webhook",
                "TOKEN_ENCRYPTION_KEY",
                "BRaDHSSdQ5yjXG1FhzNbPiqL9Y2BnZH4iKO2q6Uv3xU=",
                "SMARTCAR_API_URL",
                "http://127.0.0.1:9/v2.0",
                "SMARTCAR_AUTH_URL",
                "http://127.0.0.1:9/oauth/token");
        // api-version: the Connect settings above are the v2 ones (ignored before issue 9's v3 support exists)
        // a destination nobody listens for, taking only the VEHICLE_ERROR events the readiness probe sends
        List<String> settings = List.of(
                "-Dbridge.http.idle-timeout=2s",
                "-Dbridge.http.body-read-timeout=2s",
                "-Dbridge.connect.max-open-states=20",
                "-Dbridge.http.trusted-proxies=127.0.0.1",
                "-Dbridge.smartcar.api-version=v2",
                "-Dbridge.destinations=crm-down",
                "-Dbridge.destination.crm-down.url=http://127.0.0.1:" + TestPorts.freePort() + "/crm",
                "-Dbridge.destination.crm-down.event-types=VEHICLE_ERROR");
        try (ServiceProcess started = ServiceProcess.start(
                        "hostile-probe", ServiceProcess.newDatabaseUrl("hostile-probe"), environment, settings)
                .awaitReady(Duration.ofSeconds(90))) {
            service = started;
            http = started.http();

            credentialsOnlyFromHeaders();
            slowAndIdleClients();
            malformedUri();
            noFiveHundred();
            logInjection();
            strictJson();
            connectFlood();
            managementPort();
            staleReplay();
            sigtermUnderLoad();
        }
        verdicts.forEach(System.out::println);
        assertThat(verdicts).as(String.join("\n", verdicts)).allSatisfy(verdict -> assertThat(verdict)
                .startsWith("PASS"));
    }

    // --- 2. credentials come only from request headers ---

    private void credentialsOnlyFromHeaders() {
        int admin = http.get("/admin/events?Authorization=Bearer%20" + ADMIN_TOKEN, Map.of())
                .status();
        verdict(
                admin == 401,
                "admin token as a query parameter",
                "GET /admin/events?Authorization=Bearer%20<admin token>",
                admin);

        byte[] body = event("probe-query-signature", "{}");
        BridgeHttp.Response signature = http.send(
                "POST",
                INTAKE + "?SC-Signature=" + Fixtures.sign(body),
                body,
                Map.of("Content-Type", "application/json"));
        boolean stored = stored("probe-query-signature");
        verdict(
                signature.status() == 401 && !stored,
                "SC-Signature as a query parameter",
                "a signed event, ?SC-Signature=<hex>, no header",
                signature.status() + (stored ? ", stored" : ", not stored"));
    }

    // --- 3. slow and idle clients ---

    private void slowAndIdleClients() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 400; i++) {
                held.add(RawHttp.connect(service.httpPort()));
            }
            long start = System.nanoTime();
            int served = http.get("/no-such-path", Map.of()).status();
            // the last one opened waits out the idle timeout (10 s at most); by then the others are closed too, or
            // never will be
            long closed = closedByPeer(held.get(held.size() - 1), 10_000)
                    ? 1
                            + held.subList(0, held.size() - 1).stream()
                                    .filter(socket -> closedByPeer(socket, 500))
                                    .count()
                    : 0;
            long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
            verdict(
                    closed == 400 && served == 404,
                    "400 idle connections",
                    "400 connections opened, nothing sent",
                    closed + " closed by the bridge within " + seconds
                            + " s (idle timeout 2 s); another client served meanwhile (" + served + ")");
        } finally {
            held.forEach(HostileProbeIT::closeQuietly);
        }

        try (Socket slow = RawHttp.connect(service.httpPort())) {
            slow.getOutputStream()
                    .write(("POST " + INTAKE + " HTTP/1.1\r\nHost: bridge\r\nContent-Type: application/json\r\n"
                                    + "Content-Length: 500\r\n\r\n{\"eventId\":\"half")
                            .getBytes(StandardCharsets.US_ASCII));
            byte[] body = event("probe-served-while-slow", "{}");
            int other = http.deliver(INTAKE, body, Fixtures.sign(body)).status();
            String answer = RawHttp.readUntilClosed(slow.getInputStream());
            boolean closed = !answer.endsWith("(not closed)");
            verdict(
                    answer.startsWith("HTTP/1.1 408") && closed && other == 202,
                    "half-sent request",
                    "headers and 16 of 500 body bytes, then nothing",
                    firstLine(answer) + (closed ? ", connection closed" : ", still open after 10 s")
                            + "; another delivery answered " + other);
        }
    }

    // --- 4. an anonymous request costs at most one short log line ---

    private void malformedUri() throws Exception {
        int logBefore = service.output().length();
        String answer = RawHttp.send(service.httpPort(), "GET /%ZZ HTTP/1.1");
        Thread.sleep(500); // the log is written asynchronously
        String logged = service.output().substring(logBefore);
        verdict(
                answer.startsWith("HTTP/1.1 400")
                        && isJson(answer)
                        && logged.lines().count() <= 1
                        && logged.length() < 300,
                "malformed URI",
                "GET /%ZZ",
                firstLine(answer) + (isJson(answer) ? " as JSON; " : " not as JSON; ") + logged.length()
                        + " bytes of log");
    }

    // --- 5. no input gets a 5xx ---

    private void noFiveHundred() {
        int admin = http.get("/admin/events?from=%2B1000000000-01-01T00:00:00Z", ADMIN)
                .status();
        verdict(admin == 400, "admin time out of range", "GET /admin/events?from=+1000000000-01-01T00:00:00Z", admin);

        byte[] body = event("probe-delivered-at", "{}", "\"deliveredAt\":-1e18");
        int intake = http.deliver(INTAKE, body, Fixtures.sign(body)).status();
        BridgeHttp.Response stored = http.get("/admin/events/probe-delivered-at", ADMIN);
        boolean flagged = stored.status() == 200
                && stored.json().path("eventTimeUnreadable").asBoolean()
                && stored.json().get("eventTime").isNull();
        verdict(
                intake == 202 && flagged,
                "unrepresentable deliveredAt",
                "a signed event with deliveredAt: -1e18",
                intake
                        + (flagged
                                ? ", stored as received without an event time, flagged"
                                : ", not stored as received and flagged"));
    }

    // --- 6. log injection ---

    private void logInjection() throws Exception {
        byte[] body =
                ("{\"eventId\":\"probe-1\\n2026-11-30T10:00:00,000 INFO  [main] i.c.intake - outcome=accepted status=202 eventId=FORGED\","
                                + "\"eventType\":\"VEHICLE_STATE\",\"vehicleId\":\"v\",\"data\":{},\"meta\":{\"version\":\"4.0\"}}")
                        .getBytes(StandardCharsets.UTF_8);
        int status = http.deliver(INTAKE, body, Fixtures.sign(body)).status();
        Thread.sleep(500);
        boolean forged = service.output()
                .lines()
                .anyMatch(line -> line.contains("eventId=FORGED") && !line.contains(" - outcome=rejected"));
        verdict(
                status == 400 && !forged,
                "forged log line",
                "a signed event whose id holds a newline and a log line",
                status + (forged ? "; a forged line in the log" : "; no log line of its own"));
    }

    // --- 7. strict JSON ---

    private void strictJson() {
        String event =
                "{\"eventId\":\"probe-strict-%s\",\"eventType\":\"VEHICLE_STATE\",\"vehicleId\":\"v\",\"data\":{},\"meta\":{}}";
        strict("trailing bytes", String.format(event, "1") + "x");
        strict("two documents", String.format(event, "2") + String.format(event, "3"));
        strict(
                "duplicate keys",
                "{\"eventId\":\"probe-strict-4\",\"eventId\":\"probe-strict-5\",\"eventType\":\"VEHICLE_STATE\",\"data\":{},\"meta\":{}}");
    }

    private void strict(String name, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        int status = http.deliver(INTAKE, body, Fixtures.sign(body)).status();
        verdict(
                status == 400,
                "strict JSON, " + name,
                "signed: " + json.substring(0, Math.min(40, json.length())) + "...",
                status);
    }

    // --- 8. a flood on /connect/start ---

    private void connectFlood() {
        int[] oneClient = connectStarts(30, i -> "198.51.100.1");
        verdict(
                oneClient[0] == 10 && oneClient[1] == 20,
                "/connect/start flood from one client",
                "30 starts, 10 a client at once",
                oneClient[0] + " redirected, " + oneClient[1] + " answered 429");
        int[] manyClients = connectStarts(30, i -> "198.51.100." + (10 + i));
        // the cap of open states stands behind the per-client limit: the first client's 10 states count toward it
        verdict(
                manyClients[0] == 10 && manyClients[1] == 20,
                "/connect/start flood from many clients",
                "30 starts from 30 addresses, cap 20, 10 open already",
                manyClients[0] + " redirected, " + manyClients[1] + " answered 429");
        int longRef = http.get("/connect/start?ref=" + "r".repeat(300), Map.of("X-Forwarded-For", "198.51.100.99"))
                .status();
        verdict(longRef == 400, "/connect/start with a long ref", "ref of 300 characters (at most 200)", longRef);
        String tooLong = RawHttp.send(service.httpPort(), "GET /connect/start?ref=" + "r".repeat(5_000) + " HTTP/1.1");
        verdict(
                tooLong.matches("(?s)HTTP/1\\.[01] 414 .*") && isJson(tooLong),
                "/connect/start with a very long ref",
                "ref of 5,000 characters (over the HTTP server's 4,096-byte request line)",
                firstLine(tooLong) + (isJson(tooLong) ? " as JSON" : " not as JSON"));
    }

    /**
     * Starts from the client addresses given, through the trusted proxy (127.0.0.1): how many redirected, how many 429.
     */
    private int[] connectStarts(int count, IntFunction<String> client) {
        int[] outcomes = new int[2];
        for (int i = 0; i < count; i++) {
            int status = http.get(
                            "/connect/start?ref=flood-" + client.apply(i) + "-" + i,
                            Map.of("X-Forwarded-For", client.apply(i)))
                    .status();
            outcomes[0] += status == 302 ? 1 : 0;
            outcomes[1] += status == 429 ? 1 : 0;
        }
        return outcomes;
    }

    // --- 13. the management port ---

    private void managementPort() {
        for (int i = 0; i < 3; i++) {
            byte[] body = ("{\"eventId\":\"probe-down-" + i
                            + "\",\"eventType\":\"VEHICLE_ERROR\",\"vehicleId\":\"veh-down-" + i
                            + "\",\"data\":{},\"meta\":{\"version\":\"4.0\",\"mode\":\"LIVE\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            http.deliver(INTAKE, body, Fixtures.sign(body));
        }
        String readiness = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> service.management()
                                .get("/observe/health/ready?data=true", Map.of())
                                .body(),
                        body -> body.contains("crm-down"));
        boolean address = readiness.contains("127.0.0.1") || readiness.contains("/crm");
        verdict(
                !address,
                "readiness detail of a failing destination",
                "GET /observe/health/ready?data=true, no token",
                address ? "names crm-down with its address" : "names crm-down, not its host, port or path");
    }

    // --- 15. a replay older than the deduplication memory ---

    private void staleReplay() {
        long thirtyOneDaysAgo = Instant.now().minus(Duration.ofDays(31)).toEpochMilli();
        byte[] body = event("probe-stale", "{}", "\"deliveredAt\":" + thirtyOneDaysAgo);
        BridgeHttp.Response answer = http.deliver(INTAKE, body, Fixtures.sign(body));
        boolean stored = stored("probe-stale");
        verdict(
                answer.status() == 200
                        && "stale".equals(answer.json().path("status").asText())
                        && !stored,
                "captured replay",
                "a signed delivery, deliveredAt 31 days ago (retention 30)",
                answer.status() + " " + answer.body() + (stored ? ", stored" : ", not stored"));
    }

    // --- 1. SIGTERM under load (in full: GracefulShutdownIT) ---

    private void sigtermUnderLoad() throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(8);
        List<CompletableFuture<Integer>> inFlight = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            byte[] body = event("probe-term-" + i, "{}");
            Supplier<Integer> send = () -> {
                try {
                    return http.deliver(INTAKE, body, Fixtures.sign(body)).status();
                } catch (UncheckedIOException failed) {
                    // refused: the listener had closed before this client connected, so nothing of it was sent; the
                    // defect the probe looks for is an accepted request left without its answer
                    return failed.getCause() instanceof ConnectException ? REFUSED : RESET;
                }
            };
            inFlight.add(CompletableFuture.supplyAsync(send, senders));
        }
        Thread.sleep(50);
        service.stop(Duration.ofSeconds(60));
        List<Integer> statuses = inFlight.stream().map(CompletableFuture::join).toList();
        senders.shutdown();
        long reset = statuses.stream()
                .filter(status -> status != 202 && status != 503 && status != REFUSED)
                .count();
        boolean closedUnderThem = service.output().contains("already closed");
        verdict(
                reset == 0 && !closedUnderThem,
                "SIGTERM under load",
                "64 deliveries, SIGTERM 50 ms into them",
                statuses.stream().filter(s -> s == 202).count() + " x 202, "
                        + statuses.stream().filter(s -> s == 503).count() + " x 503, "
                        + statuses.stream().filter(s -> s == REFUSED).count() + " refused after the listener closed, "
                        + reset + " accepted and then reset or unanswered"
                        + (closedUnderThem ? "; the database closed under them" : "; the database closed after them"));
    }

    // --- helpers ---

    private static final int REFUSED = -1;
    private static final int RESET = 0;

    private void verdict(boolean passed, String name, String sent, Object got) {
        verdicts.add((passed ? "PASS " : "FAIL ") + name + ": " + sent + " -> " + got);
    }

    private boolean stored(String eventId) {
        return http.get("/admin/events/" + eventId, ADMIN).status() == 200;
    }

    private static byte[] event(String eventId, String data, String... meta) {
        return ("{\"eventId\":\"" + eventId + "\",\"eventType\":\"VEHICLE_STATE\",\"vehicleId\":\"veh-probe\",\"data\":"
                        + data + ",\"meta\":{\"version\":\"4.0\",\"mode\":\"LIVE\""
                        + (meta.length == 0 ? "" : "," + String.join(",", meta)) + "}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static boolean closedByPeer(Socket socket, int waitMillis) {
        try {
            socket.setSoTimeout(waitMillis);
            return socket.getInputStream().read() == -1;
        } catch (IOException e) {
            return false;
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closed already
        }
    }

    private static boolean isJson(String answer) {
        return answer.toLowerCase().contains("content-type: application/json");
    }

    private static String firstLine(String text) {
        return text.lines().findFirst().orElse("(nothing)");
    }
}
