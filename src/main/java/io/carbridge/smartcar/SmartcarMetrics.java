package io.carbridge.smartcar;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Prometheus series of Connect and the subscription sync, all prefixed {@code bridge_smartcar_}. */
public final class SmartcarMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(SmartcarMetrics.class);

    private final MeterRegistry registry;
    private final Counter subscriptions;
    private final Counter unsubscriptions;

    /** How a Connect request ended: the {@code outcome} label of {@code bridge_smartcar_connect_total}. */
    static final List<String> CONNECT_OUTCOMES = List.of(
            "connected",
            "denied",
            "connect_error",
            "invalid_state",
            "invalid_request",
            "failed",
            "not_configured",
            "unavailable",
            "error",
            "rate_limited",
            "client_limited");
    /** How a token refresh ended: the {@code outcome} label of {@code bridge_smartcar_token_refreshes_total}. */
    static final List<String> REFRESH_OUTCOMES = List.of("refreshed", "refused", "failed");
    /**
     * How fetching a v3 application token ended: the {@code outcome} label of
     * {@code bridge_smartcar_application_tokens_total}.
     */
    static final List<String> APPLICATION_TOKEN_OUTCOMES = List.of("fetched", "failed");
    /** Sync failures that are no Smartcar answer: a fault of the bridge's own (SyncSteps). */
    private static final String INTERNAL_ERROR = "internal_error";

    SmartcarMetrics(MeterRegistry registry, ConnectionStore connections) {
        this.registry = registry;
        // every series from the start, at zero, so that a rate or an alert over it works before its first failure
        CONNECT_OUTCOMES.forEach(this::connectCounter);
        REFRESH_OUTCOMES.forEach(this::refreshCounter);
        APPLICATION_TOKEN_OUTCOMES.forEach(this::applicationTokenCounter);
        Stream.concat(
                        Stream.of(SmartcarCallException.Kind.values()).map(SmartcarCallException.Kind::reason),
                        Stream.of(INTERNAL_ERROR))
                .forEach(this::syncFailureCounter);
        this.subscriptions = Counter.builder("bridge.smartcar.subscriptions")
                .description("Vehicles subscribed to the webhook")
                .register(registry);
        this.unsubscriptions = Counter.builder("bridge.smartcar.unsubscriptions")
                .description("Vehicles unsubscribed from the webhook (gone from their connection, or by an operator)")
                .register(registry);
        // read from the database at each scrape, so every instance reports the same number
        Gauge.builder(
                        "bridge.smartcar.connections.needing.reauthorization",
                        connections,
                        SmartcarMetrics::needingReauthorization)
                .description("Connections whose refresh token Smartcar refused: the owner must connect again")
                .strongReference(true)
                .register(registry);
    }

    public void subscribed() {
        subscriptions.increment();
    }

    public void unsubscribed() {
        unsubscriptions.increment();
    }

    /** A connection or vehicle the sync could not finish, by reason (see {@link SmartcarCallException.Kind}). */
    public void syncFailed(String reason) {
        syncFailureCounter(reason).increment();
    }

    /** v2.0: {@code refreshed}, {@code refused} (needs re-authorisation) or {@code failed} (tried again later). */
    public void tokenRefresh(String outcome) {
        refreshCounter(outcome).increment();
    }

    /** v3: an application token {@code fetched}, or {@code failed} to be (the sync tries again later). */
    public void applicationToken(String outcome) {
        applicationTokenCounter(outcome).increment();
    }

    /** How a Connect callback ended: {@code connected}, {@code denied}, {@code invalid_state}, {@code failed}, ... */
    void connect(String outcome) {
        connectCounter(outcome).increment();
    }

    private Counter syncFailureCounter(String reason) {
        return registry.counter("bridge.smartcar.sync.failures", "reason", reason);
    }

    private Counter refreshCounter(String outcome) {
        return registry.counter("bridge.smartcar.token.refreshes", "outcome", outcome);
    }

    private Counter applicationTokenCounter(String outcome) {
        return registry.counter("bridge.smartcar.application.tokens", "outcome", outcome);
    }

    private Counter connectCounter(String outcome) {
        return registry.counter("bridge.smartcar.connect", "outcome", outcome);
    }

    private static double needingReauthorization(ConnectionStore connections) {
        try {
            return connections.countNeedingReauthorization();
        } catch (RuntimeException e) {
            LOG.debug("Cannot count connections needing re-authorisation: {}", e.getMessage());
            return Double.NaN;
        }
    }
}
