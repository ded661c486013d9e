package io.carbridge;

import io.carbridge.Settings.InvalidSettingException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.TypeConverter;
import org.apache.camel.util.TimeUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the properties under a prefix onto a settings bean whose fields declare them ({@link Setting}), the one place
 * each setting is written: its name, type, default, description and check. Values are converted by Camel's type
 * converters, so a duration reads the way Camel reads one everywhere else. A key under the prefix that no field
 * declares stops the start, naming the nearest valid key, as Camel Main does for {@code camel.*} keys; so does a value
 * of the wrong type or out of range. The same declarations give the documentation its rows ({@link #declared}).
 */
public final class SettingsBinding {

    private static final Logger LOG = LoggerFactory.getLogger(SettingsBinding.class);
    /** Camel's duration grammar, strictly: Camel's own parser reads "5x" as zero. ISO-8601 is checked by parsing. */
    private static final Pattern CAMEL_DURATION =
            Pattern.compile("\\d+|(?=\\d)(\\d+d)?(\\d+h)?(\\d+m(?!s))?(\\d+s)?(\\d+ms)?");
    /**
     * What the bridge's own grammar read before Camel's: one amount and unit in any case, a space between ({@code 5
     * M}).
     */
    private static final Pattern FORMER_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);
    /** A shipped value taken from the environment: {@code {{env:NAME:default}}}. */
    private static final Pattern FROM_ENVIRONMENT = Pattern.compile("\\{\\{env:([A-Z0-9_]+):?(.*)}}");

    private static final String DURATION_EXAMPLES = "expected a duration such as 500ms, 30s, 5m, 2h, 7d or PT30S";

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
     * The settings reference's rows of a settings bean type ({@link #tableRow}), in declaration order.
     *
     * @param shipped the settings the bridge ships ({@code application.properties}), for the environment variables
     */
    public static List<String> tableRows(Class<?> type, String prefix, Properties shipped) {
        return declared(type).stream()
                .map(setting ->
                        tableRow(prefix + setting.key(), setting.defaultText(), setting.description() + ".", shipped))
                .toList();
    }

    /**
     * One row of the settings reference, {@code | `key` | `VARIABLE` | `default` | description |}: where the shipped
     * settings take the value from the environment ({@code {{env:NAME:default}}}), the variable and its default; else
     * the value they set; else {@code defaultText}, shown as it is when it is a note ({@code (required)}).
     */
    public static String tableRow(String key, String defaultText, String description, Properties shipped) {
        String value = shipped.getProperty(key, "").trim();
        Matcher environment = FROM_ENVIRONMENT.matcher(value);
        String variable = environment.matches() ? "`" + environment.group(1) + "` " : "";
        String shippedDefault = environment.matches() ? environment.group(2) : value.contains("{{") ? "" : value;
        String shown = shippedDefault.isEmpty() ? defaultText : shippedDefault;
        return "| `" + key + "` | " + variable + "| "
                + (shown.isEmpty() ? "" : (shown.startsWith("(") ? shown : "`" + shown + "`") + " ") + "| "
                + description + " |";
    }

    /**
     * Every key under {@code prefix} that is set: in the property files (application.properties, a test's own), or as a
     * system property ({@code -D}). Environment variables override a key the files declare, but do not add keys.
     */
    public Set<String> keysUnder(String prefix) {
        Set<String> keys = new TreeSet<>();
        camel.getPropertiesComponent()
                .loadProperties(key -> key.startsWith(prefix))
                .stringPropertyNames()
                .forEach(keys::add);
        System.getProperties().stringPropertyNames().stream()
                .filter(key -> key.startsWith(prefix))
                .forEach(keys::add);
        return keys;
    }

    /**
     * Sets each declared field of {@code bean} whose key is set under {@code prefix} (blank values count as unset),
     * then checks every field against its declaration. A key under the prefix that the bean does not declare stops the
     * start. Returns the bean.
     *
     * @param owner what the settings belong to, for the messages (e.g. "destination 'crm'")
     */
    public <T> T bind(String prefix, T bean, String owner) {
        List<Declared> declared = declared(bean.getClass());
        for (String key : keysUnder(prefix)) {
            String name = key.substring(prefix.length());
            if (find(declared, name).isEmpty()) {
                throw new InvalidSettingException(
                        key,
                        "is not a setting of " + owner
                                + Suggestions.nearest(
                                                name,
                                                declared.stream()
                                                        .map(Declared::key)
                                                        .toList())
                                        .map(near -> ": did you mean " + prefix + near + "?")
                                        .orElse(""));
            }
        }
        return bindDeclared(prefix, bean);
    }

    /**
     * As {@link #bind}, but a key under the prefix that the bean does not declare is left alone: for a prefix that
     * holds other settings too ({@code bridge.}), whose unknown keys {@link DeclaredSettings} refuses over all the
     * beans.
     */
    public <T> T bindDeclared(String prefix, T bean) {
        List<Declared> declared = declared(bean.getClass());
        for (String key : keysUnder(prefix)) {
            Optional<Declared> setting = find(declared, key.substring(prefix.length()));
            Optional<String> value = setting.isEmpty()
                    ? Optional.empty()
                    : camel.getPropertiesComponent()
                            .resolveProperty(key)
                            .map(String::trim)
                            .filter(text -> !text.isEmpty());
            if (value.isPresent()) {
                write(setting.get().field(), bean, convert(key, setting.get(), value.get()));
            }
        }
        for (Declared setting : declared) {
            check(prefix + setting.key(), setting, read(setting.field(), bean));
        }
        return bean;
    }

    private static Optional<Declared> find(List<Declared> declared, String name) {
        return declared.stream()
                .filter(candidate -> normalised(candidate.key()).equals(normalised(name)))
                .findFirst();
    }

    private Object convert(String key, Declared setting, String text) {
        Class<?> type = setting.field().getType();
        try {
            if (type == Duration.class) {
                return setting.setting().timerPeriod() ? timerPeriod(key, text) : duration(key, text);
            }
            if (type == List.class) {
                return Arrays.stream(text.split(","))
                        .map(String::trim)
                        .filter(item -> !item.isEmpty())
                        .toList();
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

    /**
     * A duration the way Camel writes one ({@code 500ms}, {@code 30s}, {@code 1h30m}, {@code 7d}) or ISO-8601. What the
     * bridge read before it read Camel's ({@code 5M}, {@code 30 s}) is still read, with a WARN naming Camel's form.
     */
    public static Duration duration(String key, String text) {
        if (isIso(text)) {
            try {
                return Duration.parse(text);
            } catch (RuntimeException e) {
                throw new InvalidSettingException(key, "is '" + text + "', " + DURATION_EXAMPLES);
            }
        }
        if (CAMEL_DURATION.matcher(text).matches()) {
            return TimeUtils.toDuration(text);
        }
        Matcher former = FORMER_DURATION.matcher(text);
        if (!former.matches()) {
            throw new InvalidSettingException(key, "is '" + text + "', " + DURATION_EXAMPLES);
        }
        String camelForm = former.group(1) + former.group(2).toLowerCase(Locale.ROOT);
        LOG.warn(
                "{} is '{}': write {} (durations are written as Camel writes them); this form will not be read forever",
                key,
                text,
                camelForm);
        return TimeUtils.toDuration(camelForm);
    }

    /**
     * A period a route's Camel timer reads from the property itself ({@code {{key}}}): positive, and in Camel's own
     * grammar, as the timer reads ISO-8601 and the former forms as zero (a run without pause).
     */
    public static Duration timerPeriod(String key, String text) {
        boolean camelForm = CAMEL_DURATION.matcher(text).matches();
        if (!camelForm && !isIso(text) && !FORMER_DURATION.matcher(text).matches()) {
            throw new InvalidSettingException(key, "is '" + text + "', " + DURATION_EXAMPLES);
        }
        if (!camelForm || TimeUtils.toMilliSeconds(text) == 0) {
            throw new InvalidSettingException(key, "is '" + text + "': write a positive duration such as 60s or 5m");
        }
        return TimeUtils.toDuration(text);
    }

    private static boolean isIso(String text) {
        return text.startsWith("P") || text.startsWith("p");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumValue(String key, Class<?> type, String text) {
        try {
            return Enum.valueOf(
                    (Class<Enum>) type, text.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(
                    key,
                    "is '" + text + "', it must be one of "
                            + String.join(
                                    ", ",
                                    Arrays.stream(type.getEnumConstants())
                                            .map(constant -> constant.toString().toLowerCase(Locale.ROOT))
                                            .toList()));
        }
    }

    private static void check(String key, Declared declared, Object value) {
        Setting setting = declared.setting();
        if (value instanceof Number number
                && (number.doubleValue() < setting.min() || number.doubleValue() > setting.max())) {
            throw new InvalidSettingException(
                    key, "is " + text(value) + ", it must be between " + setting.min() + " and " + setting.max());
        }
        if (value instanceof Duration duration
                && (duration.isNegative() || (duration.isZero() && !setting.zeroAllowed()))) {
            throw new InvalidSettingException(key, "must be a positive duration");
        }
        if (value instanceof String text
                && setting.oneOf().length > 0
                && Arrays.stream(setting.oneOf()).noneMatch(allowed -> allowed.equalsIgnoreCase(text))) {
            throw new InvalidSettingException(
                    key, "is '" + text + "', it must be one of " + String.join(", ", setting.oneOf()));
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

    /**
     * The field's name in kebab case ({@code authSecretEnv} is {@code auth-secret-env}), unless the declaration names
     * it.
     */
    private static String keyOf(Field field, Setting setting) {
        return !setting.name().isEmpty()
                ? setting.name()
                : field.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** Keys compare without case and without dashes: {@code retry.initialDelay} is {@code retry.initial-delay}. */
    static String normalised(String key) {
        return key.toLowerCase(Locale.ROOT).replace("-", "");
    }

    static <T> T newInstance(Class<T> type) {
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
