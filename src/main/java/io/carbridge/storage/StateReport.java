package io.carbridge.storage;

import java.time.Instant;
import java.util.List;

/**
 * What a current-format event reports about its vehicle's state, read at intake like its {@link VehicleFacts} and
 * written in the event's own transaction: the signals it carries, for the vehicle's latest state (table
 * {@code vehicle_signal}), and for a {@code VEHICLE_ERROR} the errors it reports, for folding Smartcar's repeats of an
 * error (table {@code error_repeat}).
 *
 * @param vehicleId the vehicle the event is about (its {@code vehicleId}, or {@code data.vehicle.id})
 * @param signals the signals that can be applied to the state, one per code (values and errors); a signal without a
 *     time, or without a code, is not among them
 * @param signalTimeUnreadable a signal gave an {@code oemUpdatedAt} or {@code fetchedAt} that cannot be read (not a
 *     number or an ISO-8601 time, outside the years 1 to 9999, or more than a day after its receipt): that signal is
 *     not applied, and the event is flagged
 * @param errors for a {@code VEHICLE_ERROR} that names its errors, what makes a later one a repeat of it; null
 *     otherwise
 */
public record StateReport(String vehicleId, List<Signal> signals, boolean signalTimeUnreadable, Errors errors) {

    /**
     * One signal as the state keeps it. A value carries its body as JSON; an error ({@code status.error}) carries the
     * error as JSON and no value, so that it never erases the last good value.
     *
     * @param at the order of the signal's reports: {@code oemUpdatedAt}, or {@code fetchedAt} when it gave none; an
     *     error without either takes the time of the state it came with
     * @param oemUpdatedAt as the signal gave it, or null
     * @param fetchedAt as the signal gave it ({@code fetchedAt}, or {@code retrievedAt} in older shapes), or null
     */
    public record Signal(
            String code,
            String valueJson,
            String unit,
            Instant at,
            Instant oemUpdatedAt,
            Instant fetchedAt,
            String errorJson,
            String errorType,
            String errorCode) {

        public boolean isError() {
            return errorJson != null;
        }
    }

    /**
     * The errors of a {@code VEHICLE_ERROR}, for folding Smartcar's repeats: a later error event of the same user,
     * vehicle and error types and codes, with the same states, received within
     * {@code bridge.intake.error-dedupe-window} of this one, is a repeat of it.
     *
     * @param key SHA-256 (hex) of the user, the vehicle and the errors' types and codes
     * @param states SHA-256 (hex) of each error's state ({@code ERROR}, {@code RESOLVED}): a change of state is news
     * @param at when Smartcar delivered it ({@code meta.deliveredAt}, when it is readable and within an hour before its
     *     receipt), else when the bridge received it
     */
    public record Errors(String key, String states, Instant at) {}
}
