package io.carbridge.smartcar.v3;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.carbridge.smartcar.ConnectionListingStore;
import io.carbridge.smartcar.Listing;
import io.carbridge.smartcar.SmartcarCallException.Kind;
import io.carbridge.smartcar.SmartcarMetrics;
import io.carbridge.smartcar.SyncRun;
import io.carbridge.smartcar.SyncSteps;
import io.carbridge.smartcar.VehicleStore;

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
    private final V3Client client;
    private final ConnectionListingStore listings;
    private final VehicleStore vehicles;
    private final SmartcarMetrics metrics;
    private boolean autoSubscribe;
    private V3Client.ConnectionListing listed;

    ApplicationListing(ConnectionListingStore.Claim claim, SyncRun run, V3Client client, ConnectionListingStore listings,
                       VehicleStore vehicles, SmartcarMetrics metrics) {
        this.claim = claim;
        this.run = run;
        this.client = client;
        this.listings = listings;
        this.vehicles = vehicles;
        this.metrics = metrics;
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
        return listed.complete() ? vehicles.markDisconnected(byVehicle().keySet(), now) : new VehicleStore.Gone(List.of(), List.of());
    }

    /** None to subscribe when the webhook subscribes every vehicle by itself: they are recorded as subscribed by Smartcar. */
    @Override
    public List<String> record(Instant now) {
        Map<String, VehicleStore.ConnectedVehicle> byVehicle = byVehicle();
        vehicles.recordConnected(byVehicle.values(), now);
        if (autoSubscribe) {
            run.vehiclesSubscribedBySmartcar(vehicles.subscribedBySmartcar(now));
            return List.of();
        }
        int returned = vehicles.returnedToTheBridge(now);
        if (returned > 0) {
            SyncSteps.LOG.info("{} vehicles Smartcar had subscribed are subscribed by the bridge from now on", returned);
        }
        return vehicles.connectedDueForSubscription(byVehicle.keySet(), now);
    }

    /** {@code POST /subscriptions} for the vehicle and its user; 202 and 409 both mean subscribed. */
    @Override
    public void subscribe(VehicleStore.Claim vehicle) {
        client.subscribe(vehicle.userId(), vehicle.vehicleId());
    }

    /** Records what the listing found, and why it was incomplete if it was (no backoff: its readable part was handled). */
    @Override
    public void synced(Instant now) {
        String problem = listed.complete() ? null : "connections: listing incomplete (" + String.join("; ", listed.problems()) + ")";
        listings.synced(claim, listed.vehicles().size(), autoSubscribe, problem, now);
        run.connectionsSynced(listed.vehicles().size());
        if (problem != null) {
            metrics.syncFailed(Kind.MALFORMED.reason());
            run.failed();
        }
    }

    @Override
    public void failed(String error, Instant nextAttempt, Instant now) {
        listings.failed(claim, error, nextAttempt, now);
    }

    /** The listed vehicles by vehicle id; a vehicle two users connected is kept under the first listed (the newest connection). */
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
