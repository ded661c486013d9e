package io.carbridge;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import io.carbridge.Settings.InvalidSettingException;
import org.apache.camel.CamelContext;
import org.apache.camel.TypeConverter;

/**
 * Binds the properties under a prefix onto a settings bean whose fields declare them ({@link Setting}), the one place
 * each setting is written: its name, type, default, description and check. Values are converted by Camel's type
 * converters, so a duration reads the way Camel reads one everywhere else. A key under the prefix that no field
 * declares stops the start, naming the nearest valid key, as Camel Main does for {@code camel.*} keys; so does a value
 * of the wrong type or out of range. The same declarations give the documentation its rows ({@link #declared}).
 */
public final class SettingsBinding {

    /** Camel's duration grammar, strictly: Camel's own parser reads "5x" as zero. ISO-8601 is checked by parsing. */
    private static final Pattern CAMEL_DURATION = Pattern.compile("\\d+|(?=\\d)(\\d+d)?(\\d+h)?(\\d+m(?!s))?(\\d+s)?(\\d+ms)?");

    private final CamelContext camel;

    public SettingsBinding(CamelContext camel) {
        this.camel = camel;
    }

    /** One declared setting: its key after the prefix, and how the documentation shows it. */
    public record Declared(String key, Field field, Setting setting, String defaultText) {

        public String description() {
            return setting.value();
        }
    }

    /** The settings a bean type declares, in declaration order, keys relative to its prefix. */
    public static List<Declared> declared(Class<?> type) {
        Object defaults = newInstance(type);
        List<Declared> declared = new ArrayList<>();
        for (Field field : type.getDeclaredFields()) {
            Setting setting = field.getAnnotation(Setting.class);
            if (setting == null) {
                continue;
            }
            field.setAccessible(true);
            String defaultText = setting.defaultText().isEmpty() ? text(read(field, defaults)) : setting.defaultText();
            declared.add(new Declared(keyOf(field, setting), field, setting, defaultText));
        }
        return declared;
    }

    /**
     * The settings table's rows of a settings bean type, as the documentation shows them:
     * {@code | `prefix.key` | | default | description |}.
     */
    public static List<String> tableRows(Class<?> type, String prefix) {
        return declared(type).stream().map(setting -> "| `" + prefix + setting.key() + "` | | "
                + (setting.defaultText().isEmpty() ? "" : (setting.defaultText().startsWith("(") ? setting.defaultText() : "`" + setting.defaultText() + "`") + " ")
                + "| " + setting.description() + ". |").toList();
    }

    /**
     * Every key under {@code prefix} that is set: in the property files (application.properties, a test's own), or as a
     * system property ({@code -D}). Environment variables override a key the files declare, but do not add keys.
     */
    public Set<String> keysUnder(String prefix) {
        Set<String> keys = new TreeSet<>();
        camel.getPropertiesComponent().loadProperties(key -> key.startsWith(prefix)).stringPropertyNames().forEach(keys::add);
        System.getProperties().stringPropertyNames().stream().filter(key -> key.startsWith(prefix)).forEach(keys::add);
        return keys;
    }

    /**
     * Sets each declared field of {@code bean} whose key is set under {@code prefix} (blank values count as unset), then
     * checks every field against its declaration. Returns the bean.
     *
     * @param owner what the settings belong to, for the messages (e.g. "destination 'crm'")
     */
    public <T> T bind(String prefix, T bean, String owner) {
        List<Declared> declared = declared(bean.getClass());
        for (String key : keysUnder(prefix)) {
            String name = key.substring(prefix.length());
            Declared setting = declared.stream().filter(candidate -> normalised(candidate.key()).equals(normalised(name))).findFirst()
                    .orElseThrow(() -> new InvalidSettingException(key, "is not a setting of " + owner
                            + Suggestions.nearest(name, declared.stream().map(Declared::key).toList()).map(near -> ": did you mean " + prefix + near + "?").orElse("")));
            Optional<String> value = camel.getPropertiesComponent().resolveProperty(key).map(String::trim).filter(text -> !text.isEmpty());
            if (value.isPresent()) {
                write(setting.field(), bean, convert(key, setting.field(), value.get()));
            }
        }
        for (Declared setting : declared) {
            check(prefix + setting.key(), setting, read(setting.field(), bean));
        }
        return bean;
    }

    private Object convert(String key, Field field, String text) {
        Class<?> type = field.getType();
        try {
            if (type == Duration.class) {
                return duration(key, text);
            }
            if (type == List.class) {
                return Arrays.stream(text.split(",")).map(String::trim).filter(item -> !item.isEmpty()).toList();
            }
            if (type.isEnum()) {
                return enumValue(key, type, text);
            }
            if (type == boolean.class && !text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
                throw new InvalidSettingException(key, "is '" + text + "', it must be true or false");
            }
            TypeConverter converter = camel.getTypeConverter();
            return converter.mandatoryConvertTo(type, text);
        } catch (InvalidSettingException e) {
            throw e;
        } catch (Exception e) {
            throw new InvalidSettingException(key, "is '" + text + "', expected " + describe(type));
        }
    }

    /** A duration the way Camel writes one ({@code 500ms}, {@code 30s}, {@code 1h30m}, {@code 7d}) or ISO-8601. */
    private Duration duration(String key, String text) {
        boolean iso = text.startsWith("P") || text.startsWith("p");
        if (!iso && !CAMEL_DURATION.matcher(text).matches()) {
            throw new InvalidSettingException(key, "is '" + text + "', expected a duration such as 500ms, 30s, 5m, 2h, 7d or PT30S");
        }
        try {
            return camel.getTypeConverter().mandatoryConvertTo(Duration.class, text);
        } catch (Exception e) {
            throw new InvalidSettingException(key, "is '" + text + "', expected a duration such as 500ms, 30s, 5m, 2h, 7d or PT30S");
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumValue(String key, Class<?> type, String text) {
        try {
            return Enum.valueOf((Class<Enum>) type, text.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(key, "is '" + text + "', it must be one of " + String.join(", ",
                    Arrays.stream(type.getEnumConstants()).map(constant -> constant.toString().toLowerCase(Locale.ROOT)).toList()));
        }
    }

    private static void check(String key, Declared declared, Object value) {
        Setting setting = declared.setting();
        if (value instanceof Number number && (number.doubleValue() < setting.min() || number.doubleValue() > setting.max())) {
            throw new InvalidSettingException(key, "is " + text(value) + ", it must be between " + setting.min() + " and " + setting.max());
        }
        if (value instanceof Duration duration && (duration.isNegative() || (duration.isZero() && !setting.zeroAllowed()))) {
            throw new InvalidSettingException(key, "must be a positive duration");
        }
        if (value instanceof String text && setting.oneOf().length > 0
                && Arrays.stream(setting.oneOf()).noneMatch(allowed -> allowed.equalsIgnoreCase(text))) {
            throw new InvalidSettingException(key, "is '" + text + "', it must be one of " + String.join(", ", setting.oneOf()));
        }
    }

    /** How a value reads in the documentation: durations as Camel writes them, lists comma-separated. */
    public static String text(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Duration duration) {
            return durationText(duration);
        }
        if (value instanceof List<?> list) {
            return String.join(",", list.stream().map(String::valueOf).toList());
        }
        if (value instanceof Enum<?> constant) {
            return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
        if (value instanceof Double number && number == Math.rint(number)) {
            return Long.toString(number.longValue());
        }
        return String.valueOf(value);
    }

    /** The largest unit that writes it whole, days only from two on ({@code 24h} reads better than {@code 1d}). */
    private static String durationText(Duration duration) {
        long millis = duration.toMillis();
        long[] units = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
        String[] names = {"d", "h", "m", "s"};
        for (int unit = 0; unit < units.length; unit++) {
            if (millis != 0 && millis % units[unit] == 0 && (unit > 0 || millis >= 2 * units[0])) {
                return millis / units[unit] + names[unit];
            }
        }
        return millis + "ms";
    }

    private static String describe(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        if (type == double.class || type == Double.class) {
            return "a number";
        }
        return "a " + type.getSimpleName();
    }

    /** The field's name in kebab case ({@code authSecretEnv} is {@code auth-secret-env}), unless the declaration names it. */
    private static String keyOf(Field field, Setting setting) {
        return !setting.name().isEmpty() ? setting.name() : field.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** Keys compare without case and without dashes: {@code retry.initialDelay} is {@code retry.initial-delay}. */
    private static String normalised(String key) {
        return key.toLowerCase(Locale.ROOT).replace("-", "");
    }

    private static Object newInstance(Class<?> type) {
        try {
            var constructor = type.getDeclaredConstructor();
            constructor.setAccessible(true);
            return constructor.newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(type + " declares settings but cannot be made with no arguments", e);
        }
    }

    private static Object read(Field field, Object bean) {
        try {
            field.setAccessible(true);
            return field.get(bean);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(Field field, Object bean, Object value) {
        if (Modifier.isFinal(field.getModifiers())) {
            throw new IllegalStateException(field + " declares a setting and is final");
        }
        try {
            field.setAccessible(true);
            field.set(bean, value);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

}
