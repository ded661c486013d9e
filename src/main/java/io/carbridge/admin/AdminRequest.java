package io.carbridge.admin;

import io.carbridge.Settings;
import io.carbridge.SettingsBinding;
import io.carbridge.http.RequestRefused;
import io.carbridge.storage.SqlTime;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.apache.camel.Message;

/** What an admin handler may read of a request: path parameters and query parameters, validated. */
public final class AdminRequest {

    private final Message message;

    private AdminRequest(Message message) {
        this.message = message;
    }

    /**
     * The request of an admin call: its path parameters and query parameters, which platform-http put in the headers.
     */
    public static AdminRequest of(Message message) {
        return new AdminRequest(message);
    }

    /** A {@code {name}} segment of the path. */
    public String path(String name) {
        String value = message.getHeader(name, String.class);
        if (value == null || value.isBlank()) {
            throw RequestRefused.badRequest("missing path parameter " + name);
        }
        return value;
    }

    /** A numeric {@code {name}} segment of the path, such as a delivery id. */
    public long pathId(String name) {
        String value = path(name);
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw RequestRefused.badRequest(name + " must be a number");
        }
    }

    public Optional<Boolean> bool(String name) {
        return query(name).map(value -> switch (value.toLowerCase()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw RequestRefused.badRequest(name + " must be true or false");
        });
    }

    public Optional<String> query(String name) {
        return Optional.ofNullable(message.getHeader(name, String.class))
                .map(String::trim)
                .filter(v -> !v.isEmpty());
    }

    public Optional<Instant> instant(String name) {
        return query(name).map(value -> {
            try {
                Instant instant = Instant.parse(value);
                if (SqlTime.isRepresentable(instant)) {
                    return instant;
                }
            } catch (DateTimeParseException e) {
                // answered below
            }
            throw RequestRefused.badRequest(name + " must be an ISO-8601 instant between the years 1 and 9999, "
                    + "such as 2026-11-28T10:00:00Z");
        });
    }

    /**
     * A duration written as settings are: {@code 1m}, {@code 15m}, {@code 1h}, {@code 7d} or ISO-8601 ({@code PT1H}).
     */
    public Duration duration(String name, Duration defaultValue) {
        return query(name)
                .map(value -> {
                    try {
                        return SettingsBinding.duration(name, value);
                    } catch (Settings.InvalidSettingException e) {
                        throw RequestRefused.badRequest(name + " must be a duration such as 1m, 15m, 1h or 7d");
                    }
                })
                .orElse(defaultValue);
    }

    public int limit(int defaultLimit, int maxLimit) {
        return query("limit")
                .map(value -> {
                    try {
                        int limit = Integer.parseInt(value);
                        if (limit < 1 || limit > maxLimit) {
                            throw RequestRefused.badRequest("limit must be between 1 and " + maxLimit);
                        }
                        return limit;
                    } catch (NumberFormatException e) {
                        throw RequestRefused.badRequest("limit must be a whole number");
                    }
                })
                .orElse(defaultLimit);
    }
}
