package io.carbridge.smartcar;

import static io.carbridge.ExchangeProperties.CONNECT_ANSWER;
import static io.carbridge.ExchangeProperties.CONNECT_OWNER;
import static io.carbridge.ExchangeProperties.CONNECT_STATE;

import io.carbridge.http.ClientAddresses;
import io.carbridge.http.ClientRateLimit;
import io.carbridge.http.RequestRefused;
import io.carbridge.storage.StorageUnavailableException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.util.ObjectHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java steps of {@code routes/smartcar-connect.camel.yaml}: the OAuth side of Smartcar Connect, one flow for both
 * API versions. What Smartcar's answer comes to is the port's ({@link SmartcarApi#owner}): with v3 the callback names
 * the Smartcar user ({@code user_id}) and nothing is exchanged or stored but the user and the reference; with v2.0 the
 * callback's code is exchanged for the owner's tokens. Codes, tokens and states are never logged; the pages never show
 * a request header or a token.
 */
public final class ConnectSteps {

    static final int MAX_REFERENCE_LENGTH = 200;
    /**
     * What a 429 for the cap of open states asks the browser to wait: states expire continuously, a minute frees some.
     */
    private static final int RETRY_AFTER_SECONDS = 60;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Logger LOG = LoggerFactory.getLogger("io.carbridge.smartcar.connect");

    private final SmartcarSettings settings;
    private final SmartcarApi api;
    private final ConnectStateStore states;
    private final ConnectionStore connections;
    private final SmartcarMetrics metrics;
    private final ClientAddresses clients;
    private final ClientRateLimit perClient;
    /** When the cap of open states was last logged: once a minute at most, however many starts it refuses. */
    private final AtomicLong capLoggedAt = new AtomicLong(Long.MIN_VALUE);

    /**
     * @param settings null without {@code SMARTCAR_CLIENT_ID}, and so {@code api}: every step but {@link #limitClient}
     *     and {@link #requireConfigured} is then unreachable
     */
    ConnectSteps(
            SmartcarSettings settings,
            SmartcarApi api,
            ConnectStateStore states,
            ConnectionStore connections,
            SmartcarMetrics metrics,
            ClientAddresses clients,
            ClientRateLimit perClient) {
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
     * {@code Retry-After}. A person connects a car or two; a script that loops is stopped here, long before it could
     * fill the states every other owner needs.
     */
    public void limitClient(Exchange exchange) {
        perClient.take(clients.of(exchange)).ifPresent(retryAfter -> {
            throw new RequestRefused(
                    429,
                    "client_limited",
                    "Too many connection attempts from your network. Please try again in a " + "few minutes.",
                    retryAfter);
        });
    }

    /** Without {@code SMARTCAR_CLIENT_ID} Connect answers 503 (an intake-only deployment). */
    public void requireConfigured(Exchange exchange) {
        if (settings == null) {
            throw ConnectSteps.notConfigured();
        }
    }

    /**
     * {@code GET /connect/start?ref=...}: stores a fresh single-use state carrying the reference and redirects the
     * owner to Smartcar Connect with it, and with what the API version adds ({@link SmartcarApi#connectParameters}: v3
     * the reference as {@code external_id}, the reference Smartcar keeps for the user). Anyone may call it, and each
     * call keeps a row for the state lifetime: 429 while {@code bridge.connect.max-open-states} states are live.
     */
    public void startConnect(Exchange exchange) throws Exception {
        Message message = exchange.getMessage();
        requireGet(message);
        String reference = message.getHeader("ref", String.class);
        if (reference == null
                || reference.isBlank()
                || reference.length() > MAX_REFERENCE_LENGTH
                || reference.chars().anyMatch(Character::isISOControl)) {
            throw new RequestRefused(
                    400,
                    "invalid_request",
                    "This link is incomplete: it must carry your customer reference " + "(ref, at most "
                            + MAX_REFERENCE_LENGTH + " characters).");
        }
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String state = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Instant now = Instant.now();
        if (!states.save(state, reference.trim(), settings.mode(), now, now.plus(settings.stateLifetime()))) {
            long minute = now.getEpochSecond() / 60;
            if (capLoggedAt.getAndSet(minute) != minute) {
                LOG.warn(
                        "Connect refuses new starts: bridge.connect.max-open-states states are open, used or not, until they expire "
                                + "(said once a minute while it lasts)");
            }
            throw new RequestRefused(
                    429,
                    "rate_limited",
                    "Too many vehicle connections are being started right now. " + "Please try again in a few minutes.",
                    Duration.ofSeconds(RETRY_AFTER_SECONDS));
        }

        StringBuilder location = new StringBuilder(settings.connectUrl())
                .append("?response_type=code")
                .append("&client_id=")
                .append(encode(api.connectClientId()))
                .append("&redirect_uri=")
                .append(encode(settings.redirectUri()))
                .append("&scope=")
                .append(encode(String.join(" ", settings.scopes())))
                .append("&state=")
                .append(state)
                .append("&mode=")
                .append(settings.mode());
        api.connectParameters(reference.trim())
                .forEach((name, value) ->
                        location.append('&').append(name).append('=').append(encode(value)));
        ConnectPages.redirect(exchange, location.toString());
        LOG.info("connect started reference={}", reference.trim());
    }

    /**
     * {@code GET /connect/callback}: uses up the state, and turns Smartcar's error redirect into its page. Nothing is
     * stored for a denied or invalid callback, nor for one without the answer the API version needs
     * ({@link SmartcarApi#connectAnswer}: v3 the user id, a code being ignored; v2.0 the code).
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
            throw new RequestRefused(
                    400,
                    denied ? "denied" : "connect_error",
                    denied
                            ? "You did not allow access to your vehicle, so nothing was connected. You can start again at any time."
                            : "Smartcar could not connect your vehicle (" + errorCode(error)
                                    + "). Nothing was connected; please start again.");
        }
        String answer = api.connectAnswer(message);
        String state = message.getHeader("state", String.class);
        if (answer == null || answer.isBlank() || state == null || state.isBlank()) {
            throw new RequestRefused(
                    400,
                    "invalid_request",
                    "This page was opened without the answer from Smartcar. Please start again.");
        }
        exchange.setProperty(CONNECT_ANSWER, answer);
        exchange.setProperty(
                CONNECT_STATE,
                states.consume(state, Instant.now())
                        .orElseThrow(
                                () -> new RequestRefused(
                                        400,
                                        "invalid_state",
                                        "This connection link has expired or was already used. Nothing was connected; please start again.")));
    }

    /**
     * The owner Smartcar's answer names ({@link SmartcarApi#owner}): v3 the user of the callback; v2.0 the code
     * exchanged for the owner's first token pair, and {@code GET /user} (a failure of either is a 502 page).
     */
    public void connectOwner(Exchange exchange) {
        exchange.setProperty(
                CONNECT_OWNER, api.owner(exchange.getProperty(CONNECT_ANSWER, String.class), Instant.now()));
    }

    /**
     * A new connection, or the same user's connection updated (reference, errors cleared; v2.0 the tokens): the user's
     * vehicles Smartcar refused are tried again.
     */
    public void storeConnection(Exchange exchange) throws Exception {
        Instant now = Instant.now();
        SmartcarApi.Owner owner = exchange.getProperty(CONNECT_OWNER, SmartcarApi.Owner.class);
        ConnectStateStore.ConnectState state =
                exchange.getProperty(CONNECT_STATE, ConnectStateStore.ConnectState.class);
        connections.saveConnected(owner.userId(), state.customerReference(), state.mode(), owner.tokens(), now);
        LOG.info("connected user={} reference={} mode={}", owner.userId(), state.customerReference(), state.mode());
    }

    /** The owner's confirmation; the subscription sync takes the vehicles from here. */
    public void answerConnected(Exchange exchange) throws Exception {
        metrics.connect("connected");
        ConnectPages.page(
                exchange, 200, "Vehicle connected", "Your vehicle is now connected. You can close this page.");
    }

    /**
     * {@link RequestRefused}, an expected failure: its status, the outcome it is counted under (its reason), and the
     * sentence the owner reads.
     */
    public void answerRejection(Exchange exchange) {
        RequestRefused failure = ObjectHelper.getException(
                RequestRefused.class, exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
        metrics.connect(failure.reason());
        LOG.info("connect failed outcome={} status={}", failure.reason(), failure.status());
        ConnectPages.page(exchange, failure.status(), "Vehicle not connected", failure.getMessage());
        failure.retryAfter().ifPresent(wait -> exchange.getMessage().setHeader("Retry-After", wait.toSeconds()));
    }

    /** Anything else: 503 while the database is unavailable (try again soon), otherwise 500; logged either way. */
    public void answerConnectError(Exchange exchange) {
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (StorageUnavailableException.isCause(caught)) {
            metrics.connect("unavailable");
            LOG.warn("connect failed, the database is unavailable: {}", caught.getMessage());
            ConnectPages.page(
                    exchange,
                    503,
                    "Vehicle not connected",
                    "We cannot connect vehicles at the moment and nothing was connected. Please try again in a few minutes.");
        } else {
            metrics.connect("error");
            LOG.error("connect failed with an unexpected error", caught);
            ConnectPages.page(
                    exchange,
                    500,
                    "Vehicle not connected",
                    "Something went wrong on our side and nothing was connected. Please try again later.");
        }
    }

    static RequestRefused notConfigured() {
        return new RequestRefused(503, "not_configured", "Connecting vehicles is not set up on this service yet.");
    }

    /**
     * Smartcar failed a call of the callback ({@code step}: v2.0 the code exchange, or {@code GET /user}): logged, 502.
     */
    public static RequestRefused notConfirmed(String step, SmartcarCallException e) {
        LOG.warn("connect failed at the {}: {} {}", step, e.reason(), e.getMessage());
        return new RequestRefused(
                502,
                "failed",
                "Smartcar did not confirm the connection, so nothing was connected. Please start again.");
    }

    private static void requireGet(Message message) {
        if (!"GET".equals(message.getHeader(Exchange.HTTP_METHOD, String.class))) {
            throw new RequestRefused(405, "invalid_request", "Open this address in a browser.");
        }
    }

    /** Smartcar's error codes are lowercase words; anything else is not shown back. */
    private static String errorCode(String error) {
        return error.matches("[a-z_]{1,50}") ? error : "unknown error";
    }

    private static String encode(String value) {
        // Smartcar reads the space-separated scope with %20, as URLEncoder's + would be read by some servers as a plus
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
