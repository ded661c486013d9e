package io.carbridge.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import io.carbridge.Settings.InvalidSettingException;
import io.carbridge.storage.GroupCommit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.StartupListener;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards what the outbox holds. Per destination, a dispatcher claims due deliveries (at most one in flight per
 * vehicle, so one vehicle's events arrive in order) up to the destination's concurrency, enriches them, and hands each
 * to a worker that sends it through the destination's route ({@code direct:deliver-<name>}); the outcome of every
 * attempt is recorded with group commit. Nothing here is on the intake's request path: the intake only writes the
 * outbox rows and wakes the dispatchers.
 */
public final class DeliveryEngine extends ServiceSupport implements StartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryEngine.class);

    private final CamelContext camel;
    private final Destinations destinations;
    private final Outbox outbox;
    private final EventEnricher enricher;
    private final DeliveryMetrics metrics;
    private final Duration pollInterval;
    private final Duration claimMargin;
    private final Duration minCommitInterval;
    private final Duration stopTimeout;
    private final GroupCommit<AttemptOutcome, Boolean> recorder;
    private final Map<String, Dispatcher> dispatchers = new LinkedHashMap<>();
    private ProducerTemplate producer;
    private ScheduledExecutorService maintenance;

    DeliveryEngine(CamelContext camel, Destinations destinations, Outbox outbox, EventEnricher enricher, DeliveryMetrics metrics,
                   Duration pollInterval, Duration claimMargin, Duration minCommitInterval, Duration stopTimeout) {
        this.camel = camel;
        this.destinations = destinations;
        this.outbox = outbox;
        this.enricher = enricher;
        this.metrics = metrics;
        this.pollInterval = pollInterval;
        this.claimMargin = claimMargin;
        this.minCommitInterval = minCommitInterval;
        this.stopTimeout = stopTimeout;
        this.recorder = new GroupCommit<>("delivery-recorder", outcomes -> {
            List<Boolean> applied = outbox.record(outcomes);
            wakeAll();
            return applied;
        }, 256, minCommitInterval, stopTimeout);
        destinations.all().forEach(destination -> dispatchers.put(destination.name(), new Dispatcher(destination)));
        camel.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopping(CamelContext context) {
                // before the routes stop: no new attempt may start on a route that is going away
                stopDispatching();
            }
        });
    }

    /** New outbox rows were committed: every destination may have work. */
    public void wakeAll() {
        dispatchers.values().forEach(dispatcher -> dispatcher.wakeup.signal());
    }

    /** Makes a destination take up its work again after an operator resumed it or queued a replay. */
    void wake(String destination) {
        Dispatcher dispatcher = dispatchers.get(destination);
        if (dispatcher != null) {
            dispatcher.pausedCheckedAt = 0;
            dispatcher.wakeup.signal();
        }
    }

    /**
     * An operator paused the destination: stored first (claims read it from there, on every instance), then believed
     * here at once, so that the admin API and the health check say so right away. Attempts in flight finish.
     */
    void pause(String destination, String reason) {
        outbox.pause(destination, reason, Instant.now());
        Dispatcher dispatcher = dispatchers.get(destination);
        if (dispatcher != null) {
            dispatcher.lastError = reason;
            dispatcher.pausedCheckedAt = System.currentTimeMillis();
            dispatcher.paused = true;
        }
    }

    /**
     * Destinations that are paused or whose last attempts failed, with the reason; empty when all are healthy.
     *
     * @param withLastError whether the reason quotes the last error, which may name the destination's host and port:
     *                      for the admin API, not for the unauthenticated readiness answer
     */
    public Map<String, String> unhealthyDestinations(boolean withLastError) {
        Map<String, String> unhealthy = new LinkedHashMap<>();
        dispatchers.forEach((name, dispatcher) -> {
            if (dispatcher.paused) {
                unhealthy.put(name, "paused" + (withLastError ? ": " + dispatcher.lastError : ""));
            } else if (dispatcher.consecutiveFailures.get() >= 3) {
                unhealthy.put(name, dispatcher.consecutiveFailures.get() + " failed attempts in a row"
                        + (withLastError ? ", last: " + dispatcher.lastError : ""));
            }
        });
        return unhealthy;
    }

    @Override
    protected void doStart() {
        checkTransformsExist();
        recorder.start();
        producer = camel.createProducerTemplate();
    }

    /** Dispatching starts once every route runs, so that no attempt meets a route that is not there yet. */
    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        int released = outbox.releaseClaims(Instant.now(), true);
        if (released > 0) {
            LOG.info("Released {} delivery claim(s) left by a previous run; they will be attempted again", released);
        }
        outbox.backlog().forEach((destination, backlog) -> {
            if (!dispatchers.containsKey(destination)) {
                LOG.warn("{} deliveries wait for destination '{}', which is no longer in bridge.destinations: "
                        + "configure it again to deliver them", backlog.pending(), destination);
            }
        });
        maintenance = camel.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "delivery-maintenance");
        maintenance.scheduleWithFixedDelay(this::releaseExpiredClaims, 30, 30, TimeUnit.SECONDS);
        maintenance.scheduleWithFixedDelay(this::refreshBacklog, 0, 5, TimeUnit.SECONDS);
        dispatchers.values().forEach(Dispatcher::start);
    }

    /** Stops claiming, then gives the attempts in flight until the stop timeout to finish and be recorded. */
    void stopDispatching() {
        dispatchers.values().forEach(Dispatcher::stop);
        if (maintenance != null) {
            camel.getExecutorServiceManager().shutdown(maintenance);
        }
    }

    @Override
    protected void doStop() {
        stopDispatching();
        recorder.stop();
    }

    private void checkTransformsExist() {
        Set<String> consumed = ((ModelCamelContext) camel).getRouteDefinitions().stream()
                .map(RouteDefinition::getEndpointUrl).map(DeliveryEngine::normalize).collect(Collectors.toSet());
        for (Destination destination : destinations.all()) {
            if (!consumed.contains(normalize(destination.transformUri()))) {
                throw new InvalidSettingException("bridge.destination." + destination.name() + ".transform",
                        "is '" + destination.transformUri() + "', but no route in routes/ starts from it (destination '"
                                + destination.name() + "')");
            }
        }
    }

    private static String normalize(String uri) {
        try {
            return URISupport.normalizeUri(uri);
        } catch (Exception e) {
            return uri;
        }
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
            dispatchers.forEach((name, dispatcher) -> {
                Outbox.Backlog destinationBacklog = backlog.getOrDefault(name, Outbox.Backlog.EMPTY);
                Duration oldest = destinationBacklog.oldestReceivedAt() == null ? Duration.ZERO
                        : Duration.between(destinationBacklog.oldestReceivedAt(), now);
                metrics.backlog(name, destinationBacklog.pending(), oldest, dispatcher.paused);
            });
        } catch (RuntimeException e) {
            LOG.warn("Could not count the delivery backlog: {}", e.getMessage());
        }
    }

    /** Claims and runs the deliveries of one destination. */
    private final class Dispatcher implements Runnable {

        final Destination destination;
        final Wakeup wakeup = new Wakeup();
        final Semaphore slots;
        final AtomicInteger consecutiveFailures = new AtomicInteger();
        volatile boolean paused;
        volatile long pausedCheckedAt;
        volatile String lastError;
        volatile boolean running;
        long lastClaimAt = System.nanoTime();
        Thread thread;
        ExecutorService workers;

        Dispatcher(Destination destination) {
            this.destination = destination;
            this.slots = new Semaphore(destination.concurrency());
        }

        void start() {
            running = true;
            workers = camel.getExecutorServiceManager().newFixedThreadPool(this, "deliver-" + destination.name(), destination.concurrency());
            thread = new Thread(this, "dispatch-" + destination.name());
            thread.setDaemon(true);
            thread.start();
        }

        void stop() {
            if (!running) {
                return;
            }
            running = false;
            wakeup.signal();
            try {
                thread.join(stopTimeout.toMillis());
                workers.shutdown();
                if (!workers.awaitTermination(stopTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("Destination {}: attempts still in flight at shutdown; they will be attempted again after restart",
                            destination.name());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void run() {
            while (running) {
                try {
                    if (isPaused()) {
                        wakeup.await(pollInterval);
                        continue;
                    }
                    int free = freeSlotsToClaim();
                    List<ClaimedDelivery> claimed = free == 0 ? List.of()
                            : outbox.claim(destination.name(), free, Instant.now(), destination.timeout().plus(claimMargin));
                    if (!claimed.isEmpty()) {
                        dispatch(claimed);
                    }
                    if (claimed.size() < free || free == 0) {
                        wakeup.await(pollInterval);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Throwable e) { // an Error included: a dispatcher that dies would stop its destination for good
                    LOG.warn("Destination {}: could not claim deliveries: {}", destination.name(), e.toString());
                    sleepQuietly();
                }
            }
        }

        /**
         * A claim is a commit, and a commit costs about the same for one delivery as for sixteen: while attempts are in
         * flight and will free more slots, claims are at least the minimum commit interval apart, so that under load
         * the slots freed meanwhile are claimed together. With every slot free there is nothing to wait for.
         */
        private int freeSlotsToClaim() throws InterruptedException {
            int free = slots.availablePermits();
            long wait = lastClaimAt + minCommitInterval.toNanos() - System.nanoTime();
            if (free > 0 && free < destination.concurrency() && wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
                free = slots.availablePermits();
            }
            if (free > 0) {
                lastClaimAt = System.nanoTime();
            }
            return free;
        }

        private boolean isPaused() {
            long now = System.currentTimeMillis();
            if (now - pausedCheckedAt >= pollInterval.toMillis()) {
                paused = outbox.isPaused(destination.name());
                pausedCheckedAt = now;
            }
            return paused;
        }

        private void dispatch(List<ClaimedDelivery> claimed) throws InterruptedException {
            List<Map<String, Object>> documents;
            try {
                documents = enricher.documents(claimed);
            } catch (RuntimeException e) {
                LOG.warn("Destination {}: could not enrich {} deliveries, they will be retried: {}", destination.name(), claimed.size(), e.getMessage());
                Instant now = Instant.now();
                claimed.forEach(delivery -> finish(delivery, retrySoon(delivery, now, "enrichment failed: " + e.getMessage())));
                return;
            }
            for (int i = 0; i < claimed.size(); i++) {
                ClaimedDelivery delivery = claimed.get(i);
                Map<String, Object> document = documents.get(i);
                slots.acquire();
                workers.execute(() -> {
                    try {
                        attempt(delivery, document);
                    } finally {
                        slots.release();
                        wakeup.signal();
                    }
                });
            }
        }

        private void attempt(ClaimedDelivery delivery, Map<String, Object> document) {
            Instant startedAt = Instant.now();
            AttemptOutcome outcome;
            try {
                Exchange exchange = new DefaultExchange(camel);
                exchange.getMessage().setBody(document);
                exchange.setProperty(OutboundRequest.DESTINATION, destination);
                exchange.setProperty(OutboundRequest.EVENT_ID, delivery.eventId());
                producer.send("direct:" + Destinations.routeId(destination.name()), exchange);
                outcome = AttemptClassifier.classify(delivery, destination, exchange, startedAt, Instant.now());
            } catch (RuntimeException e) {
                // whatever went wrong, the outcome is recorded: the delivery must not sit claimed until its claim expires
                outcome = retrySoon(delivery, startedAt, "attempt failed: " + e);
            }
            finish(delivery, outcome);
        }

        /** An attempt that failed on the bridge's side, not the destination's: tried again after the poll interval. */
        private AttemptOutcome retrySoon(ClaimedDelivery delivery, Instant startedAt, String error) {
            Instant now = Instant.now();
            return new AttemptOutcome(delivery.id(), delivery.attempt(), startedAt, now, null, error,
                    AttemptOutcome.Result.RETRY, now.plus(pollInterval));
        }

        private void finish(ClaimedDelivery delivery, AttemptOutcome outcome) {
            metrics.attempted(destination.name(), outcome, delivery.queuedAt());
            if (outcome.result() == AttemptOutcome.Result.DELIVERED) {
                consecutiveFailures.set(0);
                LOG.debug("delivery destination={} eventId={} attempt={} outcome=DELIVERED status={}",
                        destination.name(), delivery.eventId(), delivery.attempt(), outcome.statusCode());
            } else {
                consecutiveFailures.incrementAndGet();
                lastError = outcome.error();
                LOG.warn("delivery destination={} eventId={} attempt={} outcome={} next={} error={}", destination.name(),
                        delivery.eventId(), delivery.attempt(), outcome.result(), outcome.nextAttemptAt(), outcome.error());
            }
            if (outcome.result() == AttemptOutcome.Result.PAUSED && !paused) {
                try {
                    // the database first: the dispatcher rereads the pause from there
                    outbox.pause(destination.name(), outcome.error(), outcome.finishedAt());
                    pausedCheckedAt = System.currentTimeMillis();
                    paused = true;
                    LOG.error("Destination {} answered 410 Gone: paused until resumed (POST /admin/destinations/{}/resume)",
                            destination.name(), destination.name());
                } catch (RuntimeException e) {
                    LOG.warn("Destination {} answered 410 Gone, but the pause could not be stored ({}); the next 410 tries again",
                            destination.name(), e.getMessage());
                }
            }
            recorder.submit(outcome, stopTimeout).whenComplete((applied, failure) -> {
                if (failure != null) {
                    LOG.warn("Destination {}: outcome of event {} not recorded ({}); its claim will expire and it will be attempted again",
                            destination.name(), delivery.eventId(), failure.getMessage());
                }
            });
        }

        private void sleepQuietly() {
            try {
                wakeup.await(pollInterval);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Lists the destinations with their state, for the admin API. */
    List<Map<String, Object>> describe() {
        List<Map<String, Object>> result = new ArrayList<>();
        Map<String, String> unhealthy = unhealthyDestinations(true);
        dispatchers.forEach((name, dispatcher) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", name);
            entry.put("paused", dispatcher.paused);
            entry.put("healthy", !unhealthy.containsKey(name));
            entry.put("problem", unhealthy.get(name));
            result.add(entry);
        });
        return result;
    }
}
