package io.carbridge.smartcar;

import static io.carbridge.ExchangeProperties.RECONCILIATION_RUN;
import static io.carbridge.ExchangeProperties.SIGNALS;

import io.carbridge.Json;
import io.carbridge.LogFields;
import io.carbridge.intake.Envelopes;
import io.carbridge.intake.SignalReadings;
import io.carbridge.outbox.OutboxConstants;
import io.carbridge.smartcar.SmartcarCallException.Kind;
import io.carbridge.state.VehicleStateStore;
import io.carbridge.storage.CanonicalEvent;
import io.carbridge.storage.StateReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java steps of {@code routes/vehicle-reconciliation.camel.yaml}: gaps filled from Smartcar (API v3). Smartcar
 * drops a delivery after about three minutes of retries, so when the bridge was down longer than that (known from the
 * heartbeat every instance writes), or when an operator asks, it reads the signals of every subscribed vehicle as that
 * vehicle's user, and a signal newer than the stored state becomes a reconciled {@code VEHICLE_STATE} event, stored and
 * forwarded like any other. Smartcar's rate limits are kept: one request at a time, from a bucket of requests that
 * refills at Smartcar's documented rate, and a 429 makes every instance wait for its {@code retry-after}.
 */
public final class ReconciliationSteps {

    /** The route a run starts at: the start-up check's and the admin API's. */
    public static final String ENDPOINT = "direct:vehicle-reconciliation";

    static final String NEEDS_V3 = "filling gaps from Smartcar needs Smartcar API v3 (GET /v3/vehicles/{id}/signals); "
            + "bridge.smartcar.api-version is v2";

    static final Logger LOG = LoggerFactory.getLogger("io.carbridge.smartcar.reconciliation");

    /** How long a run's claim outlives its last progress: then an instance that died is taken over. */
    private static final Duration CLAIM_MARGIN = Duration.ofMinutes(5);
    /** Attempts of one vehicle that Smartcar answers 429, before it counts as a failure. */
    private static final int RATE_LIMITED_ATTEMPTS = 5;
    /**
     * The wait after a 429 without retry-after, doubled after each further one (up to bridge.sync.max-retry-backoff).
     */
    private static final Duration RATE_LIMIT_BACKOFF = Duration.ofSeconds(30);

    private static final Duration SHORTEST_WAIT = Duration.ofSeconds(1);

    private final SmartcarSettings smartcar;
    private final SmartcarApi.Signals signalReader;
    private final ReconciliationStore store;
    private final VehicleStateStore state;
    private final RateLimitPause pause;
    private final ReconciliationSettings settings;
    private final String instance;
    private final ProducerTemplate producer;
    private final RequestBudget budget;
    /** When the bridge was last known to be up before this instance started; null when no instance ever said. */
    private final Instant lastAliveBeforeStart;
    /** A run is queued or running on this instance. */
    private final AtomicBoolean queued = new AtomicBoolean();

    /**
     * @param smartcar null in an intake-only deployment
     * @param signals the port's read of a vehicle's signals; null unless the API version has one (v3)
     */
    ReconciliationSteps(
            SmartcarSettings smartcar,
            SmartcarApi.Signals signals,
            ReconciliationStore store,
            VehicleStateStore state,
            RateLimitPause pause,
            ReconciliationSettings settings,
            String instance,
            ProducerTemplate producer) {
        this.smartcar = smartcar;
        this.signalReader = signals;
        this.store = store;
        this.state = state;
        this.pause = pause;
        this.settings = settings;
        this.instance = instance;
        this.producer = producer;
        this.budget = new RequestBudget(settings.requestsBurst(), settings.requestsPerMinute(), System.nanoTime());
        this.lastAliveBeforeStart = lastHeartbeat(store);
    }

    private static Instant lastHeartbeat(ReconciliationStore store) {
        try {
            return store.lastHeartbeat();
        } catch (RuntimeException e) {
            LOG.warn(
                    "could not read the bridge's last heartbeat ({}): a gap before this start is not checked",
                    e.getMessage());
            return null;
        }
    }

    // --- the triggers ------------------------------------------------------------------------------------------------

    /** Every {@code bridge.reconcile.heartbeat-interval}: this instance is up. */
    public void beat(Exchange exchange) {
        store.beat(instance, Instant.now());
    }

    /**
     * Once, shortly after start: was the bridge down longer than Smartcar retries a delivery
     * ({@code bridge.reconcile.gap-threshold})? Then the body becomes the request of a run; otherwise null. Says once
     * in the log what it found, and that the feature needs Smartcar API v3 where it is not.
     */
    public void checkDowntime(Exchange exchange) {
        exchange.getMessage().setBody(null);
        Instant now = Instant.now();
        Duration down = lastAliveBeforeStart == null ? null : Duration.between(lastAliveBeforeStart, now);
        boolean gap = down != null && down.compareTo(settings.gapThreshold()) > 0;
        if (signalReader == null) {
            String why = smartcar == null
                    ? "filling gaps from Smartcar needs Smartcar API v3 with SMARTCAR_CLIENT_ID set"
                    : NEEDS_V3;
            if (gap) {
                LOG.warn(
                        "The bridge was down for {} (last heartbeat {}), longer than Smartcar retries a delivery: events of that "
                                + "time may be lost. Nothing is read from Smartcar: {}",
                        describe(down),
                        lastAliveBeforeStart,
                        why);
            } else {
                LOG.info("Gap filling after downtime is off: {}", why);
            }
            return;
        }
        if (lastAliveBeforeStart == null) {
            LOG.info("No heartbeat of an earlier run: the first start with gap filling, nothing to fill");
        } else if (!gap) {
            LOG.info(
                    "The bridge was last up {} ago ({}), within bridge.reconcile.gap-threshold ({}): Smartcar's retries cover it",
                    describe(down),
                    lastAliveBeforeStart,
                    describe(settings.gapThreshold()));
        } else if (queued.compareAndSet(false, true)) {
            LOG.warn(
                    "The bridge was down for {} (last heartbeat {}), longer than Smartcar retries a delivery: reading the signals "
                            + "of every subscribed vehicle from Smartcar to fill the gap",
                    describe(down),
                    lastAliveBeforeStart);
            exchange.getMessage()
                    .setBody(new ReconciliationRun.Request(ReconciliationRun.Trigger.DOWNTIME, lastAliveBeforeStart));
        }
    }

    /** An operator's run ({@code POST /admin/vehicles/reconcile}); false when one is queued or running here already. */
    boolean request() {
        if (!queued.compareAndSet(false, true)) {
            return false;
        }
        try {
            // on a thread of the producer's, off the admin request: a run may take hours within Smartcar's limits
            producer.asyncSendBody(ENDPOINT, new ReconciliationRun.Request(ReconciliationRun.Trigger.OPERATOR, null));
            return true;
        } catch (RuntimeException e) {
            queued.set(false);
            throw e;
        }
    }

    boolean isQueuedHere() {
        return queued.get();
    }

    // --- a run -------------------------------------------------------------------------------------------------------

    /**
     * Starts a run: claims the reconciliation (one run at a time across the instances), and the body becomes the
     * subscribed vehicles. Another run holding it leaves this one inactive, with no vehicles.
     */
    public void startReconciliation(Exchange exchange) {
        ReconciliationRun.Request request = exchange.getMessage().getBody(ReconciliationRun.Request.class);
        Instant now = Instant.now();
        ReconciliationRun run = new ReconciliationRun(
                instance,
                request != null ? request : new ReconciliationRun.Request(ReconciliationRun.Trigger.OPERATOR, null),
                now);
        exchange.setProperty(RECONCILIATION_RUN, run);
        exchange.getMessage().setBody(List.of());
        if (signalReader == null) {
            run.stop(NEEDS_V3);
            return;
        }
        if (!store.claim(run, now, now.plus(CLAIM_MARGIN))) {
            run.stop("another run holds the reconciliation");
            LOG.info("vehicle reconciliation not started: another run (or instance) is reconciling");
            return;
        }
        run.claimed(true);
        List<ReconciliationStore.Vehicle> vehicles = store.subscribedVehicles();
        run.vehiclesTotal(vehicles.size());
        store.progress(run, now, now.plus(CLAIM_MARGIN));
        LOG.info(
                "vehicle reconciliation started: trigger={} downSince={} vehicles={}",
                run.request().trigger().name().toLowerCase(Locale.ROOT),
                run.request().downSince(),
                vehicles.size());
        exchange.getMessage().setBody(vehicles);
    }

    /**
     * {@code GET /vehicles/{id}/signals} for the vehicle in the body, as its user, each page within the request budget.
     * A 429 makes every instance wait for its {@code retry-after} (doubling from 30 s without one), and the vehicle is
     * asked again, at most {@value #RATE_LIMITED_ATTEMPTS} times.
     */
    public void readSignals(Exchange exchange) throws InterruptedException {
        ReconciliationRun run = run(exchange);
        ReconciliationStore.Vehicle vehicle = exchange.getMessage().getBody(ReconciliationStore.Vehicle.class);
        for (int attempt = 1; ; attempt++) {
            Instant pausedUntil = pause.pausedUntil(Instant.now()).orElse(null);
            if (pausedUntil != null) {
                pauseRun(exchange, run, Duration.between(Instant.now(), pausedUntil), "Smartcar's retry-after");
            }
            try {
                exchange.setProperty(
                        SIGNALS,
                        signalReader.read(vehicle.userId(), vehicle.vehicleId(), () -> takeRequest(exchange, run)));
                run.vehicleRead();
                progress(run);
                return;
            } catch (SmartcarCallException e) {
                if (e.kind() != Kind.RATE_LIMITED || attempt >= RATE_LIMITED_ATTEMPTS) {
                    throw e;
                }
                Duration wait = e.retryAfter() != null
                        ? e.retryAfter()
                        : min(RATE_LIMIT_BACKOFF.multipliedBy(1L << (attempt - 1)), smartcar.maxRetryBackoff());
                wait = wait.compareTo(SHORTEST_WAIT) < 0 ? SHORTEST_WAIT : wait;
                pause.pauseUntil(Instant.now().plus(wait), e.getMessage());
                LOG.warn(
                        "vehicle reconciliation: Smartcar answered 429 for vehicle={} ({}); every instance waits {} before asking again",
                        vehicle.vehicleId(),
                        e.getMessage(),
                        describe(wait));
                pauseRun(exchange, run, wait, "Smartcar's retry-after");
            }
        }
    }

    /**
     * The signals Smartcar has that are newer than the vehicle's stored state (a value with a later time, or a signal
     * the state lacks) become the body: one reconciled {@code VEHICLE_STATE} event carrying them, stored and forwarded
     * like any other; null when none is newer. Its id is stable (the vehicle and each signal's code and time), so a
     * second run, or another instance, stores it once.
     */
    public void newerSignals(Exchange exchange) throws IOException {
        ReconciliationRun run = run(exchange);
        ReconciliationStore.Vehicle vehicle = exchange.getMessage().getBody(ReconciliationStore.Vehicle.class);
        SmartcarApi.VehicleSignals read = exchange.getProperty(SIGNALS, SmartcarApi.VehicleSignals.class);
        Instant now = Instant.now();
        Map<String, Instant> stored = state.valueTimes(vehicle.vehicleId());
        // per code, the newest value Smartcar has, when it is newer than the state's
        Map<String, Newer> newer = new TreeMap<>();
        for (Map<String, Object> item : read.items()) {
            StateReport.Signal signal = SignalReadings.read(item, now).signal();
            if (signal == null || signal.isError()) {
                continue;
            }
            Instant known = stored.get(signal.code());
            Newer earlier = newer.get(signal.code());
            if ((known == null || signal.at().isAfter(known))
                    && (earlier == null || signal.at().isAfter(earlier.at()))) {
                newer.put(signal.code(), new Newer(signal.at(), webhookShape(item)));
            }
        }
        exchange.getMessage().setBody(null);
        if (newer.isEmpty()) {
            LOG.debug("vehicle reconciliation: vehicle={} nothing newer than the stored state", vehicle.vehicleId());
            return;
        }
        run.signalsNewer(newer.size());
        progress(run);
        byte[] raw = Json.MAPPER.writeValueAsBytes(envelope(vehicle, read.vehicle(), newer, now));
        @SuppressWarnings("unchecked")
        Map<String, Object> envelope = Json.MAPPER.readValue(raw, Map.class);
        exchange.getMessage().setBody(Envelopes.currentEvent(envelope, raw, now));
    }

    /** After {@code to: outbox:all}: the reconciled event is stored (or was already), logged and counted. */
    public void recordReconciledEvent(Exchange exchange) {
        ReconciliationRun run = run(exchange);
        CanonicalEvent event = exchange.getMessage().getBody(CanonicalEvent.class);
        boolean stored = !"DUPLICATE".equals(exchange.getMessage().getHeader(OutboxConstants.STORED, String.class));
        if (stored) {
            run.eventStored();
            progress(run);
        }
        LogFields.event(LOG.atInfo(), event.eventId(), event.eventType(), event.vehicleId())
                .addKeyValue(LogFields.OUTCOME, stored ? "stored" : "duplicate")
                .log(
                        "vehicle reconciliation: vehicleId={} signalsNewer={} eventId={} {}",
                        event.vehicleId(),
                        event.state() == null ? 0 : event.state().signals().size(),
                        event.eventId(),
                        stored
                                ? "stored as a reconciled VEHICLE_STATE, forwarded like any event"
                                : "stored before (duplicate)");
    }

    /** Ends the run: its figures recorded, the claim released, one log line; the body is the run's summary. */
    public void finishReconciliation(Exchange exchange) {
        ReconciliationRun run = run(exchange);
        try {
            if (run != null && run.claimed()) {
                store.finish(run, Instant.now());
                LOG.info("vehicle reconciliation finished: {}", run.summary());
            }
            exchange.getMessage().setBody(run == null ? Map.of() : run.summary());
        } finally {
            queued.set(false);
        }
    }

    /** One vehicle could not be reconciled: counted and recorded; the run goes on with the next one. */
    public void recordVehicleFailure(Exchange exchange) {
        ReconciliationRun run = run(exchange);
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        ReconciliationStore.Vehicle vehicle =
                exchange.getMessage().getBody() instanceof ReconciliationStore.Vehicle v ? v : null;
        String vehicleId = vehicle != null
                ? vehicle.vehicleId()
                : exchange.getMessage().getBody() instanceof CanonicalEvent e ? e.vehicleId() : null;
        if (caught instanceof Stopping) {
            LOG.info("vehicle reconciliation stopped at vehicle={}: {}", vehicleId, caught.getMessage());
            return;
        }
        String error = caught instanceof SmartcarCallException call
                ? call.getMessage()
                : "internal error: " + caught.getClass().getSimpleName();
        run.failed("vehicle " + vehicleId + ": " + error);
        try {
            progress(run);
        } catch (RuntimeException e) {
            LOG.debug("could not record the reconciliation's progress: {}", e.getMessage());
        }
        if (caught instanceof SmartcarCallException) {
            LOG.warn(
                    "vehicle reconciliation failed for vehicle={}: {}; it is read again by the next run",
                    vehicleId,
                    error);
        } else {
            LOG.error("vehicle reconciliation failed for vehicle={}", vehicleId, caught);
        }
    }

    /** A run that could not start or finish (the database, most likely): logged; the next run starts afresh. */
    public void recordRunFailure(Exchange exchange) {
        queued.set(false);
        LOG.error(
                "vehicle reconciliation run failed", exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
    }

    // --- helpers -----------------------------------------------------------------------------------------------------

    /** A newer signal: its time, and the signal as a webhook delivery carries it. */
    private record Newer(Instant at, Map<String, Object> signal) {}

    /** One request of the budget, waiting for it when the bucket is empty. */
    private void takeRequest(Exchange exchange, ReconciliationRun run) {
        Duration wait = budget.take(System.nanoTime());
        if (!wait.isZero()) {
            if (wait.compareTo(Duration.ofSeconds(5)) > 0) {
                LOG.info(
                        "vehicle reconciliation: waiting {} for Smartcar's request budget (bridge.reconcile.requests-per-minute)",
                        describe(wait));
            }
            try {
                pauseRun(exchange, run, wait, "the request budget");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Stopping("interrupted");
            }
        }
    }

    /** Waits, keeping the run's claim; ends the run when the bridge stops meanwhile. */
    private void pauseRun(Exchange exchange, ReconciliationRun run, Duration wait, String what)
            throws InterruptedException {
        Instant until = Instant.now().plus(wait);
        progress(run, until.plus(CLAIM_MARGIN));
        while (Instant.now().isBefore(until)) {
            if (exchange.getContext().isStopping() || exchange.getContext().isStopped()) {
                run.stop("the bridge is stopping");
                throw new Stopping("the bridge is stopping while the run waits for " + what);
            }
            Thread.sleep(Math.max(
                    1, Math.min(200, Duration.between(Instant.now(), until).toMillis())));
        }
    }

    private void progress(ReconciliationRun run) {
        progress(run, Instant.now().plus(CLAIM_MARGIN));
    }

    private void progress(ReconciliationRun run, Instant claimUntil) {
        store.progress(run, Instant.now(), claimUntil);
    }

    /**
     * The reconciled event, in the shape of a 4.0 {@code VEHICLE_STATE} delivery: the vehicle and its user, the newer
     * signals, {@code meta.deliveredAt} now, the mode of the vehicle's last event, and {@code source: reconciled} (at
     * the top level and in {@code meta}), so a destination can tell it from Smartcar's own deliveries.
     */
    private Map<String, Object> envelope(
            ReconciliationStore.Vehicle vehicle, Map<String, Object> included, Map<String, Newer> newer, Instant now) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("id", vehicle.vehicleId());
        facts.put("make", vehicle.make() != null ? vehicle.make() : included.get("make"));
        facts.put("model", vehicle.model() != null ? vehicle.model() : included.get("model"));
        facts.put("year", vehicle.year() != null ? vehicle.year() : included.get("year"));
        facts.values().removeIf(value -> value == null);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("user", Map.of("id", vehicle.userId()));
        data.put("vehicle", facts);
        List<Map<String, Object>> signals = new ArrayList<>();
        StringBuilder identity = new StringBuilder(vehicle.vehicleId());
        newer.forEach((code, signal) -> {
            signals.add(signal.signal());
            identity.append('\n').append(code).append('@').append(signal.at().toEpochMilli());
        });
        data.put("signals", signals);
        String mode = store.lastMode(vehicle.vehicleId());
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("version", "4.0");
        meta.put("deliveredAt", now.toEpochMilli());
        meta.put("webhookId", smartcar.webhookId());
        meta.put("mode", (mode != null ? mode : smartcar.mode()).toUpperCase(Locale.ROOT));
        meta.put("signalCount", signals.size());
        meta.put("source", "reconciled");
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("eventId", "reconciled-" + sha256(identity.toString()));
        envelope.put("eventType", "VEHICLE_STATE");
        envelope.put("vehicleId", vehicle.vehicleId());
        envelope.put("source", "reconciled");
        envelope.put("data", data);
        envelope.put("meta", meta);
        return envelope;
    }

    /**
     * A signal of {@code GET /signals} as a webhook delivery carries it: {@code code}, {@code name}, {@code group},
     * {@code body}, {@code status} (from {@code attributes} when it has them) and {@code meta.oemUpdatedAt} and
     * {@code meta.fetchedAt} (Smartcar's {@code retrievedAt} when it gave that), as Smartcar gave them.
     */
    private static Map<String, Object> webhookShape(Map<String, Object> item) {
        Map<?, ?> fields = item.get("attributes") instanceof Map<?, ?> attributes ? attributes : item;
        Map<String, Object> signal = new LinkedHashMap<>();
        for (String field : new String[] {"code", "name", "group", "body", "status"}) {
            if (fields.get(field) != null) {
                signal.put(field, fields.get(field));
            }
        }
        Map<?, ?> meta = item.get("meta") instanceof Map<?, ?> own
                ? own
                : fields.get("meta") instanceof Map<?, ?> nested ? nested : Map.of();
        Map<String, Object> times = new LinkedHashMap<>();
        if (meta.get("oemUpdatedAt") != null) {
            times.put("oemUpdatedAt", meta.get("oemUpdatedAt"));
        }
        Object fetchedAt = meta.get("fetchedAt") != null ? meta.get("fetchedAt") : meta.get("retrievedAt");
        if (fetchedAt != null) {
            times.put("fetchedAt", fetchedAt);
        }
        signal.put("meta", times);
        return signal;
    }

    private static ReconciliationRun run(Exchange exchange) {
        return exchange.getProperty(RECONCILIATION_RUN, ReconciliationRun.class);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    static String describe(Duration duration) {
        long seconds = duration.toSeconds();
        return seconds < 120
                ? seconds + " s"
                : seconds < 7200 ? seconds / 60 + " min" : seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    /** The bridge is stopping: the run ends here, without counting a failure. */
    static final class Stopping extends RuntimeException {
        Stopping(String message) {
            super(message, null, false, false);
        }
    }
}
