package io.carbridge.smartcar;

import java.time.Instant;
import java.util.Optional;

import io.carbridge.smartcar.SmartcarCallException.Kind;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java steps of {@code routes/subscription-sync.camel.yaml} that both API versions run: the run itself, the claim
 * of a vehicle, and the failure steps (bound for {@code subscription-sync-error-handling.camel.yaml}) that record a
 * failure where it happened so it never stops the others. The version's own steps are in {@link ConnectionSyncSteps}
 * (v2.0, per owner) and {@link ApplicationSyncSteps} (v3, the whole application).
 */
public final class SyncSteps {

    /** Exchange property: the {@link SyncRun}. */
    static final String RUN = "syncRun";
    /** Exchange property, v2.0: the {@link ConnectionSession} of the claimed connection. */
    static final String CONNECTION = "smartcarConnection";
    /** Exchange property: the {@link VehicleStore.Claim} of the vehicle being subscribed. */
    static final String VEHICLE = "smartcarVehicle";
    /** Exchange property: the vehicles gone from their connection that need an unsubscribe. */
    static final String GONE = "goneVehicles";

    static final Logger LOG = LoggerFactory.getLogger("io.carbridge.smartcar.sync");

    private final SmartcarSettings settings;
    private final VehicleStore vehicles;
    private final RateLimitPause pause;
    private final SmartcarMetrics metrics;
    private final String instance;

    /** @param settings null without {@code SMARTCAR_CLIENT_ID}: every run is then inactive */
    SyncSteps(SmartcarSettings settings, VehicleStore vehicles, RateLimitPause pause, SmartcarMetrics metrics, String instance) {
        this.settings = settings;
        this.vehicles = vehicles;
        this.pause = pause;
        this.metrics = metrics;
        this.instance = instance;
    }

    /** Starts a run: inactive from the start while a rate-limit pause runs, and in an intake-only deployment. */
    public void startSubscriptionSync(Exchange exchange) {
        Instant now = Instant.now();
        SyncRun run = new SyncRun(instance, now);
        exchange.setProperty(RUN, run);
        if (settings == null) {
            run.off();
        } else {
            pause.pausedUntil(now).ifPresent(run::pauseUntil);
        }
    }

    /** Takes the vehicle in the body for this run; no property when another run (or instance) has it. */
    public void claimVehicle(Exchange exchange) throws Exception {
        Instant now = Instant.now();
        vehicles.claim(exchange.getMessage().getBody(String.class), run(exchange).claimedBy(), now, now.plus(settings.claimTimeout()))
                .ifPresent(claim -> exchange.setProperty(VEHICLE, claim));
    }

    /** Ends the run: one log line when it did anything, and its summary as the body. */
    public void finishSubscriptionSync(Exchange exchange) throws Exception {
        SyncRun run = run(exchange);
        if (run.didAnything()) {
            LOG.info("subscription sync finished: {}", run.summary());
        } else {
            LOG.debug("subscription sync finished: nothing due");
        }
        exchange.getMessage().setBody(run.summary());
    }

    /**
     * The failure of one vehicle's attributes or subscription: 429 waits for retry-after, 403 and 430 are recorded
     * as FAILED, and everything else is tried again after a backoff. The claim is released in the same statement.
     */
    public void recordVehicleFailure(Exchange exchange) throws Exception {
        Failure failure = failure(exchange);
        VehicleStore.Claim claim = exchange.getProperty(VEHICLE, VehicleStore.Claim.class);
        String where = where(exchange, claim != null ? claim.userId() : null,
                claim != null ? claim.vehicleId() : exchange.getMessage().getBody(String.class));
        run(exchange).failed();
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
            Instant next = rateLimit(failure, run(exchange), now);
            vehicles.retryLater(claim, failure.message(), next, false, now);
            failure.log(where, next == null ? "after the owner connects again" : next.toString());
        } else {
            Instant next = now.plus(settings.retryDelay(claim.failureCount() + 1));
            vehicles.retryLater(claim, failure.message(), next, true, now);
            failure.log(where, next.toString());
        }
    }

    /** A failed unsubscribe of a gone vehicle: recorded on it, not retried (it is no longer the owner's). */
    public void recordUnsubscribeFailure(Exchange exchange) throws Exception {
        Failure failure = failure(exchange);
        String vehicleId = exchange.getMessage().getBody(String.class);
        Instant now = Instant.now();
        rateLimit(failure, run(exchange), now);
        vehicles.recordError(vehicleId, "unsubscribe: " + failure.message(), now);
        run(exchange).failed();
        failure.log(where(exchange, null, vehicleId) + " unsubscribe", "never");
    }

    /** A run that could not start or finish (the database, most likely): logged; the next run starts afresh. */
    public void recordSyncRunFailure(Exchange exchange) throws Exception {
        metrics.syncFailed("internal_error");
        LOG.error("subscription sync run failed", exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
    }

    /** On a 429, pauses every instance for its retry-after (or one backoff step) and stops this run; the pause end. */
    Instant rateLimit(Failure failure, SyncRun run, Instant now) {
        if (failure.kind().orElse(null) != Kind.RATE_LIMITED) {
            return null;
        }
        Instant until = now.plus(Optional.ofNullable(failure.call().retryAfter()).orElse(settings.retryBackoff()));
        pause.pauseUntil(until, failure.message());
        run.pauseUntil(until);
        return until;
    }

    /** The caught exception, counted by its reason. */
    Failure failure(Exchange exchange) {
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Failure failure = new Failure(caught instanceof SmartcarCallException call ? call : null, caught);
        metrics.syncFailed(failure.reason());
        return failure;
    }

    /** {@code user=... vehicle=...} for the log: the owner of the connection being synced (v2.0), else the vehicle's. */
    private static String where(Exchange exchange, String vehicleUser, String vehicleId) {
        ConnectionSession session = exchange.getProperty(CONNECTION, ConnectionSession.class);
        String user = session != null ? session.userId() : vehicleUser;
        return (user != null ? "user=" + user + " " : "") + "vehicle=" + vehicleId;
    }

    /** A caught exception: a classified Smartcar failure, or an error of the bridge itself (database, decryption). */
    record Failure(SmartcarCallException call, Exception caught) {

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

    static SyncRun run(Exchange exchange) {
        return exchange.getProperty(RUN, SyncRun.class);
    }

    static VehicleStore.Claim claim(Exchange exchange) {
        return exchange.getProperty(VEHICLE, VehicleStore.Claim.class);
    }
}
