package io.carbridge.outbox;

import io.carbridge.LogFields;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.Processor;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The consumer of {@code outbox:<destination>}, in the manner of camel-sql's polling consumer: it claims the
 * destination's due deliveries, at most one in flight per vehicle (so one vehicle's deliveries arrive in order) and up
 * to its concurrency, and routes each as an exchange whose body is the {@link ClaimedDelivery}. When the route is done
 * it reads the outcome from the exchange (the HTTP status, or the failure) and records it with its attempt, in batched
 * commits. It wakes when new deliveries are committed, and polls otherwise.
 */
final class OutboxConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxConsumer.class);

    private final OutboxEndpoint endpoint;
    private final OutboxComponent component;
    private final String destination;
    private final DeliveryPolicy policy;
    private final Wakeup wakeup = new Wakeup();
    /** Attempts in flight: the destination's concurrency. */
    private final Semaphore slots;
    /**
     * Attempts started whose outcome is not committed yet: twice the concurrency. A process killed at any moment has
     * made at most this many attempts it will make again after its restart, which bounds what a destination sees twice.
     */
    private final Semaphore unrecorded;
    /** The deliveries this instance holds (claimed, outcome not yet committed), each with its ordering key. */
    private final Map<Long, String> heldHere = new ConcurrentHashMap<>();

    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private volatile boolean paused;
    private volatile long pausedCheckedAt;
    private volatile String lastError;
    private volatile boolean running;
    private long lastClaimAt = System.nanoTime();
    private ExecutorService dispatcher;
    private ExecutorService workers;

    OutboxConsumer(OutboxEndpoint endpoint, Processor processor, DeliveryPolicy policy) {
        super(endpoint, processor);
        this.endpoint = endpoint;
        this.component = endpoint.getComponent();
        this.destination = endpoint.getName();
        this.policy = policy;
        this.slots = new Semaphore(policy.concurrency());
        this.unrecorded = new Semaphore(2 * policy.concurrency());
    }

    String destination() {
        return destination;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        component.attach(this);
    }

    /** Called by the component once every route runs, so that no attempt meets a route that is not there yet. */
    void startDispatching() {
        if (running || !isRunAllowed()) {
            return;
        }
        running = true;
        ExecutorServiceManager threads = getEndpoint().getCamelContext().getExecutorServiceManager();
        workers = threads.newFixedThreadPool(this, "deliver-" + destination, policy.concurrency());
        dispatcher = threads.newSingleThreadExecutor(this, "outbox-" + destination);
        dispatcher.execute(this::dispatchLoop);
    }

    /** Stops claiming, then gives the attempts in flight until the stop timeout to finish and be recorded. */
    @Override
    protected void doStop() throws Exception {
        component.detach(this);
        if (running) {
            running = false;
            wakeup.signal();
            ExecutorServiceManager threads = getEndpoint().getCamelContext().getExecutorServiceManager();
            long stopTimeout = component.stopTimeout().toMillis();
            threads.shutdownGraceful(dispatcher, stopTimeout);
            threads.shutdown(workers);
            if (!threads.awaitTermination(workers, stopTimeout)) {
                LOG.warn(
                        "Destination {}: attempts still in flight at shutdown; they will be attempted again after restart",
                        destination);
            }
        }
        super.doStop();
    }

    /** New deliveries were committed, a claim expired, or an operator resumed or replayed: there may be work. */
    void wake(boolean pauseChanged) {
        if (pauseChanged) {
            pausedCheckedAt = 0;
        }
        wakeup.signal();
    }

    /** The pause is stored already: believe it now rather than at the next check. */
    void pausedBy(String reason) {
        lastError = reason;
        pausedCheckedAt = System.currentTimeMillis();
        paused = true;
    }

    boolean isPaused() {
        return paused;
    }

    /**
     * Why this destination is unhealthy (paused, or failing again and again), or null when it is not.
     *
     * @param withLastError whether to quote the last error, which may name the destination's host and port
     */
    String problem(boolean withLastError) {
        if (paused) {
            return "paused" + (withLastError ? ": " + lastError : "");
        }
        int failures = consecutiveFailures.get();
        return failures >= 3
                ? failures + " failed attempts in a row" + (withLastError ? ", last: " + lastError : "")
                : null;
    }

    private void dispatchLoop() {
        Duration pollInterval = component.pollInterval();
        while (running) {
            try {
                if (checkPaused(pollInterval)) {
                    wakeup.await(pollInterval);
                    continue;
                }
                int free = freeSlotsToClaim();
                // a batch ahead: the next attempts start as slots free, not one claim interval later
                int wanted = free == 0 ? 0 : free + policy.concurrency();
                List<ClaimedDelivery> claimed = wanted == 0
                        ? List.of()
                        : component
                                .outbox()
                                .claim(
                                        destination,
                                        wanted,
                                        Instant.now(),
                                        policy.timeout().plus(component.claimMargin()),
                                        Set.copyOf(heldHere.values()));
                claimed.forEach(delivery -> heldHere.put(delivery.id(), delivery.orderingKey()));
                dispatchAll(claimed, pollInterval);
                if (claimed.size() < wanted || free == 0) {
                    wakeup.await(pollInterval);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Throwable e) { // an Error included: a dispatcher that dies would stop its destination for good
                LOG.warn("Destination {}: could not claim deliveries: {}", destination, e.toString());
                try {
                    wakeup.await(pollInterval);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * A claim is a commit, and a commit costs about the same for one delivery as for sixteen: while attempts are in
     * flight and will free more slots, claims are at least the minimum commit interval apart, so that under load the
     * slots freed meanwhile are claimed together. With every slot free there is nothing to wait for.
     */
    private int freeSlotsToClaim() throws InterruptedException {
        int free = freeSlots();
        long wait = lastClaimAt + component.minCommitInterval().toNanos() - System.nanoTime();
        if (free > 0 && free < policy.concurrency() && wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
            free = freeSlots();
        }
        if (free > 0) {
            lastClaimAt = System.nanoTime();
        }
        return free;
    }

    /**
     * Attempts that may start now: a slot in flight, and room among the attempts whose outcome is not committed yet.
     */
    private int freeSlots() {
        return Math.min(slots.availablePermits(), unrecorded.availablePermits());
    }

    /**
     * The pause lives in the database (an operator or another instance may change it): read at most every poll
     * interval.
     */
    private boolean checkPaused(Duration pollInterval) {
        long now = System.currentTimeMillis();
        if (now - pausedCheckedAt >= pollInterval.toMillis()) {
            paused = component.outbox().isPaused(destination);
            pausedCheckedAt = now;
        }
        return paused;
    }

    /**
     * Starts each claimed delivery as a slot frees. What a stop or a pause leaves unstarted is given back at once,
     * rather than held until its claim expires.
     */
    private void dispatchAll(List<ClaimedDelivery> claimed, Duration pollInterval) throws InterruptedException {
        for (int index = 0; index < claimed.size(); index++) {
            if (superseded(claimed.get(index))) {
                continue;
            }
            boolean recordable = false;
            boolean slot = false;
            while (running
                    && !paused
                    && !(recordable = unrecorded.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS))) {
                checkPaused(pollInterval);
            }
            while (recordable
                    && running
                    && !paused
                    && !(slot = slots.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS))) {
                checkPaused(pollInterval);
            }
            if (!slot) {
                if (recordable) {
                    unrecorded.release();
                }
                List<ClaimedDelivery> unstarted = claimed.subList(index, claimed.size());
                component.outbox().giveBack(unstarted);
                unstarted.forEach(delivery -> heldHere.remove(delivery.id()));
                return;
            }
            dispatch(claimed.get(index), index, claimed.size());
        }
    }

    /**
     * For a destination that takes a vehicle's state: a claimed state delivery that a later one, or the state the
     * destination has already, makes needless is finished as superseded, not attempted.
     */
    private boolean superseded(ClaimedDelivery delivery) {
        if (!policy.latestState() || !"VEHICLE_STATE".equals(delivery.event().eventType()) || delivery.replay()) {
            return false;
        }
        return component
                .outbox()
                .supersede(delivery, Instant.now())
                .map(superseded -> {
                    heldHere.remove(delivery.id());
                    component.metrics().superseded(destination, superseded.deliveries());
                    LOG.debug(
                            "delivery destination={} eventId={} outcome=SUPERSEDED by={} deliveries={}",
                            destination,
                            delivery.eventId(),
                            superseded.by(),
                            superseded.deliveries());
                    wakeup.signal();
                    return true;
                })
                .orElse(false);
    }

    private void dispatch(ClaimedDelivery delivery, int index, int batchSize) {
        workers.execute(() -> {
            try {
                attempt(delivery, index, batchSize);
            } catch (Throwable e) { // an Error, or a failure before the outcome reached the recorder
                heldHere.remove(delivery.id()); // or, on H2, no claim would ever take it (nor its vehicle's next) again
                unrecorded.release();
                LOG.warn(
                        "Destination {}: attempt of event {} failed before its outcome was recorded ({}); it will be attempted again",
                        destination,
                        delivery.eventId(),
                        e.toString());
                if (e instanceof Error error) {
                    throw error;
                }
            } finally {
                slots.release();
                wakeup.signal();
            }
        });
    }

    private void attempt(ClaimedDelivery delivery, int index, int batchSize) {
        Instant startedAt = Instant.now();
        AttemptOutcome outcome;
        Exchange exchange = createExchange(false);
        OutboxTracing.Attempt span = OutboxTracing.Attempt.NONE;
        try {
            delivery.describe(exchange.getMessage());
            exchange.setProperty(ExchangePropertyKey.BATCH_INDEX, index);
            exchange.setProperty(ExchangePropertyKey.BATCH_SIZE, batchSize);
            exchange.setProperty(ExchangePropertyKey.BATCH_COMPLETE, index == batchSize - 1);
            span = component.tracing().attempt(delivery, exchange);
            getProcessor().process(exchange);
            outcome = AttemptClassifier.classify(delivery, policy, exchange, startedAt, Instant.now());
        } catch (Exception e) {
            // whatever went wrong, the outcome is recorded: the delivery must not sit claimed until its claim expires
            outcome = retrySoon(delivery, startedAt, "attempt failed: " + e);
        } finally {
            releaseExchange(exchange, false);
        }
        span.finished(outcome.result().name(), outcome.statusCode());
        finish(delivery, outcome);
    }

    /** An attempt that failed on the bridge's side, not the destination's: tried again after the poll interval. */
    private AttemptOutcome retrySoon(ClaimedDelivery delivery, Instant startedAt, String error) {
        Instant now = Instant.now();
        return new AttemptOutcome(
                delivery.id(),
                delivery.attempt(),
                startedAt,
                now,
                null,
                error,
                AttemptOutcome.Result.RETRY,
                now.plus(component.pollInterval()));
    }

    private void finish(ClaimedDelivery delivery, AttemptOutcome outcome) {
        component.metrics().attempted(destination, outcome, delivery.queuedAt());
        if (outcome.result() == AttemptOutcome.Result.DELIVERED) {
            consecutiveFailures.set(0);
            logFields(LOG.atDebug(), delivery, outcome)
                    .log(
                            "delivery destination={} eventId={} attempt={} outcome=DELIVERED status={}",
                            destination,
                            delivery.eventId(),
                            delivery.attempt(),
                            outcome.statusCode());
        } else {
            consecutiveFailures.incrementAndGet();
            lastError = outcome.error();
            logFields(LOG.atWarn(), delivery, outcome)
                    .log(
                            "delivery destination={} eventId={} attempt={} outcome={} next={} error={}",
                            destination,
                            delivery.eventId(),
                            delivery.attempt(),
                            outcome.result(),
                            outcome.nextAttemptAt(),
                            outcome.error());
        }
        if (outcome.result() == AttemptOutcome.Result.PAUSED && !paused) {
            pause(outcome);
        }
        component.record(outcome).whenComplete((applied, failure) -> {
            // held until its outcome is committed: a claim read meanwhile must not take the delivery again
            heldHere.remove(delivery.id());
            unrecorded.release();
            wakeup.signal();
            if (failure != null) {
                LOG.warn(
                        "Destination {}: outcome of event {} not recorded ({}); it will be attempted again",
                        destination,
                        delivery.eventId(),
                        failure.getMessage());
            }
        });
    }

    /** The fields of an attempt's log line (JSON logs, {@link LogFields}). */
    private LoggingEventBuilder logFields(LoggingEventBuilder line, ClaimedDelivery delivery, AttemptOutcome outcome) {
        return LogFields.event(line, delivery.eventId(), delivery.event().eventType(), delivery.vehicleId())
                .addKeyValue(LogFields.DESTINATION, destination)
                .addKeyValue(LogFields.ATTEMPT, delivery.attempt())
                .addKeyValue(LogFields.OUTCOME, outcome.result().name());
    }

    private void pause(AttemptOutcome outcome) {
        try {
            // the database first: the dispatcher rereads the pause from there
            component.outbox().pause(destination, outcome.error(), outcome.finishedAt());
            pausedBy(outcome.error());
            LOG.error(
                    "Destination {} answered 410 Gone: paused until resumed (POST /admin/destinations/{}/resume)",
                    destination,
                    destination);
        } catch (RuntimeException e) {
            LOG.warn(
                    "Destination {} answered 410 Gone, but the pause could not be stored ({}); the next 410 tries again",
                    destination,
                    e.getMessage());
        }
    }
}
