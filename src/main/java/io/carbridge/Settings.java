package io.carbridge;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

/**
 * The settings of {@code application.properties} (and their {@code -D} / environment overrides). The groups that
 * {@link DeclaredSettings} lists are bound onto their beans ({@link #of}); the settings their owners have not declared
 * yet (Smartcar's) are read key by key, with the same conversions. Every failure names the property, so a misconfigured
 * service stops with a message an operator can act on.
 */
public final class Settings {

    private final PropertiesComponent properties;
    private final SettingsBinding binding;
    private final Map<Class<?>, Object> bound = new HashMap<>();

    public Settings(CamelContext camel) {
        this.properties = camel.getPropertiesComponent();
        this.binding = new SettingsBinding(camel);
    }

    /** The bean of a group of {@link DeclaredSettings}, bound and checked on first use. */
    public <T> T of(Class<T> type) {
        Object bean = bound.get(type);
        if (bean == null) {
            bean = binding.bindDeclared(DeclaredSettings.groupOf(type).prefix(), SettingsBinding.newInstance(type));
            bound.put(type, bean);
        }
        return type.cast(bean);
    }

    /** Stops at a {@code bridge.*} key that no declared group has ({@link DeclaredSettings#refuseUnknownKeys}). */
    public void refuseUnknownKeys() {
        DeclaredSettings.refuseUnknownKeys(binding);
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

    /** A duration as Camel writes one ({@link SettingsBinding#duration}). */
    public Duration duration(String key, Duration defaultValue) {
        return optional(key).map(text -> SettingsBinding.duration(key, text)).orElse(defaultValue);
    }

    /** A duration that must be more than zero. */
    public Duration positiveDuration(String key, Duration defaultValue) {
        Duration duration = duration(key, defaultValue);
        if (duration.isZero() || duration.isNegative()) {
            throw new InvalidSettingException(key, "must be positive");
        }
        return duration;
    }

    /** A period a route's Camel timer reads from the property itself ({@link SettingsBinding#timerPeriod}). */
    public Duration timerPeriod(String key, Duration defaultValue) {
        return optional(key).map(text -> SettingsBinding.timerPeriod(key, text)).orElse(defaultValue);
    }

    public List<String> list(String key) {
        return optional(key).map(text -> Arrays.stream(text.split(","))
                .map(String::trim).filter(item -> !item.isEmpty()).toList()).orElse(List.of());
    }

    /** Names this instance in database claims (delivery, subscription sync); must differ between instances sharing a database. */
    public String instanceId() {
        return of(InstanceSettings.class).instanceId();
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
