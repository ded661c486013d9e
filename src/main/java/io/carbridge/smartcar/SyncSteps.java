package io.carbridge.smartcar;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.carbridge.smartcar.SmartcarCallException.Kind;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java steps of {@code routes/subscription-sync.camel.yaml}: claims, token work and Smartcar calls. The route
 * decides the order and splits the work per connection and per vehicle; the failure steps (bound for
 * {@code subscription-sync-error-handling.camel.yaml}) record a failure where it happened so it never stops the others.
 */
final class SyncSteps {

    /** Exchange property: the {@link SyncRun}. */
    static final String RUN = "syncRun";
    /** Exchange property: the {@link ConnectionSession} of the claimed connection. */
    static final String CONNECTION = "smartcarConnection";
    /** Exchange property: the {@link VehicleStore.Claim} of the vehicle being subscribed. */
    static final String VEHICLE = "smartcarVehicle";
    /** Exchange property: the vehicles gone from the connection that need an unsubscribe. */
    static final String GONE = "goneVehicles";

    private static final Logger LOG = LoggerFactory.getLogger("io.carbridge.smartcar.sync");

    private final SmartcarSettings settings;
    private final SmartcarApi api;
    private final ConnectionStore connections;
    private final VehicleStore vehicles;
    private final RateLimitPause pause;
    private final ConnectionSession.Tokens tokens;
    private final SmartcarMetrics metrics;
    private final String instance;

    SyncSteps(SmartcarSettings settings, SmartcarApi api, ConnectionStore connections, VehicleStore vehicles, RateLimitPause pause,
              ConnectionSession.Tokens tokens, SmartcarMetrics metrics, String instance) {
        this.settings = settings;
        this.api = api;
        this.connections = connections;
        this.vehicles = vehicles;
        this.pause = pause;
        this.tokens = tokens;
        this.metrics = metrics;
        this.instance = instance;
    }

    /** Starts a run: the due connections as the body, or none while a rate-limit pause runs. */
    Processor start() {
        return exchange -> {
            Instant now = Instant.now();
            SyncRun run = new SyncRun(instance, now);
            exchange.setProperty(RUN, run);
            Optional<Instant> paused = pause.pausedUntil(now);
            paused.ifPresent(run::pauseUntil);
            exchange.getMessage().setBody(paused.isPresent() ? List.of() : connections.due(now));
        };
    }

    /** Takes the connection in the body for this run, unless another run holds it. */
    Processor claimConnection() {
        return exchange -> {
            SyncRun run = run(exchange);
            Instant now = Instant.now();
            connections.claim(exchange.getMessage().getBody(String.class), run.claimedBy(), run.startedAt(), now,
                            now.plus(settings.claimTimeout()))
                    .ifPresent(connection -> exchange.setProperty(CONNECTION, tokens.open(connection, run)));
        };
    }

    /** Refreshes the tokens before they expire, so that a refresh is rarely the answer to a 401. */
    Processor refreshExpiringToken() {
        return exchange -> session(exchange).refreshIfExpiring(settings.refreshBeforeExpiry(), Instant.now());
    }

    /** Every page of {@code GET /vehicles}; the body becomes the complete list of vehicle ids. */
    Processor listVehicles() {
        return exchange -> {
            ConnectionSession session = session(exchange);
            Set<String> listed = new LinkedHashSet<>();
            int total;
            do {
                int offset = listed.size();
                SmartcarApi.VehiclePage page = session.call(token -> api.vehicles(token, offset));
                total = page.total();
                listed.addAll(page.vehicleIds());
                if (listed.size() == offset && offset < total) {
                    throw new SmartcarCallException(Kind.MALFORMED, "vehicles: no new vehicle at offset " + offset + " of " + total);
                }
            } while (listed.size() < total);
            exchange.getMessage().setBody(new ArrayList<>(listed));
        };
    }

    /** Vehicles of this user missing from the list become GONE; the subscribed ones go to the unsubscribe split. */
    Processor markGoneVehicles() {
        return exchange -> {
            ConnectionSession session = session(exchange);
            VehicleStore.Gone gone = vehicles.markGone(session.userId(), listed(exchange), Instant.now());
            if (!gone.marked().isEmpty()) {
                session.run().vehiclesGone(gone.marked().size());
                LOG.info("user={} vehicles gone from the connection: {}", session.userId(), gone.marked());
            }
            exchange.setProperty(GONE, gone.toUnsubscribe());
        };
    }

    /** Records the listed vehicles; the body becomes the ones to subscribe now. */
    Processor recordListedVehicles() {
        return exchange -> {
            Instant now = Instant.now();
            List<String> listed = listed(exchange);
            vehicles.recordListed(session(exchange).userId(), listed, now);
            exchange.getMessage().setBody(vehicles.dueForSubscription(listed, now));
        };
    }

    /** Takes the vehicle in the body for this run; no property when another run (or instance) has it. */
    Processor claimVehicle() {
        return exchange -> {
            Instant now = Instant.now();
            vehicles.claim(exchange.getMessage().getBody(String.class), run(exchange).claimedBy(), now, now.plus(settings.claimTimeout()))
                    .ifPresent(claim -> exchange.setProperty(VEHICLE, claim));
        };
    }

    /** {@code GET /vehicles/{id}}: make, model and year into the vehicle table, before the vehicle sends anything. */
    Processor readVehicleAttributes() {
        return exchange -> {
            VehicleStore.Claim claim = claim(exchange);
            SmartcarApi.VehicleAttributes attributes = session(exchange).call(token -> api.attributes(token, claim.vehicleId()));
            vehicles.enrich(claim, attributes, Instant.now());
        };
    }

    Processor subscribeVehicle() {
        return exchange -> {
            ConnectionSession session = session(exchange);
            VehicleStore.Claim claim = claim(exchange);
            session.call(token -> {
                api.subscribe(token, claim.vehicleId());
                return claim;
            });
            metrics.subscribed();
            if (vehicles.subscribed(claim, Instant.now())) {
                session.run().vehicleSubscribed();
                LOG.info("user={} vehicle={} subscribed to webhook {}", session.userId(), claim.vehicleId(), settings.webhookId());
            } else {
                LOG.warn("user={} vehicle={} subscribed, but its claim was lost meanwhile (expired or unsubscribed by an operator)",
                        session.userId(), claim.vehicleId());
            }
        };
    }

    Processor unsubscribeGoneVehicle() {
        return exchange -> {
            String vehicleId = exchange.getMessage().getBody(String.class);
            api.unsubscribe(vehicleId);
            metrics.unsubscribed();
            LOG.info("user={} vehicle={} unsubscribed: gone from its connection", session(exchange).userId(), vehicleId);
        };
    }

    /** The connection was listed and its vehicles handled: claim released, failures forgotten. */
    Processor finishConnection() {
        return exchange -> {
            ConnectionSession session = session(exchange);
            connections.synced(session.userId(), session.run().claimedBy(), Instant.now());
            session.run().connectionSynced();
        };
    }

    /** Ends the run: one log line when it did anything, and its summary as the body. */
    Processor finish() {
        return exchange -> {
            SyncRun run = run(exchange);
            if (run.didAnything()) {
                LOG.info("subscription sync finished: {}", run.summary());
            } else {
                LOG.debug("subscription sync finished: nothing due");
            }
            exchange.getMessage().setBody(run.summary());
        };
    }

    /** The failure of a connection's listing or token refresh: recorded on the connection, claim released. */
    Processor connectionFailed() {
        return exchange -> {
            Failure failure = failure(exchange);
            ConnectionSession session = exchange.getProperty(CONNECTION, ConnectionSession.class);
            if (session == null) {
                // no claim yet: nothing to record on the connection, and the next run tries again
                failure.log("user=" + exchange.getMessage().getBody(String.class), "claim");
                return;
            }
            Instant now = Instant.now();
            Kind kind = failure.kind().orElse(null);
            // a rate limit pauses every connection, and a refused refresh token waits for its owner: no backoff of its own
            Instant next = kind == Kind.RATE_LIMITED || kind == Kind.GRANT_REFUSED ? null : now.plus(settings.retryDelay(session.failureCount() + 1));
            rateLimit(failure, session.run(), now);
            connections.failed(session.userId(), session.run().claimedBy(), failure.message(), next, now);
            session.run().failed();
            failure.log("user=" + session.userId(), next == null ? "-" : next.toString());
        };
    }

    /**
     * The failure of one vehicle's attributes or subscription: 429 waits for retry-after, 403 and 430 are recorded
     * as FAILED, and everything else is tried again after a backoff. The claim is released in the same statement.
     */
    Processor vehicleFailed() {
        return exchange -> {
            Failure failure = failure(exchange);
            ConnectionSession session = session(exchange);
            VehicleStore.Claim claim = exchange.getProperty(VEHICLE, VehicleStore.Claim.class);
            String where = "user=" + session.userId() + " vehicle=" + (claim != null ? claim.vehicleId() : exchange.getMessage().getBody(String.class));
            session.run().failed();
            if (claim == null) {
                failure.log(where, "claim");
                return;
            }
            Instant now = Instant.now();
            Kind kind = failure.kind().orElse(null);
            if (kind == Kind.PERMISSION || kind == Kind.BILLING) {
                vehicles.refused(claim, failure.message(), now);
                failure.log(where, "never (" + VehicleStore.FAILED + ")");
            } else if (kind == Kind.RATE_LIMITED || kind == Kind.GRANT_REFUSED) {
                // not the vehicle's fault: no backoff of its own, it goes with the pause or the reconnect
                Instant next = rateLimit(failure, session.run(), now);
                vehicles.retryLater(claim, failure.message(), next, false, now);
                failure.log(where, next == null ? "after the owner connects again" : next.toString());
            } else {
                Instant next = now.plus(settings.retryDelay(claim.failureCount() + 1));
                vehicles.retryLater(claim, failure.message(), next, true, now);
                failure.log(where, next.toString());
            }
        };
    }

    /** A failed unsubscribe of a gone vehicle: recorded on it, not retried (it is no longer the owner's). */
    Processor unsubscribeFailed() {
        return exchange -> {
            Failure failure = failure(exchange);
            ConnectionSession session = session(exchange);
            String vehicleId = exchange.getMessage().getBody(String.class);
            Instant now = Instant.now();
            rateLimit(failure, session.run(), now);
            vehicles.recordError(vehicleId, "unsubscribe: " + failure.message(), now);
            session.run().failed();
            failure.log("user=" + session.userId() + " vehicle=" + vehicleId + " unsubscribe", "never");
        };
    }

    /** A run that could not start or finish (the database, most likely): logged; the next run starts afresh. */
    Processor runFailed() {
        return exchange -> {
            metrics.syncFailed("internal_error");
            LOG.error("subscription sync run failed", exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
        };
    }

    /** On a 429, pauses every instance for its retry-after (or one backoff step) and stops this run; the pause end. */
    private Instant rateLimit(Failure failure, SyncRun run, Instant now) {
        if (failure.kind().orElse(null) != Kind.RATE_LIMITED) {
            return null;
        }
        Instant until = now.plus(Optional.ofNullable(failure.call().retryAfter()).orElse(settings.retryBackoff()));
        pause.pauseUntil(until, failure.message());
        run.pauseUntil(until);
        return until;
    }

    private Failure failure(Exchange exchange) {
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Failure failure = new Failure(caught instanceof SmartcarCallException call ? call : null, caught);
        metrics.syncFailed(failure.reason());
        return failure;
    }

    /** A caught exception: a classified Smartcar failure, or an error of the bridge itself (database, decryption). */
    private record Failure(SmartcarCallException call, Exception caught) {

        Optional<Kind> kind() {
            return Optional.ofNullable(call).map(SmartcarCallException::kind);
        }

        String reason() {
            return call != null ? call.reason() : "internal_error";
        }

        String message() {
            return call != null ? call.getMessage() : "internal error: " + caught.getClass().getSimpleName();
        }

        void log(String where, String nextAttempt) {
            if (call != null) {
                LOG.warn("subscription sync failed {} reason={}: {}; next attempt: {}", where, reason(), message(), nextAttempt);
            } else {
                LOG.error("subscription sync failed {} reason={}; next attempt: {}", where, reason(), nextAttempt, caught);
            }
        }
    }

    private static SyncRun run(Exchange exchange) {
        return exchange.getProperty(RUN, SyncRun.class);
    }

    private static ConnectionSession session(Exchange exchange) {
        return exchange.getProperty(CONNECTION, ConnectionSession.class);
    }

    private static VehicleStore.Claim claim(Exchange exchange) {
        return exchange.getProperty(VEHICLE, VehicleStore.Claim.class);
    }

    @SuppressWarnings("unchecked")
    private static List<String> listed(Exchange exchange) {
        return exchange.getMessage().getBody(List.class);
    }
}
