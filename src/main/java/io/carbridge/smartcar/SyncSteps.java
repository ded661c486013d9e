package io.carbridge.smartcar;

import static io.carbridge.ExchangeProperties.GONE_VEHICLES;
import static io.carbridge.ExchangeProperties.LISTING;
import static io.carbridge.ExchangeProperties.SYNC_RUN;
import static io.carbridge.ExchangeProperties.VEHICLE;

import io.carbridge.smartcar.SmartcarCallException.Kind;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java steps of {@code routes/subscription-sync.camel.yaml}, the same for both API versions: the run, the claim of
 * each listing and each vehicle, what a listing's vehicles come to (gone, recorded, subscribed, unsubscribed), and the
 * failure steps (bound for {@code subscription-sync-error-handling.camel.yaml}) that record a failure where it happened
 * so it never stops the others. What differs between the versions is behind the port: {@link SmartcarApi} and the
 * {@link Listing} it claims, and the version's listing route.
 */
public final class SyncSteps {

    /** Where the version's listing route starts (its template: {@link SmartcarApi#listingTemplate()}). */
    public static final String LISTING_ENDPOINT = "direct:list-vehicles";

    public static final Logger LOG = LoggerFactory.getLogger("io.carbridge.smartcar.sync");

    private final SmartcarSettings settings;
    private final SmartcarApi api;
    private final VehicleStore vehicles;
    private final RateLimitPause pause;
    private final SmartcarMetrics metrics;
    private final String instance;

    /** @param settings null without {@code SMARTCAR_CLIENT_ID}, and so {@code api}: every run is then inactive */
    SyncSteps(
            SmartcarSettings settings,
            SmartcarApi api,
            VehicleStore vehicles,
            RateLimitPause pause,
            SmartcarMetrics metrics,
            String instance) {
        this.settings = settings;
        this.api = api;
        this.vehicles = vehicles;
        this.pause = pause;
        this.metrics = metrics;
        this.instance = instance;
    }

    /** Starts a run: inactive from the start while a rate-limit pause runs, and in an intake-only deployment. */
    public void startSubscriptionSync(Exchange exchange) {
        Instant now = Instant.now();
        SyncRun run = new SyncRun(instance, now);
        exchange.setProperty(SYNC_RUN, run);
        if (settings == null) {
            run.off();
        } else {
            pause.pausedUntil(now).ifPresent(run::pauseUntil);
        }
    }

    /**
     * The listings due for a sync as the body (v2.0 each owner's connection, v3 the application's); none while paused.
     */
    public void dueListings(Exchange exchange) {
        exchange.getMessage().setBody(run(exchange).isActive() ? api.dueListings(Instant.now()) : List.of());
    }

    /** Takes the listing in the body for this run; no property when another run holds it, or it waits for a backoff. */
    public void claimListing(Exchange exchange) {
        api.claimListing(exchange.getMessage().getBody(String.class), run(exchange), Instant.now())
                .ifPresent(listing -> exchange.setProperty(LISTING, listing));
    }

    /**
     * Vehicles of the listing missing from a complete listing become GONE_VEHICLES; the subscribed ones go to the
     * unsubscribe split.
     */
    public void markGoneVehicles(Exchange exchange) {
        Listing listing = listing(exchange);
        VehicleStore.Gone gone = listing.markGone(Instant.now());
        if (!gone.marked().isEmpty()) {
            run(exchange).vehiclesGone(gone.marked().size());
            LOG.info("{} vehicles gone: {}", listing, gone.marked());
        }
        exchange.setProperty(GONE_VEHICLES, gone.toUnsubscribe());
    }

    /** Records the listed vehicles; the body becomes the ones to subscribe now. */
    public void recordListedVehicles(Exchange exchange) {
        exchange.getMessage().setBody(listing(exchange).record(Instant.now()));
    }

    /** Takes the vehicle in the body for this run; no property when another run (or instance) has it. */
    public void claimVehicle(Exchange exchange) {
        Instant now = Instant.now();
        vehicles.claim(
                        exchange.getMessage().getBody(String.class),
                        run(exchange).claimedBy(),
                        now,
                        now.plus(settings.claimTimeout()))
                .ifPresent(claim -> exchange.setProperty(VEHICLE, claim));
    }

    /**
     * Subscribes the claimed vehicle to the webhook, through its listing, and records it as subscribed by the bridge.
     */
    public void subscribeVehicle(Exchange exchange) {
        VehicleStore.Claim claim = exchange.getProperty(VEHICLE, VehicleStore.Claim.class);
        listing(exchange).subscribe(claim);
        metrics.subscribed();
        if (vehicles.subscribed(claim, Instant.now())) {
            run(exchange).vehicleSubscribed();
            LOG.info(
                    "user={} vehicle={} subscribed to webhook {}",
                    claim.userId(),
                    claim.vehicleId(),
                    settings.webhookId());
        } else {
            LOG.warn(
                    "user={} vehicle={} subscribed, but its claim was lost meanwhile (expired or unsubscribed by an operator)",
                    claim.userId(),
                    claim.vehicleId());
        }
    }

    /** Removes the webhook subscription of a vehicle gone from its listing. */
    public void unsubscribeGoneVehicle(Exchange exchange) {
        String vehicleId = exchange.getMessage().getBody(String.class);
        int removed = api.unsubscribe(vehicleId);
        metrics.unsubscribed();
        LOG.info(
                "{} vehicle={} unsubscribed ({} subscription(s) removed): gone from the listing",
                listing(exchange),
                vehicleId,
                removed);
    }

    /** The listing and its vehicles were handled: claim released, failures forgotten, what it found recorded. */
    public void finishListing(Exchange exchange) {
        listing(exchange).synced(Instant.now());
    }

    /** Ends the run: one log line when it did anything, and its summary as the body. */
    public void finishSubscriptionSync(Exchange exchange) {
        SyncRun run = run(exchange);
        if (run.didAnything()) {
            LOG.info("subscription sync finished: {}", run.summary());
        } else {
            LOG.debug("subscription sync finished: nothing due");
        }
        exchange.getMessage().setBody(run.summary());
    }

    /**
     * The failure of a listing (v2.0 an owner's token refresh or vehicles, v3 the webhook or the connections): recorded
     * on the listing with a backoff, its claim released. A rate limit pauses every call, and a refused refresh token
     * waits for its owner: neither has a backoff of its own.
     */
    public void recordListingFailure(Exchange exchange) {
        Failure failure = failure(exchange);
        Listing listing = exchange.getProperty(LISTING, Listing.class);
        if (listing == null) {
            // no claim yet: nothing to record on the listing, and the next run tries again
            failure.log("listing=" + exchange.getMessage().getBody(String.class), "claim");
            return;
        }
        SyncRun run = run(exchange);
        Instant now = Instant.now();
        Kind kind = failure.kind().orElse(null);
        Instant next = kind == Kind.RATE_LIMITED || kind == Kind.GRANT_REFUSED
                ? null
                : now.plus(settings.retryDelay(listing.failureCount() + 1));
        Instant paused = rateLimit(failure, run, now);
        listing.failed(failure.message(), next, now);
        run.failed();
        failure.log(listing.toString(), next != null ? next.toString() : paused != null ? paused.toString() : "-");
    }

    /**
     * The failure of one vehicle's subscription: 429 waits for retry-after, 403 and 430 are recorded as FAILED, and
     * everything else is tried again after a backoff. The claim is released in the same statement.
     */
    public void recordVehicleFailure(Exchange exchange) {
        Failure failure = failure(exchange);
        VehicleStore.Claim claim = exchange.getProperty(VEHICLE, VehicleStore.Claim.class);
        String where = (claim != null ? "user=" + claim.userId() + " " : "") + "vehicle="
                + (claim != null ? claim.vehicleId() : exchange.getMessage().getBody(String.class));
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
    public void recordUnsubscribeFailure(Exchange exchange) {
        Failure failure = failure(exchange);
        String vehicleId = exchange.getMessage().getBody(String.class);
        Instant now = Instant.now();
        rateLimit(failure, run(exchange), now);
        vehicles.recordError(vehicleId, "unsubscribe: " + failure.message(), now);
        run(exchange).failed();
        failure.log(exchange.getProperty(LISTING) + " vehicle=" + vehicleId + " unsubscribe", "never");
    }

    /** A run that could not start or finish (the database, most likely): logged; the next run starts afresh. */
    public void recordSyncRunFailure(Exchange exchange) {
        metrics.syncFailed("internal_error");
        LOG.error("subscription sync run failed", exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
    }

    /** On a 429, pauses every instance for its retry-after (or one backoff step) and stops this run; the pause end. */
    private Instant rateLimit(Failure failure, SyncRun run, Instant now) {
        if (failure.kind().orElse(null) != Kind.RATE_LIMITED) {
            return null;
        }
        Instant until =
                now.plus(Optional.ofNullable(failure.call().retryAfter()).orElse(settings.retryBackoff()));
        pause.pauseUntil(until, failure.message());
        run.pauseUntil(until);
        return until;
    }

    /** The caught exception, counted by its reason. */
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
            return call != null
                    ? call.getMessage()
                    : "internal error: " + caught.getClass().getSimpleName();
        }

        void log(String where, String nextAttempt) {
            if (call != null) {
                LOG.warn(
                        "subscription sync failed {} reason={}: {}; next attempt: {}",
                        where,
                        reason(),
                        message(),
                        nextAttempt);
            } else {
                LOG.error(
                        "subscription sync failed {} reason={}; next attempt: {}",
                        where,
                        reason(),
                        nextAttempt,
                        caught);
            }
        }
    }

    private static SyncRun run(Exchange exchange) {
        return exchange.getProperty(SYNC_RUN, SyncRun.class);
    }

    /** The listing the step works on: the version's listing route casts it to its own. */
    public static Listing listing(Exchange exchange) {
        return exchange.getProperty(LISTING, Listing.class);
    }
}
