package io.carbridge.check;

import io.carbridge.EndpointCatalog;
import io.carbridge.EndpointCatalog.Role;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Every place a route file names an endpoint: {@code from}, {@code to}, {@code toD} (its static part), {@code wireTap},
 * {@code poll}, {@code enrich} and {@code pollEnrich} (with a {@code constant} or {@code simple} URI), a dead letter
 * channel's {@code deadLetterUri}, and the {@code to} of a REST verb; in routes and in route templates alike.
 */
final class RouteEndpoints {

    /**
     * One endpoint of a route file.
     *
     * @param kind the step that names it: from, to, toD, ...
     * @param uri as written, or null when the step has none
     * @param line the line of its URI (of the step, when it has none)
     * @param parameters its {@code parameters:} map, as written
     * @param parameterLines the line of each of those
     * @param template the id of the route template it is in, or null
     */
    record Use(
            String kind,
            Role role,
            String uri,
            int line,
            Map<String, String> parameters,
            Map<String, Integer> parameterLines,
            String template) {

        /** The URI with its parameters, as Camel makes it. */
        String fullUri() {
            return EndpointCatalog.withParameters(uri, parameters);
        }

        /** The line of an option: its entry in {@code parameters:}, or the URI that holds it. */
        int lineOf(String option) {
            return option == null ? line : parameterLines.getOrDefault(option, line);
        }
    }

    private static final Set<String> SENT_TO = Set.of("to", "toD", "wireTap");
    private static final Set<String> EXPRESSIONS = Set.of("enrich", "pollEnrich");

    private final List<Use> uses = new ArrayList<>();

    private RouteEndpoints() {}

    static List<Use> of(RouteFile file) {
        RouteEndpoints endpoints = new RouteEndpoints();
        file.root().ifPresent(root -> endpoints.visit(root, null));
        return endpoints.uses;
    }

    private void visit(Node node, String template) {
        if (node instanceof SequenceNode sequence) {
            sequence.getValue().forEach(item -> visit(item, template));
            return;
        }
        if (!(node instanceof MappingNode mapping)) {
            return;
        }
        for (NodeTuple tuple : mapping.getValue()) {
            String key = RouteFile.key(tuple);
            Node value = tuple.getValueNode();
            int line = RouteFile.line(tuple.getKeyNode());
            if (key.equals("from")) {
                add("from", Role.CONSUMER, value, line, template);
                if (value instanceof MappingNode from) {
                    RouteFile.valueOf(from, "steps").ifPresent(steps -> visit(steps, template));
                }
            } else if (SENT_TO.contains(key)) {
                add(key, Role.PRODUCER, value, line, template);
            } else if (key.equals("poll")) {
                add(key, Role.CONSUMER, value, line, template);
            } else if (EXPRESSIONS.contains(key)) {
                staticUri(value)
                        .ifPresent(uri ->
                                add(key, key.equals("enrich") ? Role.PRODUCER : Role.CONSUMER, uri, line, template));
            } else if (key.equals("deadLetterUri")) {
                add(key, Role.PRODUCER, value, line, template);
            } else if (key.equals("routeTemplate") && value instanceof MappingNode routeTemplate) {
                String id = RouteFile.valueOf(routeTemplate, "id")
                        .map(RouteEndpoints::text)
                        .orElse("");
                visit(value, id);
            } else if (!key.equals("parameters") && !key.equals("beans")) {
                // parameters: an endpoint's options, or a template's; beans: their properties; neither names an
                // endpoint
                visit(value, template);
            }
        }
    }

    /** The endpoint of an {@code enrich} or {@code pollEnrich}: its constant, or its simple expression's text. */
    private static Optional<Node> staticUri(Node value) {
        if (!(value instanceof MappingNode mapping)) {
            return Optional.empty();
        }
        Optional<Node> expression = RouteFile.valueOf(mapping, "expression").filter(MappingNode.class::isInstance);
        MappingNode holder = (MappingNode) expression.orElse(mapping);
        for (String language : new String[] {"constant", "simple"}) {
            Optional<Node> node = RouteFile.valueOf(holder, language);
            if (node.isPresent()) {
                Node found = node.get();
                if (found instanceof MappingNode withOptions) {
                    return RouteFile.valueOf(withOptions, "expression");
                }
                return Optional.of(found);
            }
        }
        return Optional.empty();
    }

    private void add(String kind, Role role, Node value, int keyLine, String template) {
        String uri = null;
        int line = keyLine;
        Map<String, String> parameters = new LinkedHashMap<>();
        Map<String, Integer> parameterLines = new LinkedHashMap<>();
        if (value instanceof ScalarNode scalar && !scalar.getTag().equals(Tag.NULL)) {
            uri = scalar.getValue();
            line = RouteFile.line(scalar);
        } else if (value instanceof MappingNode mapping) {
            Optional<Node> uriNode = RouteFile.valueOf(mapping, "uri");
            if (uriNode.isPresent()
                    && uriNode.get() instanceof ScalarNode scalar
                    && !scalar.getTag().equals(Tag.NULL)) {
                uri = scalar.getValue();
                line = RouteFile.line(scalar);
            }
            Optional<Node> options = RouteFile.valueOf(mapping, "parameters");
            if (options.isPresent() && options.get() instanceof MappingNode map) {
                for (NodeTuple option : map.getValue()) {
                    parameters.put(RouteFile.key(option), text(option.getValueNode()));
                    parameterLines.put(RouteFile.key(option), RouteFile.line(option.getKeyNode()));
                }
            }
        }
        uses.add(new Use(kind, role, uri, line, parameters, parameterLines, template));
    }

    private static String text(Node node) {
        return node instanceof ScalarNode scalar ? scalar.getValue() : "";
    }
}
