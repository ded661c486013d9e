package io.carbridge.delivery;

import io.carbridge.admin.AdminRequest;
import io.carbridge.http.RequestRefused;
import io.carbridge.outbox.Outbox;
import io.carbridge.outbox.OutboxQueries;
import io.carbridge.storage.IntakeCounts;
import io.carbridge.storage.Storage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.Message;

/**
 * {@code GET /admin/stats?window=1h&step=1m}: what the console's overview shows, read from the database so that it is
 * true across restarts and across instances. The intake's outcomes per step over the window (summed over the instances,
 * from {@code intake_count}, the current minute included: this instance adds what it has not written yet, other
 * instances' last seconds show at their next flush); per destination the backlog, the age of its oldest pending
 * delivery, its dead letters and its pause; and the time of the last event received.
 */
public final class StatsAdmin {

    private static final Duration MAX_WINDOW = Duration.ofDays(7);
    private static final int MAX_POINTS = 1_440;

    private final OutboxQueries queries;
    private final Outbox outbox;
    private final Destinations destinations;
    private final IntakeCounts counts;

    /** @param counts this instance's intake counts, whose last seconds are not in the database yet */
    StatsAdmin(Storage storage, Outbox outbox, Destinations destinations, IntakeCounts counts) {
        this.queries = new OutboxQueries(storage);
        this.outbox = outbox;
        this.destinations = destinations;
        this.counts = counts;
    }

    public Object stats(Message message) {
        AdminRequest request = AdminRequest.of(message);
        Duration window = request.duration("window", Duration.ofHours(1));
        Duration step = request.duration("step", Duration.ofMinutes(1));
        if (step.toSeconds() < 60 || step.toSeconds() % 60 != 0 || step.toNanosPart() != 0) {
            throw RequestRefused.badRequest("step must be a whole number of minutes, at least 1m");
        }
        if (window.compareTo(step) < 0 || window.compareTo(MAX_WINDOW) > 0) {
            throw RequestRefused.badRequest("window must be between the step and 7d");
        }
        long points = (window.toSeconds() + step.toSeconds() - 1) / step.toSeconds();
        if (points > MAX_POINTS) {
            throw RequestRefused.badRequest("window / step must be at most " + MAX_POINTS + " points");
        }
        Instant now = Instant.now();
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("generatedAt", now);
        stats.put("window", window.toString());
        stats.put("step", step.toString());
        stats.put("intake", intake(now, step.toSeconds(), (int) points));
        List<Map<String, Object>> perDestination = destinations(now);
        stats.put("destinations", perDestination);
        stats.put(
                "deadLetters",
                perDestination.stream()
                        .mapToLong(d -> (long) d.get("deadLetters"))
                        .sum());
        stats.put(
                "pausedDestinations",
                perDestination.stream()
                        .filter(d -> (boolean) d.get("paused"))
                        .map(d -> d.get("name"))
                        .toList());
        stats.put("lastEventReceivedAt", queries.lastReceivedAt());
        return stats;
    }

    /**
     * The outcomes per step: {@code time} holds the start of each step (epoch seconds, aligned to the step, the last
     * one the step now running), and each outcome its counts at the same index, as charts take them.
     */
    private Map<String, Object> intake(Instant now, long stepSeconds, int points) {
        long lastStart = Math.floorDiv(now.getEpochSecond(), stepSeconds) * stepSeconds;
        long firstStart = lastStart - (points - 1) * stepSeconds;
        long[] time = new long[points];
        for (int i = 0; i < points; i++) {
            time[i] = firstStart + i * stepSeconds;
        }
        long[][] perStep = new long[IntakeCounts.OUTCOMES.length][points];
        counts.written(
                Instant.ofEpochSecond(firstStart), Instant.ofEpochSecond(lastStart + stepSeconds), (minute, sums) -> {
                    int index = (int) ((minute.getEpochSecond() - firstStart) / stepSeconds);
                    for (int outcome = 0; outcome < perStep.length; outcome++) {
                        perStep[outcome][index] += sums[outcome];
                    }
                });
        counts.unwritten().forEach((minute, unwritten) -> {
            long index = (minute * 60 - firstStart) / stepSeconds;
            if (minute * 60 >= firstStart && index < points) {
                for (int outcome = 0; outcome < perStep.length; outcome++) {
                    perStep[outcome][(int) index] += unwritten[outcome];
                }
            }
        });
        Map<String, Object> intake = new LinkedHashMap<>();
        intake.put("time", time);
        Map<String, Long> totals = new LinkedHashMap<>();
        for (int outcome = 0; outcome < perStep.length; outcome++) {
            intake.put(IntakeCounts.OUTCOMES[outcome], perStep[outcome]);
            totals.put(
                    IntakeCounts.OUTCOMES[outcome],
                    Arrays.stream(perStep[outcome]).sum());
        }
        intake.put("totals", totals);
        return intake;
    }

    /**
     * The configured destinations, then any other that still has deliveries waiting or dead (it was removed from the
     * settings).
     */
    private List<Map<String, Object>> destinations(Instant now) {
        Map<String, Outbox.Backlog> backlog = outbox.backlog();
        Map<String, Long> dead = queries.deadPerDestination();
        Map<String, Map<String, Object>> paused = queries.pausedDestinations();
        Set<String> names = new LinkedHashSet<>();
        destinations.all().forEach(destination -> names.add(destination.name()));
        Set<String> withDeliveries = new TreeSet<>(backlog.keySet());
        withDeliveries.addAll(dead.keySet());
        names.addAll(withDeliveries);
        List<Map<String, Object>> result = new ArrayList<>();
        for (String name : names) {
            Outbox.Backlog waiting = backlog.getOrDefault(name, Outbox.Backlog.EMPTY);
            Map<String, Object> pause = paused.get(name);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", name);
            entry.put("configured", destinations.get(name) != null);
            entry.put("backlog", waiting.pending());
            entry.put("oldestPendingAt", waiting.oldestReceivedAt());
            entry.put(
                    "oldestPendingAgeSeconds",
                    waiting.oldestReceivedAt() == null
                            ? null
                            : Math.max(
                                    0,
                                    Duration.between(waiting.oldestReceivedAt(), now)
                                            .toSeconds()));
            entry.put("deadLetters", dead.getOrDefault(name, 0L));
            entry.put("paused", pause != null);
            entry.put("pausedReason", pause == null ? null : pause.get("reason"));
            entry.put("pausedAt", pause == null ? null : pause.get("at"));
            result.add(entry);
        }
        return result;
    }
}
