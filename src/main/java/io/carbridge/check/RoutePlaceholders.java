package io.carbridge.check;

import io.carbridge.Suggestions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * The {@code {{placeholders}}} of the route files that name a setting: Camel resolves each when it creates the route,
 * and one that names no setting stops the start. A route template's own parameters are the template's to fill, not
 * settings.
 */
final class RoutePlaceholders {

    /**
     * A placeholder, as Camel finds them: {@code {{name}}} or {@code {{name:default}}}, functions such as {@code env:}
     * too.
     */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^{}]+)}}");

    private RoutePlaceholders() {}

    /** Each placeholder of the file that the settings cannot fill, with its line and the setting probably meant. */
    static List<Problem> check(RouteFile file, CamelContext camel, Set<String> settingNames) {
        List<Problem> problems = new ArrayList<>();
        file.root().ifPresent(root -> visit(root, Set.of(), file, camel, settingNames, problems));
        return problems;
    }

    private static void visit(
            Node node,
            Set<String> templateParameters,
            RouteFile file,
            CamelContext camel,
            Set<String> settingNames,
            List<Problem> problems) {
        if (node instanceof SequenceNode sequence) {
            sequence.getValue().forEach(item -> visit(item, templateParameters, file, camel, settingNames, problems));
        } else if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                Set<String> parameters = templateParameters;
                if (RouteFile.key(tuple).equals("routeTemplate")
                        && tuple.getValueNode() instanceof MappingNode template) {
                    parameters = parametersOf(template);
                }
                visit(tuple.getValueNode(), parameters, file, camel, settingNames, problems);
            }
        } else if (node instanceof ScalarNode scalar) {
            Matcher matcher = PLACEHOLDER.matcher(scalar.getValue());
            while (matcher.find()) {
                String name = matcher.group(1).strip();
                if (templateParameters.contains(name)) {
                    continue;
                }
                try {
                    camel.resolvePropertyPlaceholders(matcher.group());
                } catch (RuntimeException e) {
                    problems.add(Problem.at(
                            file.name(),
                            RouteFile.line(scalar),
                            matcher.group() + " names no setting"
                                    + Suggestions.didYouMean(Suggestions.nearest(name, settingNames))
                                    + ": Camel would not start the route"));
                }
            }
        }
    }

    /** The names of a route template's parameters. */
    private static Set<String> parametersOf(MappingNode template) {
        Set<String> names = new HashSet<>();
        Optional<Node> parameters = RouteFile.valueOf(template, "parameters");
        if (parameters.isPresent() && parameters.get() instanceof SequenceNode list) {
            for (Node item : list.getValue()) {
                if (item instanceof MappingNode parameter) {
                    RouteFile.valueOf(parameter, "name")
                            .filter(ScalarNode.class::isInstance)
                            .ifPresent(name -> names.add(((ScalarNode) name).getValue()));
                }
            }
        }
        return names;
    }
}
