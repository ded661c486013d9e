package io.carbridge;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

/**
 * Typed, validated access to the properties of {@code application.properties} (and their {@code -D} / environment
 * overrides). Every failure names the property, so a misconfigured service stops with a message an operator can act on.
 */
public final class Settings {

    private final PropertiesComponent properties;
    private final SettingsBinding binding;

    public Settings(CamelContext camel) {
        this.properties = camel.getPropertiesComponent();
        this.binding = new SettingsBinding(camel);
    }

    /** Binds the settings under {@code prefix} onto a bean that declares them ({@link Setting}); see {@link SettingsBinding}. */
    public <T> T bind(String prefix, T bean, String owner) {
        return binding.bind(prefix, bean, owner);
    }

    public Optional<String> optional(String key) {
        return properties.resolveProperty(key).map(String::trim).filter(value -> !value.isEmpty());
    }

    public String required(String key, String hint) {
        return optional(key).orElseThrow(() -> new InvalidSettingException(key, "is not set: " + hint));
    }

    public String string(String key, String defaultValue) {
        return optional(key).orElse(defaultValue);
    }

    public int integer(String key, int defaultValue, int min, int max) {
        int value = optional(key).map(text -> parseInt(key, text)).orElse(defaultValue);
        if (value < min || value > max) {
            throw new InvalidSettingException(key, "is " + value + ", it must be between " + min + " and " + max);
        }
        return value;
    }

    public double decimal(String key, double defaultValue, double min, double max) {
        double value = optional(key).map(text -> parseDouble(key, text)).orElse(defaultValue);
        if (value < min || value > max) {
            throw new InvalidSettingException(key, "is " + value + ", it must be between " + min + " and " + max);
        }
        return value;
    }

    public boolean bool(String key, boolean defaultValue) {
        return optional(key).map(text -> switch (text.toLowerCase()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidSettingException(key, "is '" + text + "', it must be true or false");
        }).orElse(defaultValue);
    }

    /** Durations are written as ISO-8601 ({@code PT30S}) or as a number with a unit: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d}. */
    public Duration duration(String key, Duration defaultValue) {
        return optional(key).map(text -> parseDuration(key, text)).orElse(defaultValue);
    }

    /** A duration that must be more than zero. */
    public Duration positiveDuration(String key, Duration defaultValue) {
        Duration duration = duration(key, defaultValue);
        if (duration.isZero() || duration.isNegative()) {
            throw new InvalidSettingException(key, "must be positive");
        }
        return duration;
    }

    /**
     * A period a route's Camel timer reads from the property itself: positive, and not ISO-8601, which the timer would
     * take as zero (a run without pause).
     */
    public Duration timerPeriod(String key, Duration defaultValue) {
        Duration period = duration(key, defaultValue);
        String text = optional(key).orElse("");
        if (text.startsWith("P") || text.startsWith("p") || period.isZero() || period.isNegative()) {
            throw new InvalidSettingException(key, "is '" + text + "': write a positive duration such as 60s or 5m");
        }
        return period;
    }

    public List<String> list(String key) {
        return optional(key).map(text -> Arrays.stream(text.split(","))
                .map(String::trim).filter(item -> !item.isEmpty()).toList()).orElse(List.of());
    }

    /** Names this instance in database claims (delivery, subscription sync); must differ between instances sharing a database. */
    public String instanceId() {
        return optional("bridge.instance-id").orElseGet(() -> {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                return "bridge";
            }
        });
    }

    /** Reads a duration the way settings are written; {@link InvalidSettingException} names {@code key} when it is not one. */
    public static Duration parseDuration(String key, String text) {
        try {
            if (text.startsWith("P") || text.startsWith("p")) {
                return Duration.parse(text);
            }
            String lower = text.toLowerCase();
            if (lower.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(lower.substring(0, lower.length() - 2).trim()));
            }
            long amount = Long.parseLong(lower.substring(0, lower.length() - 1).trim());
            return switch (lower.charAt(lower.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                case 'd' -> Duration.ofDays(amount);
                default -> throw new NumberFormatException(text);
            };
        } catch (RuntimeException e) {
            throw new InvalidSettingException(key, "is '" + text + "', expected a duration such as 500ms, 30s, 5m, 2h, 7d or PT30S");
        }
    }

    private static int parseInt(String key, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(key, "is '" + text + "', expected a whole number");
        }
    }

    private static double parseDouble(String key, String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(key, "is '" + text + "', expected a number");
        }
    }

    /** A setting that stops the service at start; the message names the property and what is wrong with it. */
    public static final class InvalidSettingException extends StartupFailure {
        public InvalidSettingException(String key, String problem) {
            super("Configuration error: " + key + " " + problem);
        }
    }
}
