package io.carbridge.check;

import io.carbridge.EndpointCatalog;
import io.carbridge.EndpointCatalog.Mistake;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The checks of route files: each against Camel's YAML DSL schema (an unknown step, an option an EIP does not have, a
 * required one missing), and each endpoint in them against the Camel catalog (an unknown component, an option the
 * component does not have, a value of the wrong kind, a {@code to} without a URI). Every problem names the file and the
 * line.
 *
 * <p>What it cannot know from the files alone: the value of a {@code {{placeholder}}} (a setting or a route template's
 * parameter) or of a {@code ${...}} expression; a URI that is one as a whole ({@code uri: "{{url}}"}) is not checked
 * here. {@link CheckCommand} checks the destinations' template once more with each destination's values.
 */
public final class RouteFilesCheck {

    private static final String NO_URI = " has no endpoint URI";

    private final RouteSchema schema;
    private final EndpointCatalog catalog;

    private RouteFilesCheck(RouteSchema schema, EndpointCatalog catalog) {
        this.schema = schema;
        this.catalog = catalog;
    }

    /** Reads the schema and the catalog: a second or two. */
    public static RouteFilesCheck create() {
        return new RouteFilesCheck(RouteSchema.load(), new EndpointCatalog());
    }

    /** The {@code *.camel.yaml} files of a directory, by name. */
    public static List<Path> routeFiles(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".camel.yaml"))
                    .sorted()
                    .toList();
        }
    }

    /** The problems of each file, in file and line order; each file is named by its path as given. */
    public List<Problem> check(List<Path> files) throws IOException {
        List<Problem> problems = new ArrayList<>();
        for (Path file : files) {
            problems.addAll(check(RouteFile.read(file, file.toString())));
        }
        return problems;
    }

    /** The problems of one file, by line. */
    public List<Problem> check(RouteFile file) {
        List<Problem> problems = new ArrayList<>(file.syntaxProblems());
        if (file.root().isEmpty()) {
            return problems;
        }
        List<Problem> endpointProblems = new ArrayList<>();
        for (RouteEndpoints.Use use : RouteEndpoints.of(file)) {
            endpointProblems.addAll(check(file.name(), use, use.uri(), use.fullUri()));
        }
        // a step without a URI is one mistake: the schema's view of it (a missing uri, an empty value) adds nothing
        Set<String> withoutUri = new HashSet<>();
        endpointProblems.stream()
                .filter(problem -> problem.message().endsWith(NO_URI))
                .forEach(problem -> withoutUri.add(problem.where()));
        schema.check(file).stream()
                .filter(problem -> !withoutUri.contains(problem.where()))
                .forEach(problems::add);
        problems.addAll(endpointProblems);
        problems.sort(Comparator.comparingInt(RouteFilesCheck::lineOf));
        return problems;
    }

    /** The endpoints of the file that are in the route template {@code templateId}. */
    static List<RouteEndpoints.Use> templateEndpoints(RouteFile file, String templateId) {
        return RouteEndpoints.of(file).stream()
                .filter(use -> templateId.equals(use.template()))
                .toList();
    }

    /**
     * Checks one endpoint: {@code fullUri} is its URI with its parameters (for a template's endpoint, with a
     * destination's values in it), {@code shownUri} how a problem shows it.
     */
    List<Problem> check(String fileName, RouteEndpoints.Use use, String shownUri, String fullUri) {
        List<Problem> problems = new ArrayList<>();
        for (Mistake mistake : mistakes(use, fullUri)) {
            problems.add(Problem.at(
                    fileName,
                    use.lineOf(mistake.option()),
                    mistake.option() == null && mistake.message().equals(NO_URI.strip())
                            ? use.kind() + NO_URI
                            : use.kind() + " " + abbreviate(shownUri) + ": " + mistake.message()));
        }
        return problems;
    }

    /** The mistakes of one endpoint, {@code fullUri} being its URI with its parameters. */
    List<Mistake> mistakes(RouteEndpoints.Use use, String fullUri) {
        if (use.uri() == null || use.uri().isBlank()) {
            return List.of(new Mistake(null, NO_URI.strip()));
        }
        return catalog.check(fullUri, use.role());
    }

    static String abbreviate(String uri) {
        String oneLine = uri.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 77) + "...";
    }

    private static int lineOf(Problem problem) {
        String where = problem.where();
        try {
            return Integer.parseInt(where.substring(where.lastIndexOf(':') + 1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
