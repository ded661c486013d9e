package io.carbridge.smartcar.v2;

import io.carbridge.smartcar.ConnectSteps;
import io.carbridge.smartcar.ConnectionStore;
import io.carbridge.smartcar.Listing;
import io.carbridge.smartcar.SmartcarApi;
import io.carbridge.smartcar.SmartcarCallException;
import io.carbridge.smartcar.SmartcarCallException.Kind;
import io.carbridge.smartcar.SmartcarSettings;
import io.carbridge.smartcar.SyncRun;
import io.carbridge.smartcar.SyncSteps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The port on Smartcar's Vehicles API v2.0 ({@code bridge.smartcar.api-version=v2}): every owner connects through the
 * bridge's Connect, which exchanges the code for the owner's OAuth tokens (stored encrypted); each owner's connection
 * is a listing of its own, listed with the owner's tokens ({@code GET /vehicles}), and each vehicle is subscribed with
 * them ({@code POST /vehicles/{id}/webhooks/{SMARTCAR_WEBHOOK_ID}}) and unsubscribed with the management token.
 *
 * <p>Bound as {@code smartcarApi}, it is also the bean of {@code routes/subscription-sync-v2.camel.yaml}, the listing
 * of one owner's connection: {@link #refreshExpiringToken} and {@link #listVehicles}.
 */
public final class SmartcarV2 implements SmartcarApi {

    private final SmartcarSettings settings;
    private final V2Client client;
    private final TokenCipher cipher;
    private final ConnectionStore connections;
    private final ConnectionSession.Parts sessions;

    SmartcarV2(V2Settings own, SmartcarApi.Parts parts) {
        this.settings = parts.settings();
        this.client = new V2Client(parts.http(), settings, own.clientSecret());
        this.cipher = own.cipher();
        this.connections = parts.connections();
        this.sessions = new ConnectionSession.Parts(client, cipher, connections, parts.vehicles(), parts.metrics());
    }

    // --- the port ----------------------------------------------------------------------------------------------------

    /** The OAuth client id. */
    @Override
    public String connectClientId() {
        return settings.clientId();
    }

    @Override
    public Map<String, String> connectParameters(String reference) {
        return Map.of();
    }

    /** The authorization code. */
    @Override
    public String connectAnswer(Message callback) {
        return callback.getHeader("code", String.class);
    }

    /** The code exchanged for the owner's first token pair, and {@code GET /user}: whose tokens these are. */
    @Override
    public Owner owner(String code, Instant now) {
        V2Client.TokenGrant grant;
        try {
            grant = client.exchangeCode(code);
        } catch (SmartcarCallException e) {
            throw ConnectSteps.notConfirmed("code exchange", e);
        }
        String userId;
        try {
            userId = client.userId(grant.accessToken());
        } catch (SmartcarCallException e) {
            throw ConnectSteps.notConfirmed("user", e);
        }
        return new Owner(userId, cipher.seal(userId, grant, now));
    }

    @Override
    public String listingTemplate() {
        return "subscription-sync-v2";
    }

    /** The active connections due for a sync that nobody holds now, by user. */
    @Override
    public List<String> dueListings(Instant now) {
        return connections.due(now);
    }

    @Override
    public Optional<Listing> claimListing(String userId, SyncRun run, Instant now) {
        return connections
                .claim(userId, run.claimedBy(), run.startedAt(), now, now.plus(settings.claimTimeout()))
                .map(connection -> sessions.open(connection, run));
    }

    /** {@code DELETE} on the vehicle's subscription path, with the management token. */
    @Override
    public int unsubscribe(String vehicleId) {
        client.unsubscribe(vehicleId);
        return 1;
    }

    @Override
    public Optional<Map<String, Object>> connectionListing() {
        return Optional.empty();
    }

    @Override
    public Optional<Signals> signals() {
        return Optional.empty();
    }

    // --- the steps of routes/subscription-sync-v2.camel.yaml ---------------------------------------------------------

    /** Refreshes the owner's tokens before they expire, so that a refresh is rarely the answer to a 401. */
    public void refreshExpiringToken(Exchange exchange) {
        session(exchange).refreshIfExpiring(settings.refreshBeforeExpiry(), Instant.now());
    }

    /** Every page of {@code GET /vehicles} with the owner's token: the complete list of the owner's vehicle ids. */
    public void listVehicles(Exchange exchange) {
        ConnectionSession session = session(exchange);
        Set<String> listed = new LinkedHashSet<>();
        int total;
        do {
            int offset = listed.size();
            V2Client.VehiclePage page = session.call(token -> client.vehicles(token, offset));
            total = page.total();
            listed.addAll(page.vehicleIds());
            if (listed.size() == offset && offset < total) {
                throw new SmartcarCallException(
                        Kind.MALFORMED, "vehicles: no new vehicle at offset " + offset + " of " + total);
            }
        } while (listed.size() < total);
        session.listed(new ArrayList<>(listed));
    }

    private static ConnectionSession session(Exchange exchange) {
        return (ConnectionSession) SyncSteps.listing(exchange);
    }
}
