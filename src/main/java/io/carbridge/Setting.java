package io.carbridge;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares one setting, on the field of a settings bean that holds it: what it does, and the values it takes. The
 * field's name is the setting's name in camel case ({@code initialDelay} is {@code initial-delay}), its type the type
 * Camel converts the value to (durations as Camel writes them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h},
 * {@code 7d}, or ISO-8601), and its initial value the default. {@link SettingsBinding} binds the properties onto such a
 * bean with Camel's property binding, checks them against these declarations, and lists them for the documentation. A
 * field whose type declares settings of its own is a group ({@code retry.initial-delay}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface Setting {

    /** What the setting does, one sentence for the settings table. */
    String value();

    /**
     * The setting's name when it is not its field's name in kebab case: a dotted group, such as {@code retry.max-age}.
     */
    String name() default "";

    /** The smallest number allowed. */
    long min() default Long.MIN_VALUE;

    /** The largest number allowed. */
    long max() default Long.MAX_VALUE;

    /** The values allowed, compared without regard to case; empty: any. */
    String[] oneOf() default {};

    /** Whether a duration may be zero (else it must be positive). */
    boolean zeroAllowed() default false;

    /**
     * Whether a route's Camel timer reads the duration too ({@code period={{key}}}): then only Camel's own grammar, no
     * ISO-8601, and more than zero.
     */
    boolean timerPeriod() default false;

    /** How the default reads in the table when the initial value does not say it (e.g. "(all)"); empty: the value. */
    String defaultText() default "";
}
