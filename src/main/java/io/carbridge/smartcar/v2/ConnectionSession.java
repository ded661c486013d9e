package io.carbridge.smartcar.v2;

import io.carbridge.smartcar.AccessToken;
import io.carbridge.smartcar.ConnectionStore;
import io.carbridge.smartcar.Listing;
import io.carbridge.smartcar.SealedTokens;
import io.carbridge.smartcar.SmartcarCallException;
import io.carbridge.smartcar.SmartcarCallException.Kind;
import io.carbridge.smartcar.SmartcarMetrics;
import io.carbridge.smartcar.SyncRun;
import io.carbridge.smartcar.VehicleStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The v2.0 listing: one claimed owner's connection during one sync run. Its tokens, decrypted in memory only when used,
 * refreshed when they are about to expire or when Smartcar answers 401 (and then the call is made once more). A refresh
 * stores the new pair in place of the one it came from in one statement; a refresh token Smartcar refuses marks the
 * connection as needing re-authorisation and ends its work in this run. What the owner's {@code GET /vehicles} listed
 * ({@link #listed}) is recorded under the owner, and each new vehicle read and subscribed with the owner's token.
 */
public final class ConnectionSession extends AccessToken implements Listing {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionSession.class);

    private final String userId;
    private final int failureCount;
    private final SyncRun run;
    private final Parts parts;
    private SealedTokens sealed;
    private String accessToken;
    private boolean refused;
    private List<String> listed = List.of();

    /** What a session needs to read, refresh and use tokens and to record what it lists; one for the whole bridge. */
    record Parts(
            V2Client api,
            TokenCipher cipher,
            ConnectionStore connections,
            VehicleStore vehicles,
            SmartcarMetrics metrics) {

        ConnectionSession open(ConnectionStore.Connection connection, SyncRun run) {
            return new ConnectionSession(connection, run, this);
        }
    }

    private ConnectionSession(ConnectionStore.Connection connection, SyncRun run, Parts parts) {
        this.userId = connection.userId();
        this.failureCount = connection.failureCount();
        this.run = run;
        this.parts = parts;
        use(connection.tokens());
    }

    String userId() {
        return userId;
    }

    @Override
    public int failureCount() {
        return failureCount;
    }

    /** Whether work for this connection should go on: the run was not stopped and the tokens still work. */
    @Override
    public boolean isActive() {
        return run.isActive() && !refused;
    }

    /** Refreshes the pair when the access token expires within {@code margin} of {@code now}. */
    void refreshIfExpiring(Duration margin, Instant now) {
        if (!sealed.accessExpiresAt().isAfter(now.plus(margin))) {
            refresh(now);
        }
    }

    /** The complete list of the owner's vehicles, as {@code GET /vehicles} gave it. */
    void listed(List<String> vehicleIds) {
        listed = List.copyOf(vehicleIds);
    }

    @Override
    public VehicleStore.Gone markGone(Instant now) {
        return parts.vehicles().markGone(userId, listed, now);
    }

    @Override
    public List<String> record(Instant now) {
        parts.vehicles().recordListed(userId, listed, now);
        return parts.vehicles().dueForSubscription(listed, now);
    }

    /**
     * {@code GET /vehicles/{id}}: make, model and year into the vehicle table, before the vehicle sends anything; then
     * {@code POST /vehicles/{id}/webhooks/{SMARTCAR_WEBHOOK_ID}}, both with the owner's token.
     */
    @Override
    public void subscribe(VehicleStore.Claim vehicle) {
        parts.vehicles()
                .enrich(vehicle, call(token -> parts.api().attributes(token, vehicle.vehicleId())), Instant.now());
        call(token -> {
            parts.api().subscribe(token, vehicle.vehicleId());
            return vehicle;
        });
    }

    @Override
    public void synced(Instant now) {
        parts.connections().synced(userId, run.claimedBy(), now);
        run.connectionsSynced(1);
    }

    @Override
    public void failed(String error, Instant nextAttempt, Instant now) {
        parts.connections().failed(userId, run.claimedBy(), error, nextAttempt, now);
    }

    @Override
    protected String current() {
        return accessToken();
    }

    @Override
    protected String renew(String refused, String why) {
        LOG.info("user={} 401 from Smartcar ({}): refreshing the token and trying once more", userId, why);
        refresh(Instant.now());
        return accessToken();
    }

    private void refresh(Instant now) {
        SealedTokens from = sealed;
        if (!from.refreshExpiresAt().isAfter(now)) {
            throw refusedFor("the refresh token expired at " + from.refreshExpiresAt(), from, now);
        }
        V2Client.TokenGrant grant;
        try {
            grant = parts.api()
                    .refresh(parts.cipher().decrypt(from.refreshToken(), TokenCipher.refreshContext(userId)));
        } catch (SmartcarCallException e) {
            if (e.kind() == Kind.GRANT_REFUSED) {
                throw refusedFor(e.getMessage(), from, now);
            }
            parts.metrics().tokenRefresh("failed");
            throw e;
        }
        SealedTokens fresh = parts.cipher().seal(userId, grant, now);
        if (parts.connections().replaceTokens(userId, from.refreshToken(), fresh, now)) {
            use(fresh);
            parts.metrics().tokenRefresh("refreshed");
            LOG.info("user={} token refreshed, access token valid until {}", userId, fresh.accessExpiresAt());
        } else {
            // a reconnect (or an instance whose claim had expired) stored a newer pair meanwhile: that one stands
            use(parts.connections()
                    .find(userId)
                    .map(ConnectionStore.Connection::tokens)
                    .orElseThrow());
            LOG.info("user={} tokens were replaced while refreshing; using the stored ones", userId);
        }
    }

    private SmartcarCallException refusedFor(String reason, SealedTokens from, Instant now) {
        refused = true;
        parts.connections().needsReauthorization(userId, from.refreshToken(), reason, now);
        parts.metrics().tokenRefresh("refused");
        LOG.warn("user={} needs re-authorisation: {}", userId, reason);
        return new SmartcarCallException(Kind.GRANT_REFUSED, "refresh refused: " + reason);
    }

    private void use(SealedTokens stored) {
        sealed = stored;
        accessToken = null;
    }

    /** Decrypted on first use, so that a token that does not decrypt fails inside the route, on this connection. */
    private String accessToken() {
        if (accessToken == null) {
            accessToken = parts.cipher().decrypt(sealed.accessToken(), TokenCipher.accessContext(userId));
        }
        return accessToken;
    }

    /** Where a log line says a failure was. */
    @Override
    public String toString() {
        return "user=" + userId;
    }
}
