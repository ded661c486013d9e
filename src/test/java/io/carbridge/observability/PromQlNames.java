package io.carbridge.observability;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names and label names a PromQL expression uses, read pragmatically rather than parsed in full: enough to
 * check that a dashboard or an alert rule names only series the bridge exposes. It does not validate PromQL: promtool
 * does that for the rules ({@code .ci/run}).
 *
 * <p>Covered: a metric name standing alone or before its selector ({@code name{...}}); the label names of matchers
 * ({@code {name="v"}}, {@code =~}, {@code !=}, {@code !~}); the label lists of {@code by}, {@code without}, {@code on},
 * {@code ignoring}, {@code group_left} and {@code group_right}; Grafana's variable query {@code label_values(selector,
 * label)}. Skipped: string literals, numbers and durations, what is inside {@code [...]} (ranges and subqueries),
 * Grafana variables ({@code $name}, {@code ${name}}), aggregation operators and keywords, and function names (an
 * identifier directly followed by {@code (}); a function PromQL does not have is reported, so a typo there is not taken
 * for a metric. Not covered: a metric named as {@code {__name__="..."}} and label names given as strings to functions
 * ({@code label_replace}); the dashboard and the rules use neither.
 */
final class PromQlNames {

    /** What an expression names. */
    record Names(Set<String> metrics, Set<String> labels, Set<String> unknownFunctions) {

        Names() {
            this(new LinkedHashSet<>(), new LinkedHashSet<>(), new LinkedHashSet<>());
        }

        void addAll(Names other) {
            metrics.addAll(other.metrics);
            labels.addAll(other.labels);
            unknownFunctions.addAll(other.unknownFunctions);
        }
    }

    /** PromQL's functions (Prometheus 2.x and 3.x); {@code start} and {@code end} are the {@code @} modifier's. */
    private static final Set<String> FUNCTIONS = Set.of(
            "abs",
            "absent",
            "absent_over_time",
            "acos",
            "acosh",
            "asin",
            "asinh",
            "atan",
            "atanh",
            "avg_over_time",
            "ceil",
            "changes",
            "clamp",
            "clamp_max",
            "clamp_min",
            "cos",
            "cosh",
            "count_over_time",
            "day_of_month",
            "day_of_week",
            "day_of_year",
            "days_in_month",
            "deg",
            "delta",
            "deriv",
            "double_exponential_smoothing",
            "exp",
            "floor",
            "histogram_avg",
            "histogram_count",
            "histogram_fraction",
            "histogram_quantile",
            "histogram_stddev",
            "histogram_stdvar",
            "histogram_sum",
            "holt_winters",
            "hour",
            "idelta",
            "increase",
            "info",
            "irate",
            "label_join",
            "label_replace",
            "last_over_time",
            "ln",
            "log10",
            "log2",
            "mad_over_time",
            "max_over_time",
            "min_over_time",
            "minute",
            "month",
            "pi",
            "predict_linear",
            "present_over_time",
            "quantile_over_time",
            "rad",
            "rate",
            "resets",
            "round",
            "scalar",
            "sgn",
            "sin",
            "sinh",
            "sort",
            "sort_by_label",
            "sort_by_label_desc",
            "sort_desc",
            "sqrt",
            "stddev_over_time",
            "stdvar_over_time",
            "sum_over_time",
            "tan",
            "tanh",
            "time",
            "timestamp",
            "vector",
            "year",
            "start",
            "end");
    /** Aggregation operators: followed by {@code (} or by {@code by}/{@code without}. */
    private static final Set<String> AGGREGATIONS = Set.of(
            "sum",
            "min",
            "max",
            "avg",
            "group",
            "stddev",
            "stdvar",
            "count",
            "count_values",
            "bottomk",
            "topk",
            "quantile",
            "limitk",
            "limit_ratio");
    /** Keywords followed by a list of label names in parentheses (for group_left/right the list is optional). */
    private static final Set<String> LABEL_LISTS =
            Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
    /** Other words that are neither metrics nor labels. */
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "atan2", "inf", "nan");

    private static final Set<String> MATCHERS = Set.of("=", "!=", "=~", "!~");
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\s*\\((.*)\\)\\s*$", Pattern.DOTALL);

    private PromQlNames() {}

    /** The names a PromQL expression uses. */
    static Names of(String expression) {
        List<String> tokens = tokens(expression);
        Names names = new Names();
        boolean inSelector = false;
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            String next = i + 1 < tokens.size() ? tokens.get(i + 1) : "";
            if (token.equals("{")) {
                inSelector = true;
            } else if (token.equals("}")) {
                inSelector = false;
            } else if (!isIdentifier(token)) {
                continue;
            } else if (inSelector) {
                if (MATCHERS.contains(next)) {
                    names.labels().add(token);
                }
            } else if (LABEL_LISTS.contains(token.toLowerCase(Locale.ROOT))) {
                if (next.equals("(")) {
                    for (i += 2; i < tokens.size() && !tokens.get(i).equals(")"); i++) {
                        if (isIdentifier(tokens.get(i))) {
                            names.labels().add(tokens.get(i));
                        }
                    }
                }
            } else if (next.equals("(")) {
                String word = token.toLowerCase(Locale.ROOT);
                if (!FUNCTIONS.contains(word) && !AGGREGATIONS.contains(word)) {
                    names.unknownFunctions().add(token);
                }
            } else if (!AGGREGATIONS.contains(token.toLowerCase(Locale.ROOT))
                    && !KEYWORDS.contains(token.toLowerCase(Locale.ROOT))) {
                names.metrics().add(token);
            }
        }
        return names;
    }

    /**
     * The names of a Grafana variable query on Prometheus: {@code label_values(selector, label)} or
     * {@code label_values(label)}. Any other kind of variable query is refused rather than passed unchecked.
     */
    static Names ofVariableQuery(String query) {
        Matcher labelValues = LABEL_VALUES.matcher(query);
        if (!labelValues.matches()) {
            throw new IllegalArgumentException("not a label_values(...) query: " + query);
        }
        String arguments = labelValues.group(1);
        int comma = arguments.lastIndexOf(',');
        Names names = comma < 0 ? new Names() : of(arguments.substring(0, comma));
        names.labels().add(arguments.substring(comma + 1).trim());
        return names;
    }

    /** The expression's tokens, less strings, numbers, durations, ranges and Grafana variables. */
    private static List<String> tokens(String expression) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        int length = expression.length();
        while (i < length) {
            char c = expression.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#') {
                // a comment, to the end of the line
                while (i < length && expression.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '"' || c == '\'' || c == '`') {
                i = skipString(expression, i);
                tokens.add("\"\"");
            } else if (c == '[') {
                // a range or subquery ([5m], [$__rate_interval], [1h:5m]): durations and variables only
                int depth = 0;
                do {
                    depth += expression.charAt(i) == '[' ? 1 : expression.charAt(i) == ']' ? -1 : 0;
                    i++;
                } while (i < length && depth > 0);
            } else if (c == '$') {
                // a Grafana variable: $name, ${name}, ${name:format}
                i++;
                if (i < length && expression.charAt(i) == '{') {
                    i = expression.indexOf('}', i) + 1;
                    if (i == 0) {
                        throw new IllegalArgumentException("unclosed ${ in " + expression);
                    }
                } else {
                    while (i < length && isIdentifierPart(expression.charAt(i))) {
                        i++;
                    }
                }
            } else if (Character.isDigit(c)
                    || (c == '.' && i + 1 < length && Character.isDigit(expression.charAt(i + 1)))) {
                // a number or a duration: 0.99, 1e3, 0x1f, 5m, 1h30m
                while (i < length && (Character.isLetterOrDigit(expression.charAt(i)) || expression.charAt(i) == '.')) {
                    i++;
                }
            } else if (isIdentifierStart(c)) {
                int start = i;
                while (i < length && isIdentifierPart(expression.charAt(i))) {
                    i++;
                }
                tokens.add(expression.substring(start, i));
            } else if (i + 1 < length
                    && Set.of("=~", "!~", "!=", "==", ">=", "<=").contains(expression.substring(i, i + 2))) {
                tokens.add(expression.substring(i, i + 2));
                i += 2;
            } else {
                tokens.add(String.valueOf(c));
                i++;
            }
        }
        return tokens;
    }

    private static int skipString(String expression, int start) {
        char quote = expression.charAt(start);
        int i = start + 1;
        while (i < expression.length() && expression.charAt(i) != quote) {
            i += expression.charAt(i) == '\\' && quote != '`' ? 2 : 1;
        }
        if (i >= expression.length()) {
            throw new IllegalArgumentException("unclosed string in " + expression);
        }
        return i + 1;
    }

    private static boolean isIdentifier(String token) {
        return isIdentifierStart(token.charAt(0));
    }

    private static boolean isIdentifierStart(char c) {
        return Character.isLetter(c) || c == '_' || c == ':';
    }

    private static boolean isIdentifierPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == ':';
    }
}
