package io.carbridge.intake;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.carbridge.Json;
import io.carbridge.storage.StateReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads Smartcar's signals into what the vehicle state keeps ({@link StateReport.Signal}): the {@code data.signals[]}
 * of a 4.0 {@code VEHICLE_STATE} ({@code code}, {@code body}, {@code meta.oemUpdatedAt}, {@code meta.fetchedAt},
 * {@code status.error}), and the items of {@code GET /v3/vehicles/{id}/signals}, whose fields sit under
 * {@code attributes} (JSON:API). Smartcar's sources disagree, so every shape they show is read: the fields at the top
 * level or under {@code attributes}, {@code meta} beside them or under {@code attributes}, {@code fetchedAt} or
 * {@code retrievedAt}, times as epoch milliseconds, epoch seconds or ISO-8601 text.
 *
 * <p>Nothing here refuses a delivery: a signal that cannot be applied is left out of the state, and the event is
 * flagged when it gave a time that cannot be read.
 *
 * <ul>
 *   <li>The order of a value is its {@code oemUpdatedAt}, or its {@code fetchedAt} when it has none; with neither it is
 *       not applied.
 *   <li>A time that cannot be read flags the event; so does one more than a day after the delivery's receipt (a wrong
 *       time in the future would otherwise hold the signal's state back for good, since an older time never overwrites
 *       a newer one). When it is the time that orders the signal (its {@code oemUpdatedAt}, or without one its
 *       {@code fetchedAt}), the signal is not applied.
 *   <li>A signal with {@code status.error} (or {@code status.value} {@code ERROR}) is an error: kept as that error,
 *       apart from the value, which it does not erase. An error without a time of its own takes the time of the state
 *       it came with: the newest time of the event's values, else its delivery time, else its receipt.
 *   <li>A signal without a {@code code} (text of at most 100 characters, without control characters), or a value
 *       without a {@code body}, has nothing to apply.
 * </ul>
 */
public final class SignalReadings {

    /** The longest signal code, unit, error type or error code the state keeps (their columns' width). */
    static final int MAX_TEXT = 100;
    /**
     * The longest body or error, as JSON, the state keeps; a longer one is not applied (Smartcar's bodies are bytes).
     */
    static final int MAX_JSON = 1_000_000;
    /** A signal time later than this after the delivery's receipt is not believed. */
    static final Duration MAX_AHEAD = Duration.ofDays(1);

    private SignalReadings() {}

    /**
     * What a list of signals gives the state: the signals that can be applied, and whether a time could not be read.
     */
    public record Readings(List<StateReport.Signal> signals, boolean timeUnreadable) {}

    /**
     * The signals of a list ({@code data.signals} of a delivery, {@code data} of {@code GET /signals}); anything but a
     * list gives none.
     *
     * @param deliveredAt the delivery's time, for an error without a time of its own when no value has one; may be null
     * @param receivedAt when the bridge received (or read) the signals
     */
    public static Readings read(Object signals, Instant deliveredAt, Instant receivedAt) {
        if (!(signals instanceof List<?> items)) {
            return new Readings(List.of(), false);
        }
        List<StateReport.Signal> read = new ArrayList<>(items.size());
        boolean unreadable = false;
        Instant newestValue = null;
        for (Object item : items) {
            Reading reading = read(item, receivedAt);
            unreadable |= reading.timeUnreadable();
            if (reading.signal() != null) {
                read.add(reading.signal());
                if (!reading.signal().isError()
                        && (newestValue == null || reading.signal().at().isAfter(newestValue))) {
                    newestValue = reading.signal().at();
                }
            }
        }
        Instant stateTime = newestValue != null
                ? newestValue
                : deliveredAt != null && !deliveredAt.isAfter(receivedAt.plus(MAX_AHEAD)) ? deliveredAt : receivedAt;
        List<StateReport.Signal> applied = new ArrayList<>(read.size());
        for (StateReport.Signal signal : read) {
            applied.add(
                    signal.at() != null
                            ? signal
                            : new StateReport.Signal(
                                    signal.code(),
                                    null,
                                    null,
                                    stateTime,
                                    null,
                                    null,
                                    signal.errorJson(),
                                    signal.errorType(),
                                    signal.errorCode()));
        }
        return new Readings(applied, unreadable);
    }

    /**
     * One signal: the signal to apply (an error without a time of its own has none yet, see {@link #read(Object,
     * Instant, Instant)}), or null when it has nothing to apply; and whether it gave a time that cannot be read.
     */
    public record Reading(StateReport.Signal signal, boolean timeUnreadable) {}

    public static Reading read(Object item, Instant receivedAt) {
        if (!(item instanceof Map<?, ?> signal)) {
            return new Reading(null, false);
        }
        Map<?, ?> fields = signal.get("attributes") instanceof Map<?, ?> attributes ? attributes : signal;
        String code = text(fields.get("code"));
        Map<?, ?> meta = signal.get("meta") instanceof Map<?, ?> own
                ? own
                : fields.get("meta") instanceof Map<?, ?> nested ? nested : Map.of();
        Envelopes.EventTime oemUpdatedAt = time(meta.get("oemUpdatedAt"), receivedAt);
        Envelopes.EventTime fetchedAt =
                time(meta.get("fetchedAt") != null ? meta.get("fetchedAt") : meta.get("retrievedAt"), receivedAt);
        // the time that orders the signal: oemUpdatedAt when given (readable or not), else fetchedAt
        Envelopes.EventTime order =
                oemUpdatedAt.instant() != null || oemUpdatedAt.unreadable() ? oemUpdatedAt : fetchedAt;
        boolean unreadable = oemUpdatedAt.unreadable() || fetchedAt.unreadable();
        if (code == null || order.unreadable()) {
            return new Reading(null, unreadable);
        }
        Map<?, ?> status = fields.get("status") instanceof Map<?, ?> given ? given : Map.of();
        Object error = status.get("error") instanceof Map<?, ?> given
                ? given
                : status.get("value") instanceof String value && value.equalsIgnoreCase("ERROR") ? status : null;
        if (error != null) {
            String errorJson = json(error);
            Map<?, ?> details = (Map<?, ?>) error;
            return new Reading(
                    errorJson == null
                            ? null
                            : new StateReport.Signal(
                                    code,
                                    null,
                                    null,
                                    order.instant(),
                                    oemUpdatedAt.instant(),
                                    fetchedAt.instant(),
                                    errorJson,
                                    text(details.get("type")),
                                    text(details.get("code"))),
                    unreadable);
        }
        Object body = fields.get("body");
        String valueJson = body == null ? null : json(body);
        if (valueJson == null || order.instant() == null) {
            return new Reading(null, unreadable);
        }
        String unit = body instanceof Map<?, ?> values ? text(values.get("unit")) : null;
        return new Reading(
                new StateReport.Signal(
                        code,
                        valueJson,
                        unit,
                        order.instant(),
                        oemUpdatedAt.instant(),
                        fetchedAt.instant(),
                        null,
                        null,
                        null),
                unreadable);
    }

    /**
     * A signal time as {@link Envelopes.EventTime} reads it, unreadable too when it is more than a day after the
     * receipt.
     */
    private static Envelopes.EventTime time(Object value, Instant receivedAt) {
        Envelopes.EventTime time = Envelopes.EventTime.read(value);
        return time.instant() != null && time.instant().isAfter(receivedAt.plus(MAX_AHEAD))
                ? new Envelopes.EventTime(null, true)
                : time;
    }

    /** Short text that fits its column, without control characters; numbers as text; otherwise null. */
    private static String text(Object value) {
        String text = value instanceof String || value instanceof Number ? value.toString() : null;
        return text == null
                        || text.isBlank()
                        || text.length() > MAX_TEXT
                        || text.chars().anyMatch(Character::isISOControl)
                ? null
                : text;
    }

    private static String json(Object value) {
        try {
            String json = Json.MAPPER.writeValueAsString(value);
            return json.length() > MAX_JSON ? null : json;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
