package io.carbridge.http;

import io.carbridge.Settings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.impl.VertxInternal;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Limits of the embedded HTTP servers (the main port and the management port), against clients that hold connections or
 * send slowly, and against requests Vert.x cannot route:
 *
 * <ul>
 *   <li>at most {@code bridge.http.max-connections} open connections per port; one more is closed as it opens;
 *   <li>a connection with no request in progress for {@code bridge.http.idle-timeout} is closed (whether it never sent
 *       a request, sends its headers too slowly, or stays open after its last answer); a request the bridge takes long
 *       to answer is in progress, and is never cut by it;
 *   <li>a request whose body has not fully arrived {@code bridge.http.body-read-timeout} after its headers is answered
 *       408 and its connection closed;
 *   <li>a request URI with a broken percent-escape ({@code /%ZZ}) is answered 400 as JSON, instead of Vert.x logging a
 *       stack trace for it, and a request Vert.x cannot decode (a request line or headers over its limits) gets its
 *       status with a JSON body too;
 *   <li>until every route has started ({@link #open()}), and again once the service shuts down ({@link #drain()}),
 *       every request is answered 503 with {@code Retry-After} and a JSON body, on every port: never a 404 or an HTML
 *       page, which would tell Smartcar (or a load balancer) that the path is wrong rather than "not now";
 *   <li>once the service shuts down, every answer closes its connection.
 * </ul>
 *
 * Camel 4.18's platform-http server builds its Vert.x {@code HttpServerOptions} itself and has no setting for any of
 * these; it takes the Vert.x instance from the registry, though, so the bridge binds the one {@link #vertx} makes,
 * which installs this guard on every HTTP server created with it, before the server listens.
 */
public final class HttpServerGuard {

    /** The three limits, from {@code bridge.http.*}. */
    public record Limits(Duration idleTimeout, Duration bodyReadTimeout, int maxConnections) {

        public static Limits from(Settings settings) {
            HttpSettings http = settings.of(HttpSettings.class);
            return new Limits(http.idleTimeout, http.bodyReadTimeout, http.maxConnections);
        }
    }

    /** Told of each request the guard answers itself (408, 400), to count and log it like the routes' refusals. */
    @FunctionalInterface
    public interface Refusals {
        void refused(HttpServerRequest request, int status, String reason);
    }

    private final Limits limits;
    private final long sweepMillis;
    private final Counter overLimit;
    private final Counter idle;
    private final Counter slowBody;
    private final List<Connections> servers = new CopyOnWriteArrayList<>();
    private volatile Refusals refusals = (request, status, reason) -> {};
    private volatile Window window = Window.STARTING;

    /** Whether the routes behind the HTTP servers can serve a request. */
    private enum Window {
        STARTING(1, "the service is starting; try again in a moment"),
        SERVING(0, null),
        STOPPING(5, "the service is shutting down; try again later");

        final int retryAfterSeconds;
        final String message;

        Window(int retryAfterSeconds, String message) {
            this.retryAfterSeconds = retryAfterSeconds;
            this.message = message;
        }
    }

    public HttpServerGuard(Limits limits, MeterRegistry meters) {
        this.limits = limits;
        // the timeouts are kept to within a quarter of the shorter one (at most a second late)
        this.sweepMillis = Math.max(
                50,
                Math.min(
                        1_000,
                        Math.min(
                                        limits.idleTimeout().toMillis(),
                                        limits.bodyReadTimeout().toMillis())
                                / 4));
        this.overLimit = closed(meters, "over_limit");
        this.idle = closed(meters, "idle");
        this.slowBody = closed(meters, "body_read_timeout");
    }

    private static Counter closed(MeterRegistry meters, String reason) {
        return Counter.builder("bridge.http.connections.closed")
                .tag("reason", reason)
                .description("Connections the HTTP servers closed: over the limit, idle, or a request body too slow")
                .register(meters);
    }

    public void reportRefusalsTo(Refusals refusals) {
        this.refusals = refusals;
    }

    /** Every route has started: requests reach them from now on. */
    public void open() {
        if (window == Window.STARTING) {
            window = Window.SERVING;
        }
    }

    /**
     * The service is shutting down: from now on every new request is answered 503, and every answer carries
     * {@code Connection: close}, those of the requests in progress included, so that no client sends another request on
     * a connection that is about to close. The requests in progress finish.
     */
    public void drain() {
        window = Window.STOPPING;
        servers.forEach(Connections::closeAfterAnswers);
    }

    /**
     * A Vert.x instance (with these options) whose HTTP servers are guarded; the caller closes it, after the servers.
     * Everything but {@code createHttpServer} is the plain Vert.x instance's.
     */
    public Vertx vertx(VertxOptions options) {
        Vertx vertx = Vertx.vertx(options);
        return proxy(
                VertxInternal.class,
                vertx,
                (proxy, method, args) -> method.getName().equals("createHttpServer")
                        ? guarded(
                                vertx,
                                vertx.createHttpServer(
                                        http1(args == null ? new HttpServerOptions() : (HttpServerOptions) args[0])))
                        : null);
    }

    /**
     * HTTP/1.1 only, as Smartcar and the admin API speak it. With cleartext HTTP/2 on (Vert.x's default), a connection
     * exists for the server only once its first bytes tell the protocol: a client that connects and sends nothing would
     * never be seen, nor closed.
     */
    private static HttpServerOptions http1(HttpServerOptions options) {
        return options.setHttp2ClearTextEnabled(false);
    }

    @SuppressWarnings("unchecked")
    private HttpServer guarded(Vertx vertx, HttpServer server) {
        Connections connections = new Connections();
        servers.add(connections);
        server.connectionHandler(connections);
        server.invalidRequestHandler(HttpServerGuard::answerUndecodable);
        long sweeper = vertx.setPeriodic(sweepMillis, timer -> connections.sweep());
        return proxy(HttpServer.class, server, (proxy, method, args) -> {
            if (method.getName().equals("requestHandler") && args != null && args.length == 1) {
                server.requestHandler(connections.guard((Handler<HttpServerRequest>) args[0]));
                return proxy;
            }
            if (method.getName().equals("close")) {
                vertx.cancelTimer(sweeper);
                servers.remove(connections);
            }
            return null;
        });
    }

    /** The open connections of one HTTP server. */
    private final class Connections implements Handler<HttpConnection> {

        private final Map<HttpConnection, Tracked> open = new ConcurrentHashMap<>();

        @Override
        public void handle(HttpConnection connection) {
            if (open.size() >= limits.maxConnections()) {
                overLimit.increment();
                connection.close();
                return;
            }
            open.put(connection, new Tracked(connection, Vertx.currentContext()));
            connection.closeHandler(closed -> open.remove(connection));
        }

        Handler<HttpServerRequest> guard(Handler<HttpServerRequest> router) {
            return request -> {
                Tracked tracked = open.get(request.connection());
                if (tracked != null) {
                    tracked.began(request);
                }
                Window now = window;
                if (now != Window.SERVING) {
                    // the body is not read: the connection cannot carry another request after this answer
                    closeAfterAnswer(request);
                    request.response().putHeader("Retry-After", Integer.toString(now.retryAfterSeconds));
                    JsonError.write(request.response(), 503, now.message);
                    refusals.refused(request, 503, now == Window.STARTING ? "starting" : "shutting_down");
                    return;
                }
                if (!hasValidEscapes(request.uri())) {
                    JsonError.write(request.response(), 400, "the request URI is malformed");
                    refusals.refused(request, 400, "malformed_uri");
                    return;
                }
                router.handle(request);
            };
        }

        void closeAfterAnswers() {
            open.values()
                    .forEach(tracked -> tracked.context.runOnContext(
                            now -> tracked.inProgress.forEach(request -> closeAfterAnswer(request.request()))));
        }

        /** Each connection checks itself on its own event loop, where its requests arrive. */
        void sweep() {
            long now = System.nanoTime();
            open.values().forEach(tracked -> tracked.context.runOnContext(check -> tracked.check(now)));
        }
    }

    /** One connection: its requests in progress, and since when it has had none. Touched on its event loop only. */
    private final class Tracked {

        final HttpConnection connection;
        final Context context;
        final List<InProgress> inProgress = new ArrayList<>(1);
        long quietSince = System.nanoTime();

        Tracked(HttpConnection connection, Context context) {
            this.connection = connection;
            this.context = context;
        }

        void began(HttpServerRequest request) {
            inProgress.add(new InProgress(request, System.nanoTime()));
        }

        void check(long now) {
            if (inProgress.removeIf(request -> request.request().response().ended()
                    || request.request().response().closed())) {
                quietSince = now;
            }
            for (InProgress request : inProgress) {
                if (!request.request().isEnded()
                        && now - request.startedAt() > limits.bodyReadTimeout().toNanos()) {
                    slowBody.increment();
                    if (!request.request().response().headWritten()) {
                        request.request().response().putHeader("Connection", "close");
                        JsonError.write(request.request().response(), 408, "the request body did not arrive in time");
                        refusals.refused(request.request(), 408, "body_read_timeout");
                    }
                    connection.close();
                    return;
                }
            }
            if (inProgress.isEmpty() && now - quietSince > limits.idleTimeout().toNanos()) {
                idle.increment();
                connection.close();
            }
        }
    }

    private record InProgress(HttpServerRequest request, long startedAt) {}

    private static void closeAfterAnswer(HttpServerRequest request) {
        if (!request.response().headWritten()) {
            request.response().putHeader("Connection", "close");
        }
    }

    /**
     * A request Vert.x could not decode (a request line or headers over its limits, broken HTTP): the status Vert.x
     * would give it (414, 431, 400), with a JSON body instead of an empty one, and the connection closed after it.
     */
    private static void answerUndecodable(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        HttpServerResponse response = request.response().putHeader("Connection", "close");
        if (cause instanceof TooLongHttpLineException) {
            JsonError.write(response, 414, "the request line is too long");
        } else if (cause instanceof TooLongHttpHeaderException) {
            JsonError.write(response, 431, "the request headers are too large");
        } else {
            JsonError.write(response, 400, "the request could not be read");
        }
    }

    /** Whether every {@code %} of the URI starts a two-digit hex escape, which Vert.x needs to route it. */
    static boolean hasValidEscapes(String uri) {
        for (int i = uri.indexOf('%'); i >= 0; i = uri.indexOf('%', i + 1)) {
            if (i + 2 >= uri.length()
                    || Character.digit(uri.charAt(i + 1), 16) < 0
                    || Character.digit(uri.charAt(i + 2), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * A {@code type} that is {@code target} except where {@code interception} answers (non-null); fluent methods of the
     * target that return the target itself return the proxy.
     */
    private static <T> T proxy(Class<T> type, Object target, Interception interception) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            switch (method.getName()) {
                case "equals":
                    return args != null && args.length == 1 ? proxy == args[0] : invoke(target, method, args);
                case "hashCode":
                    return args == null ? System.identityHashCode(proxy) : invoke(target, method, args);
                default:
                    Object answer = interception.answer(proxy, method, args);
                    if (answer != null) {
                        return answer;
                    }
                    Object result = invoke(target, method, args);
                    return result == target ? proxy : result;
            }
        }));
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @FunctionalInterface
    private interface Interception {
        Object answer(Object proxy, Method method, Object[] args) throws Throwable;
    }
}
