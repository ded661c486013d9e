package io.carbridge.smartcar;

import static io.carbridge.smartcar.SyncSteps.CONNECTION;
import static io.carbridge.smartcar.SyncSteps.GONE;
import static io.carbridge.smartcar.SyncSteps.LOG;
import static io.carbridge.smartcar.SyncSteps.claim;
import static io.carbridge.smartcar.SyncSteps.run;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.carbridge.smartcar.SmartcarCallException.Kind;
import org.apache.camel.Exchange;

/**
 * The Smartcar API v2.0 steps of {@code routes/subscription-sync.camel.yaml}: one connection (owner) at a time, with
 * the owner's tokens, {@code GET /vehicles} and a subscription per vehicle and webhook. The route decides the order and
 * splits the work per connection and per vehicle.
 */
public final class ConnectionSyncSteps {

    private final SmartcarSettings settings;
    private final SmartcarApi api;
    private final ConnectionStore connections;
    private final VehicleStore vehicles;
    private final ConnectionSession.Tokens tokens;
    private final SmartcarMetrics metrics;
    private final SyncSteps sync;

    ConnectionSyncSteps(SmartcarSettings settings, SmartcarApi api, ConnectionStore connections, VehicleStore vehicles,
                        ConnectionSession.Tokens tokens, SmartcarMetrics metrics, SyncSteps sync) {
        this.settings = settings;
        this.api = api;
        this.connections = connections;
        this.vehicles = vehicles;
        this.tokens = tokens;
        this.metrics = metrics;
        this.sync = sync;
    }

    /** The connections due for a sync as the body; none while a rate-limit pause runs. */
    public void dueConnections(Exchange exchange) {
        exchange.getMessage().setBody(run(exchange).isActive() ? connections.due(Instant.now()) : List.of());
    }

    /** Takes the connection in the body for this run, unless another run holds it. */
    public void claimConnection(Exchange exchange) throws Exception {
        SyncRun run = run(exchange);
        Instant now = Instant.now();
        connections.claim(exchange.getMessage().getBody(String.class), run.claimedBy(), run.startedAt(), now,
                        now.plus(settings.claimTimeout()))
                .ifPresent(connection -> exchange.setProperty(CONNECTION, tokens.open(connection, run)));
    }

    /** Refreshes the tokens before they expire, so that a refresh is rarely the answer to a 401. */
    public void refreshExpiringToken(Exchange exchange) {
        session(exchange).refreshIfExpiring(settings.refreshBeforeExpiry(), Instant.now());
    }

    /** Every page of {@code GET /vehicles}; the body becomes the complete list of vehicle ids. */
    public void listVehicles(Exchange exchange) throws Exception {
        ConnectionSession session = session(exchange);
        Set<String> listed = new LinkedHashSet<>();
        int total;
        do {
            int offset = listed.size();
            SmartcarApi.VehiclePage page = session.call(token -> api().vehicles(token, offset));
            total = page.total();
            listed.addAll(page.vehicleIds());
            if (listed.size() == offset && offset < total) {
                throw new SmartcarCallException(Kind.MALFORMED, "vehicles: no new vehicle at offset " + offset + " of " + total);
            }
        } while (listed.size() < total);
        exchange.getMessage().setBody(new ArrayList<>(listed));
    }

    /** Vehicles of this user missing from the list become GONE; the subscribed ones go to the unsubscribe split. */
    public void markGoneVehicles(Exchange exchange) throws Exception {
        ConnectionSession session = session(exchange);
        VehicleStore.Gone gone = vehicles.markGone(session.userId(), listed(exchange), Instant.now());
        if (!gone.marked().isEmpty()) {
            session.run().vehiclesGone(gone.marked().size());
            LOG.info("user={} vehicles gone from the connection: {}", session.userId(), gone.marked());
        }
        exchange.setProperty(GONE, gone.toUnsubscribe());
    }

    /** Records the listed vehicles; the body becomes the ones to subscribe now. */
    public void recordListedVehicles(Exchange exchange) throws Exception {
        Instant now = Instant.now();
        List<String> listed = listed(exchange);
        vehicles.recordListed(session(exchange).userId(), listed, now);
        exchange.getMessage().setBody(vehicles.dueForSubscription(listed, now));
    }

    /** {@code GET /vehicles/{id}}: make, model and year into the vehicle table, before the vehicle sends anything. */
    public void readVehicleAttributes(Exchange exchange) throws Exception {
        VehicleStore.Claim claim = claim(exchange);
        SmartcarApi.VehicleAttributes attributes = session(exchange).call(token -> api().attributes(token, claim.vehicleId()));
        vehicles.enrich(claim, attributes, Instant.now());
    }

    /** {@code POST /vehicles/{id}/webhooks/{SMARTCAR_WEBHOOK_ID}} with the owner's token. */
    public void subscribeVehicle(Exchange exchange) throws Exception {
        ConnectionSession session = session(exchange);
        VehicleStore.Claim claim = claim(exchange);
        session.call(token -> {
            api().subscribe(token, claim.vehicleId());
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
    }

    /** {@code DELETE} on the subscription's path, with the management token. */
    public void unsubscribeGoneVehicle(Exchange exchange) throws Exception {
        String vehicleId = exchange.getMessage().getBody(String.class);
        api().unsubscribe(vehicleId);
        metrics.unsubscribed();
        LOG.info("user={} vehicle={} unsubscribed: gone from its connection", session(exchange).userId(), vehicleId);
    }

    /** The connection was listed and its vehicles handled: claim released, failures forgotten. */
    public void finishConnectionSync(Exchange exchange) throws Exception {
        ConnectionSession session = session(exchange);
        connections.synced(session.userId(), session.run().claimedBy(), Instant.now());
        session.run().connectionSynced();
    }

    /** The failure of a connection's listing or token refresh: recorded on the connection, claim released. */
    public void recordConnectionFailure(Exchange exchange) throws Exception {
        SyncSteps.Failure failure = sync.failure(exchange);
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
        sync.rateLimit(failure, session.run(), now);
        connections.failed(session.userId(), session.run().claimedBy(), failure.message(), next, now);
        session.run().failed();
        failure.log("user=" + session.userId(), next == null ? "-" : next.toString());
    }

    private static ConnectionSession session(Exchange exchange) {
        return exchange.getProperty(CONNECTION, ConnectionSession.class);
    }

    @SuppressWarnings("unchecked")
    private static List<String> listed(Exchange exchange) {
        return exchange.getMessage().getBody(List.class);
    }

    private SmartcarApi api() {
        return ApiVersion.V2.require(api);
    }
}
