package io.carbridge.smartcar;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;

import io.carbridge.http.ClientAddresses;
import io.carbridge.http.ClientRateLimit;
import io.carbridge.storage.StorageUnavailableException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.util.ObjectHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java steps of {@code routes/smartcar-connect.camel.yaml}: the OAuth side of Smartcar Connect. With API v2.0 the
 * callback's code is exchanged for the owner's tokens; with v3 the callback names the Smartcar user ({@code user_id})
 * and nothing is exchanged or stored but the user and the reference. Codes, tokens and states are never logged; the
 * pages never show a request header or a token.
 */
public final class ConnectSteps {

    static final int MAX_REFERENCE_LENGTH = 200;
    /** What a 429 for the cap of open states asks the browser to wait: states expire continuously, a minute frees some. */
    private static final int RETRY_AFTER_SECONDS = 60;

    private static final String STATE = "connectState";
    private static final String GRANT = "connectGrant";
    private static final String USER_ID = "connectUserId";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Logger LOG = LoggerFactory.getLogger("io.carbridge.smartcar.connect");

    private final SmartcarSettings settings;
    /** v2.0 only (null with v3, whose Connect calls nothing); both null without {@code SMARTCAR_CLIENT_ID}. */
    private final SmartcarApi api;
    private final ConnectStateStore states;
    private final ConnectionStore connections;
    private final SmartcarMetrics metrics;
    private final ClientAddresses clients;
    private final ClientRateLimit perClient;
    /** When the cap of open states was last logged: once a minute at most, however many starts it refuses. */
    private final AtomicLong capLoggedAt = new AtomicLong(Long.MIN_VALUE);

    /** @param settings null without {@code SMARTCAR_CLIENT_ID}: every step but {@link #requireConfigured} is then unreachable */
    ConnectSteps(SmartcarSettings settings, SmartcarApi api, ConnectStateStore states, ConnectionStore connections, SmartcarMetrics metrics,
                 ClientAddresses clients, ClientRateLimit perClient) {
        this.settings = settings;
        this.clients = clients;
        this.perClient = perClient;
        this.api = api;
        this.states = states;
        this.connections = connections;
        this.metrics = metrics;
    }

    /**
     * The first step of both paths: one client (address) may start and finish only so many connections at once
     * ({@code bridge.connect.client-burst}, then one every {@code bridge.connect.client-refill}); past that, 429 with
     * {@code Retry-After}. A person connects a car or two; a script that loops is stopped here, long before it could fill
     * the states every other owner needs.
     */
    public void limitClient(Exchange exchange) {
        perClient.take(clients.of(exchange)).ifPresent(retryAfter -> {
            throw new ConnectFailure(429, "client_limited", "Too many connection attempts from your network. Please try again in a "
                    + "few minutes.", retryAfter);
        });
    }

    /** Without {@code SMARTCAR_CLIENT_ID} Connect answers 503 (an intake-only deployment). */
    public void requireConfigured(Exchange exchange) {
        if (settings == null) {
            throw ConnectFailure.notConfigured();
        }
    }

    /**
     * {@code GET /connect/start?ref=...}: stores a fresh single-use state carrying the reference and redirects the
     * owner to Smartcar Connect with it (v3: also as {@code external_id}, the reference Smartcar keeps for the user).
     * Anyone may call it, and each call keeps a row for the state lifetime: 429 while {@code bridge.connect.max-open-states}
     * states are live.
     */
    public void startConnect(Exchange exchange) throws Exception {
        Message message = exchange.getMessage();
        requireGet(message);
        String reference = message.getHeader("ref", String.class);
        if (reference == null || reference.isBlank() || reference.length() > MAX_REFERENCE_LENGTH
                || reference.chars().anyMatch(Character::isISOControl)) {
            throw new ConnectFailure(400, "invalid_request", "This link is incomplete: it must carry your customer reference "
                    + "(ref, at most " + MAX_REFERENCE_LENGTH + " characters).");
        }
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String state = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Instant now = Instant.now();
        if (!states.save(state, reference.trim(), settings.mode(), now, now.plus(settings.stateLifetime()))) {
            long minute = now.getEpochSecond() / 60;
            if (capLoggedAt.getAndSet(minute) != minute) {
                LOG.warn("Connect refuses new starts: bridge.connect.max-open-states states are open, used or not, until they expire "
                        + "(said once a minute while it lasts)");
            }
            throw new ConnectFailure(429, "rate_limited", "Too many vehicle connections are being started right now. "
                    + "Please try again in a few minutes.", Duration.ofSeconds(RETRY_AFTER_SECONDS));
        }

        String location = settings.connectUrl()
                + "?response_type=code"
                + "&client_id=" + encode(settings.connectClientId())
                + "&redirect_uri=" + encode(settings.redirectUri())
                + "&scope=" + encode(String.join(" ", settings.scopes()))
                + "&state=" + state
                + "&mode=" + settings.mode()
                + (settings.apiVersion() == ApiVersion.V3 ? "&external_id=" + encode(reference.trim()) : "");
        ConnectPages.redirect(exchange, location);
        LOG.info("connect started reference={}", reference.trim());
    }

    /**
     * {@code GET /connect/callback}: uses up the state, and turns Smartcar's error redirect into its page. Nothing is
     * stored for a denied or invalid callback. v2.0 needs the code; v3 the user id, and ignores any code.
     */
    public void checkConnectCallback(Exchange exchange) throws Exception {
        Message message = exchange.getMessage();
        requireGet(message);
        String error = message.getHeader("error", String.class);
        if (error != null) {
            String state = message.getHeader("state", String.class);
            if (state != null && !state.isBlank()) {
                states.consume(state, Instant.now()); // used up: that attempt is over
            }
            boolean denied = "access_denied".equals(error);
            throw new ConnectFailure(400, denied ? "denied" : "connect_error", denied
                    ? "You did not allow access to your vehicle, so nothing was connected. You can start again at any time."
                    : "Smartcar could not connect your vehicle (" + errorCode(error) + "). Nothing was connected; please start again.");
        }
        boolean v3 = settings.apiVersion() == ApiVersion.V3;
        String answer = message.getHeader(v3 ? "user_id" : "code", String.class);
        String state = message.getHeader("state", String.class);
        if (answer == null || answer.isBlank() || state == null || state.isBlank()
                || (v3 && !SmartcarApi.VEHICLE_ID.matcher(answer).matches())) {
            throw new ConnectFailure(400, "invalid_request", "This page was opened without the answer from Smartcar. Please start again.");
        }
        if (v3) {
            exchange.setProperty(USER_ID, answer);
        }
        exchange.setProperty(STATE, states.consume(state, Instant.now()).orElseThrow(() -> new ConnectFailure(400, "invalid_state",
                "This connection link has expired or was already used. Nothing was connected; please start again.")));
    }

    /** Exchanges the authorization code for the owner's first token pair. */
    public void exchangeConnectCode(Exchange exchange) throws Exception {
        try {
            exchange.setProperty(GRANT, api().exchangeCode(exchange.getMessage().getHeader("code", String.class)));
        } catch (SmartcarCallException e) {
            throw exchangeFailed("code exchange", e);
        }
    }

    /** {@code GET /user}: whose tokens these are; a connection is keyed by the Smartcar user. */
    public void readConnectUser(Exchange exchange) throws Exception {
        try {
            exchange.setProperty(USER_ID, api().userId(grant(exchange).accessToken()));
        } catch (SmartcarCallException e) {
            throw exchangeFailed("user", e);
        }
    }

    /** A new connection, or the same user's connection updated (tokens, reference, errors cleared). */
    public void storeConnection(Exchange exchange) throws Exception {
        Instant now = Instant.now();
        String userId = exchange.getProperty(USER_ID, String.class);
        ConnectStateStore.ConnectState state = exchange.getProperty(STATE, ConnectStateStore.ConnectState.class);
        connections.saveConnected(userId, state.customerReference(), state.mode(),
                SealedTokens.seal(settings.cipher(), userId, grant(exchange), now), now);
        LOG.info("connected user={} reference={} mode={}", userId, state.customerReference(), state.mode());
    }

    /** v3: the connection as the callback named it, user and reference; v3 has no owner tokens to store. */
    public void storeConnectedUser(Exchange exchange) throws Exception {
        Instant now = Instant.now();
        String userId = exchange.getProperty(USER_ID, String.class);
        ConnectStateStore.ConnectState state = exchange.getProperty(STATE, ConnectStateStore.ConnectState.class);
        connections.saveConnected(userId, state.customerReference(), state.mode(), null, now);
        LOG.info("connected user={} reference={} mode={}", userId, state.customerReference(), state.mode());
    }

    /** The owner's confirmation; the subscription sync takes the vehicles from here. */
    public void answerConnected(Exchange exchange) throws Exception {
        metrics.connect("connected");
        ConnectPages.page(exchange, 200, "Vehicle connected", "Your vehicle is now connected. You can close this page.");
    }

    /** {@link ConnectFailure}, an expected failure: its status and the sentence the owner reads. */
    public void answerConnectFailure(Exchange exchange) {
        ConnectFailure failure = ObjectHelper.getException(ConnectFailure.class, exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
        metrics.connect(failure.outcome());
        LOG.info("connect failed outcome={} status={}", failure.outcome(), failure.status());
        ConnectPages.page(exchange, failure.status(), "Vehicle not connected", failure.getMessage());
        failure.retryAfter().ifPresent(wait -> exchange.getMessage().setHeader("Retry-After", wait.toSeconds()));
    }

    /** Anything else: 503 while the database is unavailable (try again soon), otherwise 500; logged either way. */
    public void answerConnectError(Exchange exchange) {
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (StorageUnavailableException.isCause(caught)) {
            metrics.connect("unavailable");
            LOG.warn("connect failed, the database is unavailable: {}", caught.getMessage());
            ConnectPages.page(exchange, 503, "Vehicle not connected",
                    "We cannot connect vehicles at the moment and nothing was connected. Please try again in a few minutes.");
        } else {
            metrics.connect("error");
            LOG.error("connect failed with an unexpected error", caught);
            ConnectPages.page(exchange, 500, "Vehicle not connected",
                    "Something went wrong on our side and nothing was connected. Please try again later.");
        }
    }

    private static ConnectFailure exchangeFailed(String step, SmartcarCallException e) {
        LOG.warn("connect failed at the {}: {} {}", step, e.reason(), e.getMessage());
        return new ConnectFailure(502, "failed", "Smartcar did not confirm the connection, so nothing was connected. Please start again.");
    }

    private static void requireGet(Message message) {
        if (!"GET".equals(message.getHeader(Exchange.HTTP_METHOD, String.class))) {
            throw new ConnectFailure(405, "invalid_request", "Open this address in a browser.");
        }
    }

    /** Smartcar's error codes are lowercase words; anything else is not shown back. */
    private static String errorCode(String error) {
        return error.matches("[a-z_]{1,50}") ? error : "unknown error";
    }

    private static SmartcarApi.TokenGrant grant(Exchange exchange) {
        return exchange.getProperty(GRANT, SmartcarApi.TokenGrant.class);
    }

    private static String encode(String value) {
        // Smartcar reads the space-separated scope with %20, as URLEncoder's + would be read by some servers as a plus
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private SmartcarApi api() {
        return ApiVersion.V2.require(api);
    }
}
