package io.carbridge.intake;

import io.carbridge.http.RequestRefused;
import io.carbridge.storage.CanonicalEvent;
import io.carbridge.storage.SqlTime;
import io.carbridge.storage.StateReport;
import io.carbridge.storage.VehicleFacts;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Turns each envelope Smartcar sends into one {@link CanonicalEvent}. Smartcar's formats vary (see the reference
 * notes), so reading is tolerant: a missing optional field is null, never an error. Only the fields the bridge keys on
 * are checked: an event id, vehicle id or type that is not text, is longer than its column or holds a control character
 * (a line break would forge log lines), is refused as malformed.
 */
public final class Envelopes {

    /**
     * What a challenge may be: Smartcar's are random strings (UUIDs); none of these characters can start a JSON body.
     */
    private static final Pattern PLAIN_CHALLENGE = Pattern.compile("[A-Za-z0-9._~+/=:-]{1,512}");

    static final String LEGACY_VERSION = "2.0";
    static final String CURRENT_VERSION = "4.0";
    /** The trigger of the VEHICLE_STATE Smartcar sends once a vehicle's subscription is in place. */
    static final String FIRST_DELIVERY = "FIRST_DELIVERY";

    private static final int MAX_ID_LENGTH = 200;
    private static final int MAX_SHORT_LENGTH = 100;
    private static final int MAX_TAG_LENGTH = 20;
    /** How far Smartcar's delivery time may be from the receipt for it to order Smartcar's repeats of an error. */
    private static final Duration REPEAT_CLOCK_BEFORE = Duration.ofHours(1);

    private static final Duration REPEAT_CLOCK_AFTER = Duration.ofMinutes(1);

    private Envelopes() {}

    /**
     * The canonical event of a delivery of a kind the bridge forwards, as the intake route's choice tells them apart:
     * legacy {@code eventBased}, legacy {@code scheduled} / {@code schedule} / {@code dynamic}, current
     * {@code VEHICLE_STATE} and {@code VEHICLE_ERROR}; empty for any other (a challenge, an unrecognised kind). For
     * callers outside the intake route, such as a destination's try.
     */
    public static Optional<CanonicalEvent> forwardable(Map<String, Object> envelope, byte[] raw, Instant receivedAt) {
        Object eventName = envelope.get("eventName");
        Object eventType = envelope.get("eventType");
        if ("eventBased".equals(eventName)) {
            return Optional.of(legacyEvent(envelope, raw, receivedAt));
        }
        if ("scheduled".equals(eventName) || "schedule".equals(eventName) || "dynamic".equals(eventName)) {
            return Optional.of(legacyVehicleData(envelope, raw, receivedAt));
        }
        if ("VEHICLE_STATE".equals(eventType) || "VEHICLE_ERROR".equals(eventType)) {
            return Optional.of(currentEvent(envelope, raw, receivedAt));
        }
        return Optional.empty();
    }

    /**
     * Legacy {@code eventName: eventBased}: {@code payload.eventId}, {@code payload.vehicleId},
     * {@code payload.eventType}.
     */
    public static CanonicalEvent legacyEvent(Map<String, Object> envelope, byte[] raw, Instant receivedAt) {
        Map<String, Object> payload = object(envelope, "payload");
        return legacy(
                envelope,
                payload,
                required(text(payload, "eventType", MAX_SHORT_LENGTH), "payload.eventType"),
                text(payload, "vehicleId", MAX_SHORT_LENGTH),
                raw,
                receivedAt);
    }

    /**
     * Legacy {@code scheduled} (also spelt {@code schedule}) and {@code dynamic}: vehicle data in
     * {@code payload.vehicles[]} (or a single {@code payload.vehicleId}). The vehicle id is set when the event names
     * exactly one vehicle.
     */
    public static CanonicalEvent legacyVehicleData(Map<String, Object> envelope, byte[] raw, Instant receivedAt) {
        Map<String, Object> payload = object(envelope, "payload");
        String vehicleId = text(payload, "vehicleId", MAX_SHORT_LENGTH);
        if (vehicleId == null
                && payload.get("vehicles") instanceof List<?> vehicles
                && vehicles.size() == 1
                && vehicles.get(0) instanceof Map<?, ?> only) {
            vehicleId = text(cast(only), "vehicleId", MAX_SHORT_LENGTH);
        }
        String eventType = "dynamic".equals(envelope.get("eventName")) ? "DYNAMIC" : "SCHEDULED";
        return legacy(envelope, payload, eventType, vehicleId, raw, receivedAt);
    }

    private static CanonicalEvent legacy(
            Map<String, Object> envelope,
            Map<String, Object> payload,
            String eventType,
            String vehicleId,
            byte[] raw,
            Instant receivedAt) {
        EventTime eventTime = EventTime.read(payload.get("eventTime"));
        return new CanonicalEvent(
                eventId(text(payload, "eventId", MAX_ID_LENGTH), envelope, raw),
                eventType,
                true,
                vehicleId,
                eventTime.instant(),
                mode(envelope.get("mode")),
                text(envelope, "webhookId", MAX_SHORT_LENGTH),
                LEGACY_VERSION,
                receivedAt,
                raw,
                eventTime.unreadable(),
                null);
    }

    /**
     * Current ({@code meta.version} 4.0) {@code VEHICLE_STATE} and {@code VEHICLE_ERROR}. The event time is the newest
     * {@code signals[].meta.oemUpdatedAt} when signals carry one, else {@code meta.deliveredAt}.
     */
    public static CanonicalEvent currentEvent(Map<String, Object> envelope, byte[] raw, Instant receivedAt) {
        Map<String, Object> meta = object(envelope, "meta");
        Map<String, Object> data = object(envelope, "data");
        EventTime signalled = newestSignalUpdate(data);
        EventTime delivered = EventTime.read(meta.get("deliveredAt"));
        String eventType = required(text(envelope, "eventType", MAX_SHORT_LENGTH), "eventType");
        String vehicleId = text(envelope, "vehicleId", MAX_SHORT_LENGTH);
        VehicleFacts facts = vehicleFacts(envelope, data);
        return new CanonicalEvent(
                eventId(text(envelope, "eventId", MAX_ID_LENGTH), envelope, raw),
                eventType,
                true,
                vehicleId,
                signalled.instant() != null ? signalled.instant() : delivered.instant(),
                mode(meta.get("mode")),
                text(meta, "webhookId", MAX_SHORT_LENGTH),
                tag(meta.get("version"), CURRENT_VERSION),
                receivedAt,
                raw,
                signalled.unreadable() || delivered.unreadable(),
                facts,
                stateReport(
                        eventType,
                        vehicleId != null ? vehicleId : facts != null ? facts.vehicleId() : null,
                        data,
                        delivered.instant(),
                        receivedAt));
    }

    /**
     * What the event reports of its vehicle's state ({@link SignalReadings}): its signals, and for a
     * {@code VEHICLE_ERROR} what makes a later one a repeat of it. Null for an event that names no vehicle.
     */
    private static StateReport stateReport(
            String eventType, String vehicleId, Map<String, Object> data, Instant deliveredAt, Instant receivedAt) {
        if (vehicleId == null) {
            return null;
        }
        SignalReadings.Readings signals = SignalReadings.read(data.get("signals"), deliveredAt, receivedAt);
        return new StateReport(
                vehicleId,
                signals.signals(),
                signals.timeUnreadable(),
                "VEHICLE_ERROR".equals(eventType) ? errors(vehicleId, data, deliveredAt, receivedAt) : null);
    }

    /**
     * A {@code VEHICLE_ERROR}'s {@code data.errors[]}, by user ({@code data.user.id}), vehicle, and each error's
     * {@code type} and {@code code}, with their {@code state}s apart; null when it names no error. The time is the
     * delivery's {@code meta.deliveredAt} when that is readable and no more than an hour before the receipt (nor more
     * than a minute after it): Smartcar's clock orders its own repeats, whichever instance receives them; otherwise the
     * receipt.
     */
    private static StateReport.Errors errors(
            String vehicleId, Map<String, Object> data, Instant deliveredAt, Instant receivedAt) {
        if (!(data.get("errors") instanceof List<?> errors)) {
            return null;
        }
        TreeSet<String> kinds = new TreeSet<>();
        TreeSet<String> states = new TreeSet<>();
        for (Object error : errors) {
            if (error instanceof Map<?, ?> map) {
                String kind = lenient(map.get("type")) + "/" + lenient(map.get("code"));
                kinds.add(kind);
                states.add(kind + "=" + lenient(map.get("state")));
            }
        }
        if (kinds.isEmpty()) {
            return null;
        }
        String user = lenient(object(data, "user").get("id"));
        boolean deliveredRecently = deliveredAt != null
                && !deliveredAt.isBefore(receivedAt.minus(REPEAT_CLOCK_BEFORE))
                && !deliveredAt.isAfter(receivedAt.plus(REPEAT_CLOCK_AFTER));
        return new StateReport.Errors(
                sha256(user + "\n" + vehicleId + "\n" + String.join("\n", kinds)),
                sha256(String.join("\n", states)),
                deliveredRecently ? deliveredAt : receivedAt);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    /**
     * Make, model and year from {@code data.vehicle}, the owner from {@code data.user.id}, and whether a
     * {@code VEHICLE_STATE}'s trigger ({@code data.triggers[]} or top-level {@code triggers[]}, by {@code type} or
     * {@code code}) is {@code FIRST_DELIVERY}; null when the event names no vehicle there.
     */
    private static VehicleFacts vehicleFacts(Map<String, Object> envelope, Map<String, Object> data) {
        Map<String, Object> vehicle = object(data, "vehicle");
        String vehicleId = fact(vehicle.get("id"));
        if (vehicleId == null) {
            return null;
        }
        boolean firstDelivery = "VEHICLE_STATE".equals(envelope.get("eventType"))
                && (hasTrigger(data.get("triggers"), FIRST_DELIVERY)
                        || hasTrigger(envelope.get("triggers"), FIRST_DELIVERY));
        return new VehicleFacts(
                vehicleId,
                fact(object(data, "user").get("id")),
                fact(vehicle.get("make")),
                fact(vehicle.get("model")),
                year(vehicle.get("year")),
                firstDelivery);
    }

    private static boolean hasTrigger(Object triggers, String name) {
        if (triggers instanceof List<?> list) {
            for (Object trigger : list) {
                if (trigger instanceof Map<?, ?> map
                        && (name.equals(map.get("type")) || name.equals(map.get("code")))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A vehicle fact fits its column (at most 100 characters), or is not taken. */
    private static String fact(Object value) {
        return value instanceof String text
                        && !text.isBlank()
                        && text.length() <= MAX_SHORT_LENGTH
                        && !hasControlCharacter(text)
                ? text
                : null;
    }

    /** Smartcar has sent the year as a number and as a string. */
    private static Integer year(Object value) {
        try {
            int year = value instanceof Number number
                    ? Math.toIntExact(number.longValue())
                    : value instanceof String text ? Integer.parseInt(text.trim()) : 0;
            return year > 0 && year < 10_000 ? year : null;
        } catch (ArithmeticException | NumberFormatException e) {
            return null;
        }
    }

    /**
     * A signed delivery of a kind the bridge does not know: kept with whatever identity it carries, never forwarded.
     */
    public static CanonicalEvent unrecognised(Map<String, Object> envelope, byte[] raw, Instant receivedAt) {
        Map<String, Object> meta = object(envelope, "meta");
        Map<String, Object> payload = object(envelope, "payload");
        String type = firstNonNull(lenient(envelope.get("eventType")), lenient(envelope.get("eventName")), "UNKNOWN");
        String declaredId = firstNonNull(lenient(envelope.get("eventId")), lenient(payload.get("eventId")), null);
        String webhookId = firstNonNull(lenient(meta.get("webhookId")), lenient(envelope.get("webhookId")), null);
        String version = firstNonNull(lenient(meta.get("version")), lenient(envelope.get("version")), null);
        return new CanonicalEvent(
                declaredId != null && declaredId.length() <= MAX_ID_LENGTH && !hasControlCharacter(declaredId)
                        ? declaredId
                        : derivedId(webhookId, raw),
                truncate(type, MAX_SHORT_LENGTH),
                false,
                truncate(
                        firstNonNull(lenient(envelope.get("vehicleId")), lenient(payload.get("vehicleId")), null),
                        MAX_SHORT_LENGTH),
                null,
                mode(firstNonNull(lenient(meta.get("mode")), lenient(envelope.get("mode")), null)),
                truncate(webhookId, MAX_SHORT_LENGTH),
                truncate(version, MAX_TAG_LENGTH),
                receivedAt,
                raw,
                false,
                null);
    }

    /**
     * The challenge of a VERIFY, legacy ({@code payload.challenge}) or current ({@code data.challenge}). Only a plain
     * token is answered: the answer is the HMAC that {@code SC-Signature} uses, so answering a challenge that could be
     * a JSON body (VERIFY needs no signature) would sign a forged event for anyone who asks.
     */
    public static String challenge(Map<String, Object> envelope) {
        Object challenge = object(envelope, "data").get("challenge");
        if (challenge == null) {
            challenge = object(envelope, "payload").get("challenge");
        }
        if (!(challenge instanceof String text)
                || !PLAIN_CHALLENGE.matcher(text).matches()) {
            throw malformed("the verification challenge must be a string of 1 to 512 letters, digits and -._~+/=:");
        }
        return text;
    }

    /**
     * Smartcar's id when the delivery has one; otherwise a stable id from the webhook id and the body, which Smartcar
     * repeats byte for byte when it retries a legacy delivery.
     */
    private static String eventId(String declared, Map<String, Object> envelope, byte[] raw) {
        if (declared != null && !declared.isBlank()) {
            return declared;
        }
        return derivedId(lenient(envelope.get("webhookId")), raw);
    }

    static String derivedId(String webhookId, byte[] raw) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update((webhookId == null ? "" : webhookId).getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) '\n');
            return "derived-" + HexFormat.of().formatHex(sha256.digest(raw));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    /** The newest {@code signals[].meta.oemUpdatedAt}; unreadable when one of them could not be read. */
    private static EventTime newestSignalUpdate(Map<String, Object> data) {
        if (!(data.get("signals") instanceof List<?> signals)) {
            return EventTime.NONE;
        }
        Instant newest = null;
        boolean unreadable = false;
        for (Object signal : signals) {
            if (signal instanceof Map<?, ?> map && map.get("meta") instanceof Map<?, ?> meta) {
                EventTime updated = EventTime.read(meta.get("oemUpdatedAt"));
                unreadable |= updated.unreadable();
                if (updated.instant() != null
                        && (newest == null || updated.instant().isAfter(newest))) {
                    newest = updated.instant();
                }
            }
        }
        return new EventTime(newest, unreadable);
    }

    /** {@code meta.deliveredAt} of a current-format delivery, or null when it has none that can be read. */
    static Instant deliveredAt(Map<String, Object> envelope) {
        return EventTime.read(object(envelope, "meta").get("deliveredAt")).instant();
    }

    /**
     * A time an envelope gave: the instant, or null when it gave none; {@code unreadable} when it gave one that cannot
     * be read or stored (a number or text that is no time, or one outside the years 1 to 9999, such as -1e18).
     */
    record EventTime(Instant instant, boolean unreadable) {

        static final EventTime NONE = new EventTime(null, false);
        private static final EventTime UNREADABLE = new EventTime(null, true);
        /** Beyond this a JSON number no longer fits a long (and would wrap around into a plausible time). */
        private static final double LONG_RANGE = 9.2e18;

        /** ISO-8601 text, epoch milliseconds, or epoch seconds (Smartcar has used all three). */
        static EventTime read(Object value) {
            if (value == null) {
                return NONE;
            }
            try {
                Instant instant;
                if (value instanceof Number number && Math.abs(number.doubleValue()) < LONG_RANGE) {
                    long epoch = number.longValue();
                    // before 2001-09-09 in milliseconds is after 33658 in seconds: the magnitude tells the unit
                    instant = Math.abs(epoch) < 1_000_000_000_000L
                            ? Instant.ofEpochSecond(epoch)
                            : Instant.ofEpochMilli(epoch);
                } else if (value instanceof String text) {
                    instant = Instant.parse(text);
                } else {
                    return UNREADABLE;
                }
                return SqlTime.isRepresentable(instant) ? new EventTime(instant, false) : UNREADABLE;
            } catch (DateTimeException e) {
                return UNREADABLE;
            }
        }
    }

    private static String mode(Object value) {
        String mode = lenient(value);
        return mode == null ? null : truncate(mode.toLowerCase(Locale.ROOT), MAX_TAG_LENGTH);
    }

    private static String tag(Object value, String fallback) {
        String tag = lenient(value);
        return tag == null ? fallback : truncate(tag, MAX_TAG_LENGTH);
    }

    /** A field the bridge keys on: absent is null, anything but short text is malformed. */
    private static String text(Map<String, Object> map, String field, int maxLength) {
        Object value = map.get(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text) || text.length() > maxLength || hasControlCharacter(text)) {
            throw malformed(
                    field + " must be a string of at most " + maxLength + " characters, without control characters");
        }
        return text;
    }

    /** Ids and types are keys, shown in logs and the admin API: Smartcar's are UUIDs and names, never line breaks. */
    private static boolean hasControlCharacter(String text) {
        return text.chars().anyMatch(Character::isISOControl);
    }

    private static String required(String value, String field) {
        if (value == null || value.isBlank()) {
            throw malformed(field + " is missing");
        }
        return value;
    }

    /**
     * A field the bridge only keeps: any scalar as text, or null (also for text with control characters, which a
     * database may refuse).
     */
    private static String lenient(Object value) {
        String text = value instanceof String || value instanceof Number || value instanceof Boolean
                ? value.toString()
                : null;
        return text == null || hasControlCharacter(text) ? null : text;
    }

    private static Map<String, Object> object(Map<String, Object> map, String field) {
        return map.get(field) instanceof Map<?, ?> nested ? cast(nested) : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    private static String firstNonNull(String first, String second, String fallback) {
        return first != null ? first : second != null ? second : fallback;
    }

    private static String truncate(String value, int maxLength) {
        return value == null || value.length() <= maxLength ? value : value.substring(0, maxLength);
    }

    private static RequestRefused malformed(String message) {
        return new RequestRefused(400, "malformed_event", message);
    }
}
