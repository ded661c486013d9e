package io.carbridge.outbox;

import io.carbridge.state.VehicleStateWriter;
import io.carbridge.storage.GroupCommit;
import io.carbridge.storage.Storage;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code outbox} Camel component: the table of deliveries between the intake and the destinations, as endpoints.
 * {@code to: outbox:all} stores an event with its deliveries ({@link OutboxProducer}); {@code from:
 * outbox:<destination>} routes a destination's due deliveries and records their outcomes ({@link OutboxConsumer}). The
 * component owns what the endpoints share: the SQL, the group-commit writers of events and of outcomes, and the
 * housekeeping of claims (an instance that died leaves claims that expire; this instance's own claims from before a
 * crash are released at start). It stops after the routes, so that the attempts the consumers let finish are still
 * recorded.
 */
@Component("outbox")
public final class OutboxComponent extends DefaultComponent implements ExtendedStartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxComponent.class);

    private final Outbox outbox;
    private final EventStore eventStore;
    private final GroupCommit<AttemptOutcome, Boolean> recorder;
    private final DeliveryMetrics metrics;
    private final OutboxRouting routing;
    private final Settings settings;
    private final Map<String, OutboxConsumer> consumers = new ConcurrentHashMap<>();
    private volatile boolean dispatching;
    private volatile OutboxTracing tracing = OutboxTracing.OFF;
    private ScheduledExecutorService housekeeping;

    /**
     * How the endpoints work, the same for every destination.
     *
     * @param maxBatch the most events {@code outbox:all} commits together
     * @param commitTimeout how long {@code outbox:all} waits for its commit before it fails
     * @param storeMinCommitInterval the shortest time between two commits of events under steady load
     * @param pollInterval how often a consumer looks for due deliveries when nothing woke it
     * @param claimMargin added to an endpoint's timeout: how long a claim outlives its attempt's deadline
     * @param minCommitInterval the shortest time between two claims, or two commits of outcomes, under load
     * @param stopTimeout how long a stopping consumer waits for its attempts in flight
     */
    public record Settings(
            int maxBatch,
            Duration commitTimeout,
            Duration storeMinCommitInterval,
            Duration pollInterval,
            Duration claimMargin,
            Duration minCommitInterval,
            Duration stopTimeout) {}

    /**
     * @param owner names this instance in its claims; unique per instance sharing the database
     * @param routing which destinations want an event ({@code outbox:all} queues a delivery for each), and how each is
     *     delivered to
     */
    public OutboxComponent(
            Storage storage, String owner, OutboxRouting routing, MeterRegistry meters, Settings settings) {
        this.outbox = new Outbox(storage, owner);
        this.eventStore = new EventStore(
                storage.dataSource(),
                routing,
                this::wakeAll,
                settings.maxBatch(),
                settings.commitTimeout(),
                settings.storeMinCommitInterval());
        this.metrics = new DeliveryMetrics(meters);
        this.routing = routing;
        this.settings = settings;
        this.recorder = new GroupCommit<>(
                "outbox-recorder",
                outcomes -> {
                    List<Boolean> applied = outbox.record(outcomes);
                    wakeAll();
                    return applied;
                },
                256,
                settings.minCommitInterval(),
                settings.stopTimeout());
    }

    /**
     * Keeps the vehicles' state, and folds Smartcar's repeats of an error, in the transactions that store events
     * ({@code outbox:all}). Before Camel starts.
     */
    public void keepVehicleState(VehicleStateWriter state) {
        eventStore.keepVehicleState(state);
    }

    /** Traces what the endpoints store and attempt ({@link OutboxTracing}); before Camel starts. Off unless set. */
    public void traceWith(OutboxTracing tracing) {
        this.tracing = tracing;
    }

    OutboxTracing tracing() {
        return tracing;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        OutboxEndpoint endpoint = new OutboxEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        eventStore.useThreadsOf(getCamelContext());
        eventStore.start();
        recorder.setCamelContext(getCamelContext());
        recorder.start();
        getCamelContext().addStartupListener(this);
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // dispatching waits for onCamelContextFullyStarted: every route, the destinations' transforms included, runs
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        int released = outbox.releaseClaims(Instant.now(), true);
        if (released > 0) {
            LOG.info("Released {} delivery claim(s) left by a previous run; they will be attempted again", released);
        }
        outbox.backlog().forEach((destination, backlog) -> {
            if (!consumers.containsKey(destination)) {
                LOG.warn(
                        "{} deliveries wait for destination '{}', which no route consumes (outbox:{}): configure it again "
                                + "in bridge.destinations to deliver them",
                        backlog.pending(),
                        destination,
                        destination);
            }
        });
        housekeeping =
                context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "outbox-housekeeping");
        // a dead instance's claim is taken over within a claim margin of its expiry (at most half a minute)
        long releaseEvery = Math.min(
                settings.claimMargin().toMillis(), Duration.ofSeconds(30).toMillis());
        housekeeping.scheduleWithFixedDelay(
                this::releaseExpiredClaims, releaseEvery, releaseEvery, TimeUnit.MILLISECONDS);
        housekeeping.scheduleWithFixedDelay(this::refreshBacklog, 0, 5, TimeUnit.SECONDS);
        dispatching = true;
        consumers.values().forEach(OutboxConsumer::startDispatching);
    }

    /** After the routes have stopped: the outcomes of the last attempts are committed, then the writers stop. */
    @Override
    protected void doStop() throws Exception {
        dispatching = false;
        if (housekeeping != null) {
            getCamelContext().getExecutorServiceManager().shutdown(housekeeping);
        }
        recorder.stop();
        eventStore.stop();
        super.doStop();
    }

    void attach(OutboxConsumer consumer) {
        if (consumers.putIfAbsent(consumer.destination(), consumer) != null) {
            throw new IllegalStateException(
                    "outbox:" + consumer.destination() + " is consumed by two routes; one destination, one route");
        }
        metrics.register(consumer.destination());
        if (dispatching) {
            consumer.startDispatching(); // a route added while running (a reload)
        }
    }

    void detach(OutboxConsumer consumer) {
        consumers.remove(consumer.destination(), consumer);
    }

    /** New deliveries were committed (by the intake, a replay, a backfill): every destination may have work. */
    public void wakeAll() {
        consumers.values().forEach(consumer -> consumer.wake(false));
    }

    /** An operator resumed the destination, or queued deliveries for it: it looks again now. */
    public void wake(String destination) {
        OutboxConsumer consumer = consumers.get(destination);
        if (consumer != null) {
            consumer.wake(true);
        }
    }

    /**
     * An operator paused the destination: stored first (claims read it from there, on every instance), then believed
     * here at once, so that the admin API and the health check say so right away. Attempts in flight finish.
     */
    public void pause(String destination, String reason) {
        outbox.pause(destination, reason, Instant.now());
        OutboxConsumer consumer = consumers.get(destination);
        if (consumer != null) {
            consumer.pausedBy(reason);
        }
    }

    /** The destinations consumed here, each with its state, for the admin API. */
    public List<Map<String, Object>> describe() {
        return consumers.values().stream()
                .map(consumer -> {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    String problem = consumer.problem(true);
                    entry.put("name", consumer.destination());
                    entry.put("paused", consumer.isPaused());
                    entry.put("healthy", problem == null);
                    entry.put("problem", problem);
                    return entry;
                })
                .toList();
    }

    /**
     * Destinations that are paused or whose last attempts failed, with the reason; empty when all are healthy.
     *
     * @param withLastError whether the reason quotes the last error, which may name the destination's host and port:
     *     for the admin API, not for the unauthenticated readiness answer
     */
    public Map<String, String> unhealthyDestinations(boolean withLastError) {
        Map<String, String> unhealthy = new LinkedHashMap<>();
        consumers.values().forEach(consumer -> {
            String problem = consumer.problem(withLastError);
            if (problem != null) {
                unhealthy.put(consumer.destination(), problem);
            }
        });
        return unhealthy;
    }

    public Outbox outbox() {
        return outbox;
    }

    /**
     * What an attempt at the delivery would come to, by the outcome contract, for a destination's try: nothing is
     * recorded or counted, and a {@code pause} pauses nothing.
     */
    public Map<String, Object> judge(
            ClaimedDelivery delivery, DeliveryPolicy policy, Exchange exchange, Instant startedAt) {
        AttemptOutcome outcome = AttemptClassifier.classify(delivery, policy, exchange, startedAt, Instant.now());
        Map<String, Object> judged = new LinkedHashMap<>();
        judged.put("outcome", outcome.result().name());
        judged.put("statusCode", outcome.statusCode());
        judged.put("error", outcome.error());
        judged.put(
                "durationMs",
                Duration.between(outcome.startedAt(), outcome.finishedAt()).toMillis());
        return judged;
    }

    /** Which destinations want an event, and why the others do not. */
    public OutboxRouting routing() {
        return routing;
    }

    EventStore eventStore() {
        return eventStore;
    }

    DeliveryMetrics metrics() {
        return metrics;
    }

    CompletableFuture<Boolean> record(AttemptOutcome outcome) {
        return recorder.submit(outcome, settings.stopTimeout());
    }

    Duration pollInterval() {
        return settings.pollInterval();
    }

    Duration claimMargin() {
        return settings.claimMargin();
    }

    Duration minCommitInterval() {
        return settings.minCommitInterval();
    }

    Duration stopTimeout() {
        return settings.stopTimeout();
    }

    private void releaseExpiredClaims() {
        try {
            int released = outbox.releaseClaims(Instant.now(), false);
            if (released > 0) {
                LOG.warn("Released {} expired delivery claim(s) of an instance that stopped mid-attempt", released);
                wakeAll();
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not release expired delivery claims: {}", e.getMessage());
        }
    }

    private void refreshBacklog() {
        try {
            Map<String, Outbox.Backlog> backlog = outbox.backlog();
            Instant now = Instant.now();
            consumers.values().forEach(consumer -> {
                Outbox.Backlog waiting = backlog.getOrDefault(consumer.destination(), Outbox.Backlog.EMPTY);
                Duration oldest = waiting.oldestReceivedAt() == null
                        ? Duration.ZERO
                        : Duration.between(waiting.oldestReceivedAt(), now);
                metrics.backlog(consumer.destination(), waiting.pending(), oldest, consumer.isPaused());
            });
        } catch (RuntimeException e) {
            LOG.warn("Could not count the delivery backlog: {}", e.getMessage());
        }
    }
}
