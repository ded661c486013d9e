package io.carbridge.smartcar.v3;

import io.carbridge.smartcar.ConnectionListingStore;
import io.carbridge.smartcar.Listing;
import io.carbridge.smartcar.SmartcarCallException.Kind;
import io.carbridge.smartcar.SmartcarMetrics;
import io.carbridge.smartcar.SyncRun;
import io.carbridge.smartcar.SyncSteps;
import io.carbridge.smartcar.VehicleStore;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The v3 listing: every connection of the application (whatever front end made it), claimed by one run at a time in
 * {@code connection_listing}, with the application token. What {@code GET /connections} gave ({@link #listed}) is
 * recorded with each vehicle's user, connection, make, model and year; when the webhook subscribes every vehicle by
 * itself ({@link #webhookSubscribesEveryVehicle}), the bridge subscribes none and records them as subscribed by
 * Smartcar. Only a complete listing marks vehicles gone.
 */
final class ApplicationListing implements Listing {

    /** The one listing of the application ({@code connection_listing.scope}). */
    static final String CONNECTIONS = "connections";

    private final ConnectionListingStore.Claim claim;
    private final SyncRun run;
    private final Parts parts;
    private boolean autoSubscribe;
    private V3Client.ConnectionListing listed;

    /** What a listing needs to subscribe and to record what it found; one for the whole bridge. */
    record Parts(V3Client client, ConnectionListingStore listings, VehicleStore vehicles, SmartcarMetrics metrics) {

        ApplicationListing open(ConnectionListingStore.Claim claim, SyncRun run) {
            return new ApplicationListing(claim, run, this);
        }
    }

    private ApplicationListing(ConnectionListingStore.Claim claim, SyncRun run, Parts parts) {
        this.claim = claim;
        this.run = run;
        this.parts = parts;
    }

    void webhookSubscribesEveryVehicle(boolean autoSubscribe) {
        this.autoSubscribe = autoSubscribe;
        run.webhookSubscribesEveryVehicle(autoSubscribe);
    }

    void listed(V3Client.ConnectionListing listing) {
        listed = listing;
    }

    @Override
    public boolean isActive() {
        return run.isActive();
    }

    @Override
    public int failureCount() {
        return claim.failureCount();
    }

    @Override
    public VehicleStore.Gone markGone(Instant now) {
        return listed.complete()
                ? parts.vehicles().markDisconnected(byVehicle().keySet(), now)
                : new VehicleStore.Gone(List.of(), List.of());
    }

    /**
     * None to subscribe when the webhook subscribes every vehicle by itself: they are recorded as subscribed by
     * Smartcar.
     */
    @Override
    public List<String> record(Instant now) {
        Map<String, VehicleStore.ConnectedVehicle> byVehicle = byVehicle();
        parts.vehicles().recordConnected(byVehicle.values(), now);
        if (autoSubscribe) {
            run.vehiclesSubscribedBySmartcar(parts.vehicles().subscribedBySmartcar(now));
            return List.of();
        }
        int returned = parts.vehicles().returnedToTheBridge(now);
        if (returned > 0) {
            SyncSteps.LOG.info(
                    "{} vehicles Smartcar had subscribed are subscribed by the bridge from now on", returned);
        }
        return parts.vehicles().connectedDueForSubscription(byVehicle.keySet(), now);
    }

    /** {@code POST /subscriptions} for the vehicle and its user; 202 and 409 both mean subscribed. */
    @Override
    public void subscribe(VehicleStore.Claim vehicle) {
        parts.client().subscribe(vehicle.userId(), vehicle.vehicleId());
    }

    /**
     * Records what the listing found, and why it was incomplete if it was (no backoff: its readable part was handled).
     */
    @Override
    public void synced(Instant now) {
        String problem = listed.complete()
                ? null
                : "connections: listing incomplete (" + String.join("; ", listed.problems()) + ")";
        parts.listings().synced(claim, listed.vehicles().size(), autoSubscribe, problem, now);
        run.connectionsSynced(listed.vehicles().size());
        if (problem != null) {
            parts.metrics().syncFailed(Kind.MALFORMED.reason());
            run.failed();
        }
    }

    @Override
    public void failed(String error, Instant nextAttempt, Instant now) {
        parts.listings().failed(claim, error, nextAttempt, now);
    }

    /**
     * The listed vehicles by vehicle id; a vehicle two users connected is kept under the first listed (the newest
     * connection).
     */
    private Map<String, VehicleStore.ConnectedVehicle> byVehicle() {
        Map<String, VehicleStore.ConnectedVehicle> byVehicle = new LinkedHashMap<>();
        listed.vehicles().forEach(vehicle -> byVehicle.putIfAbsent(vehicle.vehicleId(), vehicle));
        return byVehicle;
    }

    /** Where a log line says a failure was. */
    @Override
    public String toString() {
        return "connections listing";
    }
}
