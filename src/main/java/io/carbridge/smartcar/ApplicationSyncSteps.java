package io.carbridge.smartcar;

import static io.carbridge.smartcar.SyncSteps.GONE;
import static io.carbridge.smartcar.SyncSteps.LOG;
import static io.carbridge.smartcar.SyncSteps.claim;
import static io.carbridge.smartcar.SyncSteps.run;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import io.carbridge.smartcar.SmartcarCallException.Kind;
import org.apache.camel.Exchange;

/**
 * The Smartcar API v3 steps of {@code routes/subscription-sync.camel.yaml}: one listing of every connection of the
 * application (whatever front end made it), claimed by one run at a time, then a subscription per new vehicle and an
 * unsubscribe per vehicle gone from a complete listing, all with the application token. When the webhook subscribes
 * every vehicle by itself, the bridge subscribes none and records them as subscribed by Smartcar.
 */
public final class ApplicationSyncSteps {

    /** Exchange property: the {@link ConnectionListingStore.Claim} of this run. */
    static final String LISTING = "connectionListing";
    /** Exchange property: whether the webhook subscribes every vehicle by itself. */
    static final String AUTO_SUBSCRIBE = "webhookSubscribesEveryVehicle";
    /** Exchange property: the {@link SmartcarV3Api.ConnectionListing} the run read. */
    static final String CONNECTIONS = "listedConnections";

    private final SmartcarSettings settings;
    private final SmartcarV3Api api;
    private final ConnectionListingStore listings;
    private final VehicleStore vehicles;
    private final SmartcarMetrics metrics;
    private final SyncSteps sync;
    /** What this instance last said about the webhook's auto-subscribe, so that it says it once. */
    private final AtomicReference<Boolean> autoSubscribeSaid = new AtomicReference<>();

    ApplicationSyncSteps(SmartcarSettings settings, SmartcarV3Api api, ConnectionListingStore listings, VehicleStore vehicles,
                         SmartcarMetrics metrics, SyncSteps sync) {
        this.settings = settings;
        this.api = api;
        this.listings = listings;
        this.vehicles = vehicles;
        this.metrics = metrics;
        this.sync = sync;
    }

    /**
     * Takes the listing for this run, unless the run is paused or another run holds it (or listed since this one began):
     * the body becomes the claim, or nothing, for the route to split over.
     */
    public void claimConnectionListing(Exchange exchange) throws Exception {
        SyncRun run = run(exchange);
        Instant now = Instant.now();
        Optional<ConnectionListingStore.Claim> claim = run.isActive()
                ? listings.claim(run.claimedBy(), run.startedAt(), now, now.plus(settings.claimTimeout())) : Optional.empty();
        claim.ifPresent(listing -> exchange.setProperty(LISTING, listing));
        exchange.getMessage().setBody(claim.stream().toList());
    }

    /** {@code GET /webhooks/{SMARTCAR_WEBHOOK_ID}}: whether it subscribes every vehicle by itself, said once when it changes. */
    public void readWebhook(Exchange exchange) throws Exception {
        boolean autoSubscribe = api().webhookSubscribesEveryVehicle();
        exchange.setProperty(AUTO_SUBSCRIBE, autoSubscribe);
        run(exchange).webhookSubscribesEveryVehicle(autoSubscribe);
        Boolean said = autoSubscribeSaid.getAndSet(autoSubscribe);
        if (autoSubscribe && !Boolean.TRUE.equals(said)) {
            LOG.info("webhook {} subscribes every vehicle by itself (Smartcar Dashboard: automatically subscribe all vehicles): "
                    + "the bridge subscribes none and records them as subscribed by Smartcar", settings.webhookId());
        } else if (!autoSubscribe && Boolean.TRUE.equals(said)) {
            LOG.info("webhook {} no longer subscribes every vehicle by itself: the bridge subscribes them", settings.webhookId());
        }
    }

    /** {@code GET /connections}, every page; the listing goes to a property, its problems (if any) to the log. */
    public void listConnections(Exchange exchange) throws Exception {
        SmartcarV3Api.ConnectionListing listing = api().connections();
        exchange.setProperty(CONNECTIONS, listing);
        if (!listing.complete()) {
            LOG.warn("connections listing incomplete, so no vehicle is marked gone in this run: {}", listing.problems());
        }
    }

    /** Vehicles of earlier listings missing from a complete one become GONE; the subscribed ones go to the unsubscribe split. */
    public void markDisconnectedVehicles(Exchange exchange) throws Exception {
        SmartcarV3Api.ConnectionListing listing = listing(exchange);
        if (!listing.complete()) {
            exchange.setProperty(GONE, List.of());
            return;
        }
        VehicleStore.Gone gone = vehicles.markDisconnected(byVehicle(listing).keySet(), Instant.now());
        if (!gone.marked().isEmpty()) {
            run(exchange).vehiclesGone(gone.marked().size());
            LOG.info("vehicles gone from the application's connections: {}", gone.marked());
        }
        exchange.setProperty(GONE, gone.toUnsubscribe());
    }

    /**
     * Records user, connection, make, model and year of each listed vehicle; the body becomes the vehicles to subscribe
     * now: none when the webhook subscribes every vehicle by itself (they are recorded as subscribed by Smartcar).
     */
    public void recordConnectedVehicles(Exchange exchange) throws Exception {
        Instant now = Instant.now();
        Map<String, SmartcarV3Api.ConnectedVehicle> listed = byVehicle(listing(exchange));
        vehicles.recordConnected(listed.values(), now);
        if (exchange.getProperty(AUTO_SUBSCRIBE, Boolean.class)) {
            run(exchange).vehiclesSubscribedBySmartcar(vehicles.subscribedBySmartcar(now));
            exchange.getMessage().setBody(List.of());
            return;
        }
        int returned = vehicles.returnedToTheBridge(now);
        if (returned > 0) {
            LOG.info("{} vehicles Smartcar had subscribed are subscribed by the bridge from now on", returned);
        }
        exchange.getMessage().setBody(vehicles.connectedDueForSubscription(listed.keySet(), now));
    }

    /** {@code POST /subscriptions} for the claimed vehicle and its user; 202 and 409 both mean subscribed. */
    public void createSubscription(Exchange exchange) throws Exception {
        VehicleStore.Claim claim = claim(exchange);
        api().subscribe(claim.userId(), claim.vehicleId());
        metrics.subscribed();
        if (vehicles.subscribed(claim, Instant.now())) {
            run(exchange).vehicleSubscribed();
            LOG.info("user={} vehicle={} subscribed to webhook {}", claim.userId(), claim.vehicleId(), settings.webhookId());
        } else {
            LOG.warn("user={} vehicle={} subscribed, but its claim was lost meanwhile (expired or unsubscribed by an operator)",
                    claim.userId(), claim.vehicleId());
        }
    }

    /** {@code GET /subscriptions} filtered by vehicle and webhook, then {@code DELETE} each (404: already gone). */
    public void deleteSubscription(Exchange exchange) throws Exception {
        String vehicleId = exchange.getMessage().getBody(String.class);
        int removed = api().unsubscribe(vehicleId);
        metrics.unsubscribed();
        LOG.info("vehicle={} unsubscribed ({} subscription(s) removed): gone from the application's connections", vehicleId, removed);
    }

    /** The listing and its vehicles were handled: claim released, failures forgotten, what it found recorded. */
    public void finishConnectionListing(Exchange exchange) throws Exception {
        SmartcarV3Api.ConnectionListing listing = listing(exchange);
        Instant now = Instant.now();
        ConnectionListingStore.Claim claim = exchange.getProperty(LISTING, ConnectionListingStore.Claim.class);
        String problem = listing.complete() ? null : "connections: listing incomplete (" + String.join("; ", listing.problems()) + ")";
        listings.synced(claim, listing.vehicles().size(), exchange.getProperty(AUTO_SUBSCRIBE, Boolean.class), problem, now);
        SyncRun run = run(exchange);
        run.connectionsSynced(listing.vehicles().size());
        if (problem != null) {
            metrics.syncFailed(Kind.MALFORMED.reason());
            run.failed();
        }
    }

    /** The failure of the webhook read or the listing: recorded on the listing with a backoff, claim released. */
    public void recordListingFailure(Exchange exchange) throws Exception {
        SyncSteps.Failure failure = sync.failure(exchange);
        ConnectionListingStore.Claim claim = exchange.getProperty(LISTING, ConnectionListingStore.Claim.class);
        SyncRun run = run(exchange);
        run.failed();
        if (claim == null) {
            failure.log("connections listing", "claim");
            return;
        }
        Instant now = Instant.now();
        // a rate limit pauses every call: no backoff of its own
        Instant next = failure.kind().orElse(null) == Kind.RATE_LIMITED ? null : now.plus(settings.retryDelay(claim.failureCount() + 1));
        Instant paused = sync.rateLimit(failure, run, now);
        listings.failed(claim, failure.message(), next, now);
        failure.log("connections listing", (next != null ? next : paused).toString());
    }

    /** The listed vehicles by vehicle id; a vehicle two users connected is kept under the first listed (the newest connection). */
    private static Map<String, SmartcarV3Api.ConnectedVehicle> byVehicle(SmartcarV3Api.ConnectionListing listing) {
        Map<String, SmartcarV3Api.ConnectedVehicle> byVehicle = new LinkedHashMap<>();
        listing.vehicles().forEach(vehicle -> byVehicle.putIfAbsent(vehicle.vehicleId(), vehicle));
        return byVehicle;
    }

    private static SmartcarV3Api.ConnectionListing listing(Exchange exchange) {
        return exchange.getProperty(CONNECTIONS, SmartcarV3Api.ConnectionListing.class);
    }

    private SmartcarV3Api api() {
        return ApiVersion.V3.require(api);
    }
}
