package io.carbridge;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

/**
 * The settings of {@code application.properties} (and their {@code -D} / environment overrides). The groups that
 * {@link DeclaredSettings} lists are bound onto their beans ({@link #of}), a destination's onto its own
 * ({@link #bind}): every {@code bridge.*} setting is read through a bean that declares it. Every failure names the
 * property, so a misconfigured service stops with a message an operator can act on.
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
            bean = bindDeclared(DeclaredSettings.groupOf(type).prefix(), SettingsBinding.newInstance(type));
            bound.put(type, bean);
        }
        return type.cast(bean);
    }

    /** Stops at a {@code bridge.*} key that no declared group has ({@link DeclaredSettings#refuseUnknownKeys}). */
    public void refuseUnknownKeys() {
        DeclaredSettings.refuseUnknownKeys(binding);
    }

    /**
     * Binds the settings under {@code prefix} onto a bean that declares them ({@link Setting}); see
     * {@link SettingsBinding}.
     */
    public <T> T bind(String prefix, T bean, String owner) {
        return binding.bind(prefix, bean, owner);
    }

    /**
     * Binds the settings under {@code prefix} that {@code bean} declares, leaving the prefix's other keys alone: for a
     * prefix whose other settings are someone else's ({@code camel.}).
     */
    public <T> T bindDeclared(String prefix, T bean) {
        return binding.bindDeclared(prefix, bean);
    }

    /**
     * A value as it is, for what no bean declares: an environment variable a setting names (a destination's secret), a
     * Camel setting.
     */
    public Optional<String> optional(String key) {
        return properties.resolveProperty(key).map(String::trim).filter(value -> !value.isEmpty());
    }

    /**
     * Names this instance in database claims (delivery, subscription sync); must differ between instances sharing a
     * database.
     */
    public String instanceId() {
        return of(InstanceSettings.class).instanceId();
    }

    /** A setting that stops the service at start; the message names the property and what is wrong with it. */
    public static final class InvalidSettingException extends StartupFailure {
        public InvalidSettingException(String key, String problem) {
            super("Configuration error: " + key + " " + problem);
        }
    }
}
