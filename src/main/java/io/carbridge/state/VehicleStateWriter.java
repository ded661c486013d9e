package io.carbridge.state;

import io.carbridge.storage.CanonicalEvent;
import io.carbridge.storage.StateReport;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the intake writes of the vehicles' state, in the transaction that stores a batch of new events (the outbox's
 * event store calls it on its one writer thread): each batch costs at most one statement for the signals and, when it
 * holds {@code VEHICLE_ERROR}s, one for their repeats.
 *
 * <p><b>Signals</b> ({@code vehicle_signal}): one upsert of every (vehicle, signal) the batch brings news of, a MERGE
 * on H2, {@code INSERT ... ON CONFLICT DO UPDATE ... WHERE} on PostgreSQL, its rows given as arrays. A value replaces
 * the stored one only when its time is later, an error likewise the stored error; within the batch the latest report of
 * each signal is sent. On PostgreSQL the conflict takes the row's lock and compares with what another transaction
 * committed meanwhile, so an older time never overwrites a newer one across instances either; the rows go in key order,
 * so two batches never lock two rows in opposite orders. Each time the database holds only grows, so what this instance
 * wrote is a lower bound of it: a report that is not later than that is left out before the statement (most of
 * Smartcar's deliveries repeat the times of the signals that did not change).
 *
 * <p><b>Repeats of an error</b> ({@code error_repeat}): the first {@code VEHICLE_ERROR} of each user, vehicle and error
 * kinds in the batch is upserted with its states and its time; the row becomes it unless it holds the same states until
 * after its time, and the statement returns the row: another event means this one is a repeat of it. On PostgreSQL the
 * conflict waits for a concurrent transaction that inserted the same key and then sees its row, so two copies received
 * by two instances at once still fold into one. Later events of the same key in the batch are compared in memory, and a
 * row they change is updated (a second statement, only then).
 */
public final class VehicleStateWriter {

    /** (vehicle, signal) pairs whose committed times this instance remembers. */
    private static final int REMEMBERED_SIGNALS = 20_000;

    private static final String SIGNAL_COLUMNS =
            "vehicle_id, code, value_json, unit, value_at, oem_updated_at, fetched_at, "
                    + "value_event_id, error_json, error_type, error_code, error_at, error_event_id, updated_at";
    private static final String NEWER_VALUE =
            "(n.value_at > s.value_at OR (s.value_at IS NULL AND n.value_at IS NOT NULL))";
    private static final String NEWER_ERROR =
            "(n.error_at > s.error_at OR (s.error_at IS NULL AND n.error_at IS NOT NULL))";
    private static final String SIGNAL_UPDATE =
            "value_json = CASE WHEN " + NEWER_VALUE + " THEN n.value_json ELSE s.value_json END, "
                    + "unit = CASE WHEN " + NEWER_VALUE + " THEN n.unit ELSE s.unit END, "
                    + "value_at = CASE WHEN " + NEWER_VALUE + " THEN n.value_at ELSE s.value_at END, "
                    + "oem_updated_at = CASE WHEN " + NEWER_VALUE + " THEN n.oem_updated_at ELSE s.oem_updated_at END, "
                    + "fetched_at = CASE WHEN " + NEWER_VALUE + " THEN n.fetched_at ELSE s.fetched_at END, "
                    + "value_event_id = CASE WHEN " + NEWER_VALUE + " THEN n.value_event_id ELSE s.value_event_id END, "
                    + "error_json = CASE WHEN " + NEWER_ERROR + " THEN n.error_json ELSE s.error_json END, "
                    + "error_type = CASE WHEN " + NEWER_ERROR + " THEN n.error_type ELSE s.error_type END, "
                    + "error_code = CASE WHEN " + NEWER_ERROR + " THEN n.error_code ELSE s.error_code END, "
                    + "error_at = CASE WHEN " + NEWER_ERROR + " THEN n.error_at ELSE s.error_at END, "
                    + "error_event_id = CASE WHEN " + NEWER_ERROR + " THEN n.error_event_id ELSE s.error_event_id END, "
                    + "updated_at = n.updated_at";
    /** Text, text, text, text, time, time, time, text, text, text, text, time, text, time: the columns above. */
    private static final boolean[] SIGNAL_TIMES = {
        false, false, false, false, true, true, true, false, false, false, false, true, false, true
    };

    private static final String H2_SIGNALS =
            "MERGE INTO vehicle_signal s USING (SELECT * FROM UNNEST(" + h2Arrays(SIGNAL_TIMES)
                    + ")) AS n(" + SIGNAL_COLUMNS + ") ON s.vehicle_id = n.vehicle_id AND s.code = n.code "
                    + "WHEN MATCHED AND (" + NEWER_VALUE + " OR " + NEWER_ERROR + ") THEN UPDATE SET " + SIGNAL_UPDATE
                    + " WHEN NOT MATCHED THEN INSERT (" + SIGNAL_COLUMNS + ") VALUES ("
                    + SIGNAL_COLUMNS.replaceAll("(\\w+)", "n.$1") + ")";
    private static final String POSTGRES_SIGNALS =
            "INSERT INTO vehicle_signal AS s (" + SIGNAL_COLUMNS + ") SELECT * FROM unnest("
                    + postgresArrays(SIGNAL_TIMES) + ") AS n(" + SIGNAL_COLUMNS + ") ORDER BY vehicle_id, code "
                    + "ON CONFLICT (vehicle_id, code) DO UPDATE SET " + SIGNAL_UPDATE.replace("n.", "EXCLUDED.")
                    + " WHERE " + (NEWER_VALUE + " OR " + NEWER_ERROR).replace("n.", "EXCLUDED.");

    private static final String REPEAT_COLUMNS = "repeat_key, first_event_id, error_states, first_at, repeats_until";
    private static final boolean[] REPEAT_TIMES = {false, false, false, true, true};
    /** The stored error is over: its time plus the window has passed, or its states changed. */
    private static final String NEW_FIRST = "(r.repeats_until <= n.first_at OR r.error_states <> n.error_states)";

    private static final String REPEAT_UPDATE =
            "first_event_id = CASE WHEN " + NEW_FIRST + " THEN n.first_event_id ELSE r.first_event_id END, "
                    + "error_states = CASE WHEN " + NEW_FIRST + " THEN n.error_states ELSE r.error_states END, "
                    + "first_at = CASE WHEN " + NEW_FIRST + " THEN n.first_at ELSE r.first_at END, "
                    + "repeats_until = CASE WHEN " + NEW_FIRST + " THEN n.repeats_until ELSE r.repeats_until END";
    private static final String H2_REPEATS =
            "SELECT repeat_key, first_event_id, error_states, repeats_until FROM FINAL TABLE (MERGE INTO "
                    + "error_repeat r USING (SELECT * FROM UNNEST(" + h2Arrays(REPEAT_TIMES) + ")) AS n("
                    + REPEAT_COLUMNS + ") "
                    + "ON r.repeat_key = n.repeat_key WHEN MATCHED THEN UPDATE SET " + REPEAT_UPDATE
                    + " WHEN NOT MATCHED THEN INSERT ("
                    + REPEAT_COLUMNS + ") VALUES (" + REPEAT_COLUMNS.replaceAll("(\\w+)", "n.$1") + "))";
    private static final String POSTGRES_REPEATS =
            "INSERT INTO error_repeat AS r (" + REPEAT_COLUMNS + ") SELECT * FROM unnest("
                    + postgresArrays(REPEAT_TIMES) + ") AS n(" + REPEAT_COLUMNS
                    + ") ORDER BY repeat_key ON CONFLICT (repeat_key) DO UPDATE SET "
                    + REPEAT_UPDATE.replace("n.", "EXCLUDED.")
                    + " RETURNING repeat_key, first_event_id, error_states, repeats_until";
    private static final String MOVE_REPEAT =
            "UPDATE error_repeat SET first_event_id = ?, error_states = ?, first_at = ?, repeats_until = ? "
                    + "WHERE repeat_key = ?";

    private final boolean postgres;
    private final Duration repeatWindow;
    /**
     * The times this instance committed for each (vehicle, signal): lower bounds of what the database holds. Writer
     * thread only.
     */
    private final Map<String, Known> committed = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Known> eldest) {
            return size() > REMEMBERED_SIGNALS;
        }
    };

    /**
     * @param postgres PostgreSQL (else embedded H2)
     * @param repeatWindow {@code bridge.intake.error-dedupe-window}: zero folds no repeats
     */
    public VehicleStateWriter(boolean postgres, Duration repeatWindow) {
        this.postgres = postgres;
        this.repeatWindow = repeatWindow;
    }

    /** What was written, to remember once it is committed. */
    public interface Written {
        /** Called after the commit (not after a rollback). */
        void committed();
    }

    private record Known(Instant valueAt, Instant errorAt) {

        Known max(Known other) {
            return new Known(later(valueAt, other.valueAt), later(errorAt, other.errorAt));
        }

        private static Instant later(Instant a, Instant b) {
            return a == null ? b : b == null || !b.isAfter(a) ? a : b;
        }
    }

    // --- repeats of an error -----------------------------------------------------------------------------------------

    /**
     * Of these new events (about to be stored), the {@code VEHICLE_ERROR}s that repeat an error received within the
     * window, each with the event it repeats; they are stored without deliveries. Empty with a window of zero.
     */
    public Map<String, String> repeats(Connection connection, List<CanonicalEvent> events) throws SQLException {
        if (repeatWindow.isZero()) {
            return Map.of();
        }
        Map<String, List<CanonicalEvent>> byKey = new TreeMap<>();
        for (CanonicalEvent event : events) {
            StateReport.Errors errors =
                    event.state() == null ? null : event.state().errors();
            if (event.recognised() && errors != null) {
                byKey.computeIfAbsent(errors.key(), key -> new ArrayList<>(2)).add(event);
            }
        }
        if (byKey.isEmpty()) {
            return Map.of();
        }
        Map<String, First> stored = upsertFirsts(connection, byKey);
        Map<String, String> repeats = new HashMap<>();
        List<First> moved = new ArrayList<>();
        byKey.forEach((key, sameKey) -> {
            CanonicalEvent candidate = sameKey.get(0);
            First first = stored.get(key);
            if (!first.eventId().equals(candidate.eventId())) {
                repeats.put(candidate.eventId(), first.eventId());
            }
            First running = first;
            for (CanonicalEvent later : sameKey.subList(1, sameKey.size())) {
                StateReport.Errors errors = later.state().errors();
                if (errors.states().equals(running.states()) && errors.at().isBefore(running.until())) {
                    repeats.put(later.eventId(), running.eventId());
                } else {
                    running = new First(
                            key,
                            later.eventId(),
                            errors.states(),
                            errors.at(),
                            errors.at().plus(repeatWindow));
                }
            }
            if (running != first) {
                moved.add(running);
            }
        });
        if (!moved.isEmpty()) {
            try (PreparedStatement update = connection.prepareStatement(MOVE_REPEAT)) {
                for (First first : moved) {
                    update.setString(1, first.eventId());
                    update.setString(2, first.states());
                    update.setObject(3, utc(first.at()));
                    update.setObject(4, utc(first.until()));
                    update.setString(5, first.key());
                    update.addBatch();
                }
                update.executeBatch();
            }
        }
        return repeats;
    }

    /** The row of an error's key: the event forwarded last, its states, and until when a copy is a repeat of it. */
    private record First(String key, String eventId, String states, Instant at, Instant until) {}

    /** The first event of each key in the batch, upserted; returns each key's row as it is now. */
    private Map<String, First> upsertFirsts(Connection connection, Map<String, List<CanonicalEvent>> byKey)
            throws SQLException {
        int size = byKey.size();
        Object[][] columns = new Object[5][size];
        int row = 0;
        for (List<CanonicalEvent> sameKey : byKey.values()) {
            CanonicalEvent first = sameKey.get(0);
            StateReport.Errors errors = first.state().errors();
            columns[0][row] = errors.key();
            columns[1][row] = first.eventId();
            columns[2][row] = errors.states();
            columns[3][row] = errors.at();
            columns[4][row] = errors.at().plus(repeatWindow);
            row++;
        }
        Map<String, First> stored = new HashMap<>();
        try (PreparedStatement upsert = connection.prepareStatement(postgres ? POSTGRES_REPEATS : H2_REPEATS)) {
            bindArrays(connection, upsert, columns, REPEAT_TIMES);
            try (ResultSet rows = upsert.executeQuery()) {
                while (rows.next()) {
                    String key = rows.getString(1);
                    stored.put(
                            key,
                            new First(
                                    key,
                                    rows.getString(2),
                                    rows.getString(3),
                                    null,
                                    rows.getObject(4, OffsetDateTime.class).toInstant()));
                }
            }
        }
        if (stored.size() != size) {
            throw new SQLException("error_repeat: " + size + " keys upserted, " + stored.size() + " returned");
        }
        return stored;
    }

    // --- signals -----------------------------------------------------------------------------------------------------

    /**
     * Applies the signals of these new events (just inserted) to the state: the latest report of each (vehicle, signal)
     * that may be news. Returns what to remember once the transaction has committed.
     */
    public Written write(Connection connection, List<CanonicalEvent> events, Instant now) throws SQLException {
        TreeMap<String, Row> rows = new TreeMap<>();
        for (CanonicalEvent event : events) {
            StateReport state = event.state();
            if (state == null || state.signals().isEmpty() || !event.recognised()) {
                continue;
            }
            for (StateReport.Signal signal : state.signals()) {
                String key = state.vehicleId() + '\u0000' + signal.code();
                Known known = committed.get(key);
                if (signal.isError()
                        ? known != null
                                && known.errorAt() != null
                                && !signal.at().isAfter(known.errorAt())
                        : known != null
                                && known.valueAt() != null
                                && !signal.at().isAfter(known.valueAt())) {
                    continue; // the database holds this time or a later one
                }
                rows.computeIfAbsent(key, k -> new Row(state.vehicleId(), signal.code()))
                        .offer(signal, event.eventId());
            }
        }
        if (rows.isEmpty()) {
            return () -> {};
        }
        int size = rows.size();
        Object[][] columns = new Object[SIGNAL_TIMES.length][size];
        int index = 0;
        for (Row row : rows.values()) {
            StateReport.Signal value = row.value;
            StateReport.Signal error = row.error;
            Object[] fields = {
                row.vehicleId,
                row.code,
                value == null ? null : value.valueJson(),
                value == null ? null : value.unit(),
                value == null ? null : value.at(),
                value == null ? null : value.oemUpdatedAt(),
                value == null ? null : value.fetchedAt(),
                row.valueEventId,
                error == null ? null : error.errorJson(),
                error == null ? null : error.errorType(),
                error == null ? null : error.errorCode(),
                error == null ? null : error.at(),
                row.errorEventId,
                now
            };
            for (int column = 0; column < fields.length; column++) {
                columns[column][index] = fields[column];
            }
            index++;
        }
        try (PreparedStatement upsert = connection.prepareStatement(postgres ? POSTGRES_SIGNALS : H2_SIGNALS)) {
            bindArrays(connection, upsert, columns, SIGNAL_TIMES);
            upsert.executeUpdate();
        }
        return () -> rows.forEach((key, row) -> committed.merge(
                key,
                new Known(row.value == null ? null : row.value.at(), row.error == null ? null : row.error.at()),
                Known::max));
    }

    /** The latest value and the latest error of one (vehicle, signal) in the batch; the first of equal times. */
    private static final class Row {
        final String vehicleId;
        final String code;
        StateReport.Signal value;
        String valueEventId;
        StateReport.Signal error;
        String errorEventId;

        Row(String vehicleId, String code) {
            this.vehicleId = vehicleId;
            this.code = code;
        }

        void offer(StateReport.Signal signal, String eventId) {
            if (signal.isError()) {
                if (error == null || signal.at().isAfter(error.at())) {
                    error = signal;
                    errorEventId = eventId;
                }
            } else if (value == null || signal.at().isAfter(value.at())) {
                value = signal;
                valueEventId = eventId;
            }
        }
    }

    // --- arrays ------------------------------------------------------------------------------------------------------

    /** Each column as one array parameter: text as VARCHAR, instants as TIMESTAMP WITH TIME ZONE. */
    private void bindArrays(Connection connection, PreparedStatement statement, Object[][] columns, boolean[] times)
            throws SQLException {
        for (int column = 0; column < columns.length; column++) {
            Object[] values = columns[column];
            Array array;
            if (!times[column]) {
                array = connection.createArrayOf("VARCHAR", values);
            } else if (postgres) {
                // ISO-8601 text, cast to timestamptz[] by the statement
                String[] text = new String[values.length];
                for (int i = 0; i < values.length; i++) {
                    text[i] = values[i] == null ? null : values[i].toString();
                }
                array = connection.createArrayOf("varchar", text);
            } else {
                OffsetDateTime[] instants = new OffsetDateTime[values.length];
                for (int i = 0; i < values.length; i++) {
                    instants[i] = utc((Instant) values[i]);
                }
                array = connection.createArrayOf("TIMESTAMP WITH TIME ZONE", instants);
            }
            statement.setArray(column + 1, array);
        }
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static String h2Arrays(boolean[] times) {
        List<String> arrays = new ArrayList<>();
        for (boolean time : times) {
            arrays.add(time ? "CAST(? AS TIMESTAMP WITH TIME ZONE ARRAY)" : "CAST(? AS VARCHAR ARRAY)");
        }
        return String.join(", ", arrays);
    }

    private static String postgresArrays(boolean[] times) {
        List<String> arrays = new ArrayList<>();
        for (boolean time : times) {
            arrays.add(time ? "CAST(? AS timestamptz[])" : "CAST(? AS varchar[])");
        }
        return String.join(", ", arrays);
    }
}
