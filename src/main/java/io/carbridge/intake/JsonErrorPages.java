package io.carbridge.intake;

import io.carbridge.http.HttpServerGuard;
import io.carbridge.http.JsonError;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON answers for what the HTTP server refuses outside of a route: an unknown path (404; 503 during shutdown) and a
 * failure raised before a route runs, such as a body over the size limit (413). Vert.x would answer those in HTML or
 * plain text; callers get the same short JSON error as everywhere else, and refusals on the webhook path (these, and
 * the ones of the {@link HttpServerGuard}) are counted like any other.
 */
public final class JsonErrorPages implements HttpServerGuard.Refusals {

    private static final Logger LOG = LoggerFactory.getLogger("io.carbridge.intake");

    private final IntakeMetrics metrics;
    private final String intakePath;
    private final CamelContext camel;

    public JsonErrorPages(IntakeMetrics metrics, String intakePath, CamelContext camel) {
        this.metrics = metrics;
        this.intakePath = intakePath;
        this.camel = camel;
    }

    /** Adds a last-resort route: it answers requests no route serves, and failures no route handled. */
    public void installOn(Router router) {
        router.route()
                .order(Integer.MAX_VALUE)
                .handler(context -> answerUnrouted(router, context))
                .failureHandler(this::answerFailure);
    }

    /**
     * No route serves the request: while the service shuts down and its routes have stopped, gone for now (503, so that
     * Smartcar delivers the event again, to this instance after its restart or to another one); a path a route serves
     * with other methods (405, as the admin API's REST routes each take one); else an unknown path (404).
     */
    private void answerUnrouted(Router router, RoutingContext context) {
        if (camel.isStopping() || camel.isStopped()) {
            context.response().putHeader("Retry-After", "5");
            answer(context, 503, "shutting_down", "the service is shutting down; deliver it again later");
        } else if (servedWithOtherMethods(router, context.request().path())) {
            answer(context, 405, "method", "this method is not supported on this path");
        } else {
            answer(context, 404, "not_found", "no such path");
        }
    }

    /** Whether a route with a method restriction serves this path ({@code :name} segments match any one segment). */
    private static boolean servedWithOtherMethods(Router router, String path) {
        for (Route route : router.getRoutes()) {
            if (route.getPath() != null
                    && route.methods() != null
                    && !route.methods().isEmpty()
                    && path.matches(route.getPath()
                            .replaceAll("[.*+?^$|()\\[\\]{}]", "\\\\$0")
                            .replaceAll(":[^/]+", "[^/]+"))) {
                return true;
            }
        }
        return false;
    }

    private void answerFailure(RoutingContext context) {
        if (context.response().headWritten() || context.response().closed()) {
            return; // answered already (the guard's 408), or nobody left to answer: the client went away
        }
        switch (context.statusCode()) {
            case 413 -> answer(context, 413, "too_large", "the request body is too large");
            // the body handler fails this way on a body it tries to decode as a form: not JSON, so not for us
            case 400 -> {
                if (IntakeSteps.isJson(context.request().getHeader("Content-Type"))) {
                    answer(context, 400, "malformed_request", "the request could not be read");
                } else {
                    answer(context, 415, "media_type", "Content-Type must be application/json");
                }
            }
            default -> {
                LOG.error("HTTP request failed before reaching a route", context.failure());
                answer(context, 500, "internal_error", "internal error");
            }
        }
    }

    private void answer(RoutingContext context, int status, String reason, String message) {
        refused(context.request(), status, reason);
        JsonError.write(context.response(), status, message);
    }

    /**
     * A refusal on the webhook path is counted and logged like the intake route's own; elsewhere it costs no log line.
     */
    @Override
    public void refused(HttpServerRequest request, int status, String reason) {
        if (intakePath.equals(request.path())) {
            metrics.received();
            metrics.rejected(reason);
            LOG.info("outcome=rejected status={} reason={}", status, reason);
        }
    }
}
