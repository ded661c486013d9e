package io.carbridge.benchmark;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The one destination of a bridge under the benchmark, seen from where its deliveries arrive: each event counted by its
 * id, with the moment ({@link System#nanoTime()}) it first arrived. The delivery figures are read from these arrivals
 * whatever the destination's kind, so that an HTTP sink ({@link Sink}) and a Kafka topic ({@link KafkaTopic}) are
 * measured alike.
 */
abstract class BenchmarkDestination implements AutoCloseable {

    private final Map<String, Integer> deliveriesByEvent = new ConcurrentHashMap<>();
    private final Map<String, Long> firstArrivals = new ConcurrentHashMap<>();
    private final AtomicLong deliveries = new AtomicLong();
    private volatile long lastDeliveryNanos;

    /** The destination's name in the bridge's settings. */
    abstract String name();

    /** The service's settings that make this its one destination, every other setting its default. */
    abstract List<String> destinationSettings();

    /**
     * Has the bridge pause this destination, so that the outbox's rows wait: {@code deliverAFew} sends a few events,
     * {@code pauseThroughAdminApi} asks every instance to pause it.
     */
    abstract void pause(Runnable deliverAFew, Runnable pauseThroughAdminApi);

    /** Takes deliveries again after {@link #pause}, before the bridge is asked to resume; most need nothing. */
    void takeDeliveriesAgain() {}

    /** One delivery of {@code eventId}, arrived at {@code nanos} ({@link System#nanoTime()}). */
    protected final void arrived(String eventId, long nanos) {
        deliveriesByEvent.merge(eventId, 1, Integer::sum);
        firstArrivals.putIfAbsent(eventId, nanos);
        deliveries.incrementAndGet();
        lastDeliveryNanos = nanos;
    }

    long deliveries() {
        return deliveries.get();
    }

    long distinctEvents() {
        return deliveriesByEvent.size();
    }

    int deliveriesOf(String eventId) {
        return deliveriesByEvent.getOrDefault(eventId, 0);
    }

    long lastDeliveryNanos() {
        return lastDeliveryNanos;
    }

    /** How many events first arrived within {@code [fromNanos, toNanos]} ({@link System#nanoTime()}). */
    long firstArrivalsBetween(long fromNanos, long toNanos) {
        return firstArrivals.values().stream()
                .filter(at -> at >= fromNanos && at <= toNanos)
                .count();
    }

    /**
     * When the last of {@code eventIds} first arrived ({@link System#nanoTime()}); empty while some have not arrived.
     */
    OptionalLong lastFirstArrivalOf(Collection<String> eventIds) {
        long last = Long.MIN_VALUE;
        for (String eventId : eventIds) {
            Long arrived = firstArrivals.get(eventId);
            if (arrived == null) {
                return OptionalLong.empty();
            }
            last = Math.max(last, arrived);
        }
        return OptionalLong.of(last);
    }

    /**
     * Waits until every one of {@code eventIds} arrived at least once; false if some had not within {@code timeout}.
     */
    boolean awaitAll(Collection<String> eventIds, Duration timeout) {
        return waitUntil(
                () -> eventIds.stream().allMatch(deliveriesByEvent::containsKey), Duration.ofMillis(200), timeout);
    }

    /** Waits until {@code count} distinct events arrived; false if not within {@code timeout}. */
    boolean awaitDistinct(long count, Duration timeout) {
        return waitUntil(() -> distinctEvents() >= count, Duration.ofMillis(50), timeout);
    }

    private static boolean waitUntil(Callable<Boolean> condition, Duration poll, Duration timeout) {
        try {
            Awaitility.await().pollInterval(poll).atMost(timeout).until(condition);
            return true;
        } catch (ConditionTimeoutException notInTime) {
            return false;
        }
    }

    @Override
    public abstract void close();
}
