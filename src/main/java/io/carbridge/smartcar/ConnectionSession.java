package io.carbridge.smartcar;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

import io.carbridge.smartcar.SmartcarCallException.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One claimed connection during one sync run: its tokens, decrypted in memory only when used, refreshed when they are about to
 * expire or when Smartcar answers 401 (and then the call is made once more). A refresh stores the new pair in place of
 * the one it came from in one statement; a refresh token Smartcar refuses marks the connection as needing
 * re-authorisation and ends its work in this run.
 */
public final class ConnectionSession {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionSession.class);

    private final String userId;
    private final int failureCount;
    private final SyncRun run;
    private final Tokens tokens;
    private SealedTokens sealed;
    private String accessToken;
    private boolean refused;

    /** What a session needs to read and refresh tokens; one for the whole bridge. */
    record Tokens(SmartcarApi api, TokenCipher cipher, ConnectionStore connections, SmartcarMetrics metrics) {

        ConnectionSession open(ConnectionStore.Connection connection, SyncRun run) {
            return new ConnectionSession(connection, run, this);
        }
    }

    private ConnectionSession(ConnectionStore.Connection connection, SyncRun run, Tokens tokens) {
        this.userId = connection.userId();
        this.failureCount = connection.failureCount();
        this.run = run;
        this.tokens = tokens;
        use(connection.tokens());
    }

    String userId() {
        return userId;
    }

    SyncRun run() {
        return run;
    }

    /** Consecutive failed syncs before this one. */
    int failureCount() {
        return failureCount;
    }

    /** Whether work for this connection should go on: the run was not stopped and the tokens still work. */
    public boolean isActive() {
        return run.isActive() && !refused;
    }

    /** Refreshes the pair when the access token expires within {@code margin} of {@code now}. */
    void refreshIfExpiring(Duration margin, Instant now) {
        if (!sealed.accessExpiresAt().isAfter(now.plus(margin))) {
            refresh(now);
        }
    }

    /** Makes a call with the access token; on 401, refreshes and makes it once more. */
    <T> T call(Function<String, T> request) {
        try {
            return request.apply(accessToken());
        } catch (SmartcarCallException e) {
            if (e.kind() != Kind.UNAUTHORIZED) {
                throw e;
            }
            LOG.info("user={} 401 from Smartcar ({}): refreshing the token and trying once more", userId, e.getMessage());
            refresh(Instant.now());
            return request.apply(accessToken());
        }
    }

    private void refresh(Instant now) {
        SealedTokens from = sealed;
        if (!from.refreshExpiresAt().isAfter(now)) {
            throw refusedFor("the refresh token expired at " + from.refreshExpiresAt(), from, now);
        }
        SmartcarApi.TokenGrant grant;
        try {
            grant = tokens.api().refresh(tokens.cipher().decrypt(from.refreshToken(), SealedTokens.refreshContext(userId)));
        } catch (SmartcarCallException e) {
            if (e.kind() == Kind.GRANT_REFUSED) {
                throw refusedFor(e.getMessage(), from, now);
            }
            tokens.metrics().tokenRefresh("failed");
            throw e;
        }
        SealedTokens fresh = SealedTokens.seal(tokens.cipher(), userId, grant, now);
        if (tokens.connections().replaceTokens(userId, from.refreshToken(), fresh, now)) {
            use(fresh);
            tokens.metrics().tokenRefresh("refreshed");
            LOG.info("user={} token refreshed, access token valid until {}", userId, fresh.accessExpiresAt());
        } else {
            // a reconnect (or an instance whose claim had expired) stored a newer pair meanwhile: that one stands
            use(tokens.connections().find(userId).map(ConnectionStore.Connection::tokens).orElseThrow());
            LOG.info("user={} tokens were replaced while refreshing; using the stored ones", userId);
        }
    }

    private SmartcarCallException refusedFor(String reason, SealedTokens from, Instant now) {
        refused = true;
        tokens.connections().needsReauthorization(userId, from.refreshToken(), reason, now);
        tokens.metrics().tokenRefresh("refused");
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
            accessToken = tokens.cipher().decrypt(sealed.accessToken(), SealedTokens.accessContext(userId));
        }
        return accessToken;
    }

    @Override
    public String toString() {
        return "ConnectionSession[user=" + userId + "]";
    }
}
