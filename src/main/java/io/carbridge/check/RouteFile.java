package io.carbridge.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * One route file, parsed the way Camel's YAML DSL parses it (snakeyaml-engine, its default settings), with the line of
 * every node kept, so that each problem found in it names its line.
 */
public final class RouteFile {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final String name;
    private final Node root;
    private final List<Problem> syntaxProblems;

    private RouteFile(String name, Node root, List<Problem> syntaxProblems) {
        this.name = name;
        this.root = root;
        this.syntaxProblems = syntaxProblems;
    }

    /** Reads a route file; {@code name} is how problems name it (its path from the working directory). */
    public static RouteFile read(Path file, String name) throws IOException {
        return parse(name, Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Parses the text of a route file. A file that is not YAML gives a file with its one syntax problem. */
    public static RouteFile parse(String name, String text) {
        try (Reader reader = new StringReader(text)) {
            Node root = new Compose(LoadSettings.builder().setLabel(name).build())
                    .composeReader(reader)
                    .orElse(null);
            RouteFile file = new RouteFile(name, root, new ArrayList<>());
            if (root != null) {
                file.findDuplicateKeys(root);
            }
            return file;
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark()
                    .or(e::getContextMark)
                    .map(mark -> mark.getLine() + 1)
                    .orElse(1);
            return new RouteFile(name, null, List.of(Problem.at(name, line, "not valid YAML: " + e.getProblem())));
        } catch (YamlEngineException | IOException e) {
            return new RouteFile(name, null, List.of(Problem.at(name, 1, "not valid YAML: " + e.getMessage())));
        }
    }

    public String name() {
        return name;
    }

    /** The document's root node; empty for an empty file or one that is not YAML. */
    Optional<Node> root() {
        return Optional.ofNullable(root);
    }

    /** What stops the file from being read as a route file at all: YAML syntax, a key given twice in one mapping. */
    List<Problem> syntaxProblems() {
        return syntaxProblems;
    }

    /**
     * The document as JSON, for the schema. Every scalar is text, as Camel reads it before converting it to the
     * option's type ({@code constant: true} is the expression "true"); only a missing value is null.
     */
    JsonNode toJson() {
        return root == null ? JSON.nullNode() : toJson(root);
    }

    private static JsonNode toJson(Node node) {
        if (node instanceof MappingNode mapping) {
            ObjectNode object = JSON.objectNode();
            for (NodeTuple tuple : mapping.getValue()) {
                object.set(key(tuple), toJson(tuple.getValueNode()));
            }
            return object;
        }
        if (node instanceof SequenceNode sequence) {
            ArrayNode array = JSON.arrayNode();
            sequence.getValue().forEach(item -> array.add(toJson(item)));
            return array;
        }
        ScalarNode scalar = (ScalarNode) node;
        return scalar.getTag().equals(Tag.NULL) ? JSON.nullNode() : JSON.textNode(scalar.getValue());
    }

    /** The node at a path of keys (text) and indexes (numbers) from the root; empty when there is none. */
    Optional<Node> nodeAt(List<?> path) {
        Node node = root;
        for (Object element : path) {
            if (node instanceof MappingNode mapping) {
                node = valueOf(mapping, String.valueOf(element)).orElse(null);
            } else if (node instanceof SequenceNode sequence
                    && element instanceof Number index
                    && index.intValue() < sequence.getValue().size()) {
                node = sequence.getValue().get(index.intValue());
            } else {
                node = null;
            }
            if (node == null) {
                return Optional.empty();
            }
        }
        return Optional.ofNullable(node);
    }

    /**
     * The line of the key {@code key} in the mapping at {@code path}, or of the mapping itself when it has no such key.
     */
    int lineOfKey(List<?> path, String key) {
        Optional<Node> node = nodeAt(path);
        if (node.isPresent() && node.get() instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (key(tuple).equals(key)) {
                    return line(tuple.getKeyNode());
                }
            }
        }
        return lineAt(path);
    }

    /** The line of the node at {@code path}, or of the nearest node above it that exists. */
    int lineAt(List<?> path) {
        for (int length = path.size(); length >= 0; length--) {
            Optional<Node> node = nodeAt(path.subList(0, length));
            if (node.isPresent()) {
                return line(node.get());
            }
        }
        return 1;
    }

    /** The line a node starts on, counted from 1. */
    static int line(Node node) {
        return node.getStartMark().map(Mark::getLine).orElse(0) + 1;
    }

    static String key(NodeTuple tuple) {
        return tuple.getKeyNode() instanceof ScalarNode scalar ? scalar.getValue() : String.valueOf(tuple.getKeyNode());
    }

    static Optional<Node> valueOf(MappingNode mapping, String key) {
        Node found = null;
        for (NodeTuple tuple : mapping.getValue()) {
            if (key(tuple).equals(key)) {
                found = tuple.getValueNode(); // the last one, as Camel reads it
            }
        }
        return Optional.ofNullable(found);
    }

    /** A key twice in one mapping: Camel silently takes the last one, which is rarely what the author meant. */
    private void findDuplicateKeys(Node node) {
        if (node instanceof MappingNode mapping) {
            Set<String> seen = new HashSet<>();
            for (NodeTuple tuple : mapping.getValue()) {
                String key = key(tuple);
                if (!seen.add(key)) {
                    syntaxProblems.add(Problem.at(
                            name,
                            line(tuple.getKeyNode()),
                            "'" + key + "' is given twice in the same place; " + "Camel would use the last one only"));
                }
                findDuplicateKeys(tuple.getValueNode());
            }
        } else if (node instanceof SequenceNode sequence) {
            sequence.getValue().forEach(this::findDuplicateKeys);
        }
    }
}
