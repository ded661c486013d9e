package io.carbridge.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import com.networknt.schema.path.NodePath;
import io.carbridge.Suggestions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.dsl.yaml.YamlRoutesBuilderLoader;

/**
 * Camel's YAML DSL schema, {@value #RESOURCE} of the camel-yaml-dsl jar the bridge runs with (read from the class path,
 * so it is always the schema of the Camel version the routes run on), and what it says about a route file, one problem
 * per mistake. A JSON schema validator reports a wrong step through every alternative the schema allows there ("not a
 * string, not a mapping, no known key..."); the problems here keep, for each place, the most telling of those.
 */
final class RouteSchema {

    /** Where camel-yaml-dsl keeps its schema; the same file editors use through the route files' first line. */
    static final String RESOURCE = "schema/camelYamlDsl.json";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final JsonNode tree;
    private final Schema schema;

    private RouteSchema(JsonNode tree, Schema schema) {
        this.tree = tree;
        this.schema = schema;
    }

    /** The schema of the camel-yaml-dsl on the class path. Reading it takes a second or two: keep the instance. */
    static RouteSchema load() {
        try (InputStream in = YamlRoutesBuilderLoader.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path: camel-yaml-dsl is missing");
            }
            JsonNode tree = MAPPER.readTree(in);
            // every scalar reaches the validator as text (RouteFile.toJson); loose types let "true" be a boolean and
            // "30" a number where the schema wants one, as Camel converts them
            // draft 4, as the schema says; its "deprecated" marks options, it asserts nothing
            Dialect dialect = Dialect.builder(Dialects.getDraft4())
                    .keyword(new NonValidationKeyword("deprecated"))
                    .build();
            SchemaRegistry registry = SchemaRegistry.withDefaultDialect(
                    dialect,
                    builder -> builder.schemaRegistryConfig(
                            SchemaRegistryConfig.builder().typeLoose(true).build()));
            return new RouteSchema(tree, registry.getSchema(tree));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + RESOURCE, e);
        }
    }

    /** The schema's mistakes in the file, at most one kind of problem per place, each with its line. */
    List<Problem> check(RouteFile file) {
        if (file.root().isEmpty()) {
            return List.of();
        }
        Map<List<Object>, List<Error>> byPlace = new LinkedHashMap<>();
        for (Error error : schema.validate(file.toJson())) {
            byPlace.computeIfAbsent(elements(error.getInstanceLocation()), place -> new ArrayList<>())
                    .add(error);
        }
        List<Problem> problems = new ArrayList<>();
        byPlace.forEach((place, errors) -> {
            int rank = errors.stream().mapToInt(RouteSchema::rank).min().orElseThrow();
            // a place where only the alternatives failed, with a more precise mistake deeper inside: the deeper one
            // says it
            if (rank >= ALTERNATIVE
                    && byPlace.keySet().stream()
                            .anyMatch(other -> other.size() > place.size()
                                    && other.subList(0, place.size()).equals(place))) {
                return;
            }
            // a step with its options beside it instead of under it: one line that says so, not one per option
            Error crowded = errors.stream()
                    .filter(error -> "maxProperties".equals(error.getKeyword()) && isStep(place))
                    .findFirst()
                    .orElse(null);
            List<Error> best = crowded != null
                    ? List.of(crowded)
                    : errors.stream().filter(error -> rank(error) == rank).toList();
            problems.addAll(describe(file, place, crowded != null ? OTHER : rank, best));
        });
        return problems;
    }

    // how telling an error is, most first
    private static final int UNKNOWN_KEY = 0;
    private static final int MISSING = 1;
    private static final int OTHER = 2;
    private static final int ALTERNATIVE = 3;
    private static final int TYPE = 4;
    private static final int SUMMARY = 5;

    private static int rank(Error error) {
        String keyword = error.getKeyword();
        String location = String.valueOf(error.getSchemaLocation());
        boolean inAlternative = location.contains("/oneOf/") || location.contains("/anyOf/");
        return switch (keyword) {
            case "additionalProperties" -> UNKNOWN_KEY;
            case "required" -> inAlternative ? ALTERNATIVE : MISSING;
            case "type" -> TYPE;
            case "oneOf", "anyOf", "not" -> SUMMARY;
            default -> OTHER;
        };
    }

    private List<Problem> describe(RouteFile file, List<Object> place, int rank, List<Error> errors) {
        String what = nameOf(place);
        List<Problem> problems = new ArrayList<>();
        switch (rank) {
            case UNKNOWN_KEY -> {
                for (Error error : errors) {
                    String key = error.getProperty();
                    Set<String> allowed = allowedKeys(error);
                    String suggestion = Suggestions.didYouMean(Suggestions.nearest(key, allowed));
                    String message;
                    if (place.size() == 1) {
                        message = "'" + key + "' is not something a route file can hold" + suggestion;
                    } else if (isStep(place)) {
                        message = "unknown step '" + key + "'" + suggestion;
                    } else {
                        message = "'" + key + "' is not an option of " + what + suggestion;
                    }
                    problems.add(Problem.at(file.name(), file.lineOfKey(place, key), message));
                }
            }
            case MISSING ->
                errors.forEach(error -> problems.add(Problem.at(
                        file.name(), lineOfElement(file, place), what + " needs '" + error.getProperty() + "'")));
            case ALTERNATIVE -> {
                Set<String> options = new LinkedHashSet<>();
                errors.forEach(error -> options.add(error.getProperty()));
                problems.add(Problem.at(
                        file.name(), lineOfElement(file, place), what + " needs one of " + shortList(options)));
            }
            case TYPE -> {
                Set<String> expected = new LinkedHashSet<>();
                String found = "";
                for (Error error : errors) {
                    Object[] arguments = error.getArguments();
                    found = arguments.length > 0 ? String.valueOf(arguments[0]) : found;
                    if (arguments.length > 1) {
                        expected.add(typeName(String.valueOf(arguments[1])));
                    }
                }
                problems.add(Problem.at(
                        file.name(),
                        lineOfElement(file, place),
                        what + " is " + typeName(found) + ", but must be " + String.join(" or ", expected)));
            }
            default -> {
                Error error = errors.get(0);
                if ("maxProperties".equals(error.getKeyword()) && isStep(place)) {
                    List<String> keys = new ArrayList<>();
                    error.getInstanceNode().fieldNames().forEachRemaining(keys::add);
                    problems.add(Problem.at(
                            file.name(),
                            lineOfElement(file, place),
                            "one step holds " + String.join(", ", keys)
                                    + ": a step is one key, with its options indented under it"));
                } else {
                    problems.add(Problem.at(file.name(), lineOfElement(file, place), what + " " + error.getMessage()));
                }
            }
        }
        return problems;
    }

    /**
     * The keys the schema allows where an unknown one was found: the properties beside the failing
     * additionalProperties.
     */
    private Set<String> allowedKeys(Error error) {
        String location = String.valueOf(error.getSchemaLocation());
        int fragment = location.indexOf('#');
        String pointer = fragment < 0 ? "" : location.substring(fragment + 1);
        if (pointer.endsWith("/additionalProperties")) {
            pointer = pointer.substring(0, pointer.length() - "/additionalProperties".length());
        }
        Set<String> keys = new LinkedHashSet<>();
        Iterator<String> names = tree.at(pointer).path("properties").fieldNames();
        names.forEachRemaining(keys::add);
        return keys;
    }

    private static List<Object> elements(NodePath path) {
        List<Object> elements = new ArrayList<>();
        for (int i = 0; i < path.getNameCount(); i++) {
            elements.add(path.getElement(i));
        }
        return elements;
    }

    /** A step of a route: an item of a {@code steps} list. */
    private static boolean isStep(List<Object> place) {
        return place.size() >= 2
                && place.get(place.size() - 1) instanceof Number
                && "steps".equals(place.get(place.size() - 2));
    }

    /** What the place is called in a route file: its key, or for an item of a list, the list's key. */
    private static String nameOf(List<Object> place) {
        for (int i = place.size() - 1; i >= 0; i--) {
            if (place.get(i) instanceof String key) {
                return isStep(place) ? "a step" : key;
            }
        }
        return "the file";
    }

    /** The line of the key that opens the place (for {@code to: {...}}, the line of {@code to:}). */
    private static int lineOfElement(RouteFile file, List<Object> place) {
        if (!place.isEmpty() && place.get(place.size() - 1) instanceof String key) {
            return file.lineOfKey(place.subList(0, place.size() - 1), key);
        }
        return file.lineAt(place);
    }

    private static String typeName(String jsonType) {
        return switch (jsonType) {
            case "object" -> "a mapping";
            case "array" -> "a list";
            case "null" -> "empty";
            case "string" -> "text";
            default -> "a " + jsonType;
        };
    }

    private static String shortList(Set<String> names) {
        List<String> list = new ArrayList<>(names);
        return list.size() <= 6
                ? String.join(", ", list)
                : String.join(", ", list.subList(0, 6)) + ", ... (" + list.size() + " in all)";
    }
}
