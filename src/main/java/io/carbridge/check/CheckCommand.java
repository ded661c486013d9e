package io.carbridge.check;

import io.carbridge.BridgeApplication;
import io.carbridge.BridgeMain;
import io.carbridge.StartupFailure;
import io.carbridge.Suggestions;
import io.carbridge.TeamFiles;
import io.carbridge.intake.Intake;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyBindingException;
import org.apache.camel.catalog.DefaultCamelCatalog;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainConstants;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.tooling.model.MainModel;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;

/**
 * {@code java -jar smartcar-bridge.jar --check}: what a team's CI runs before a deploy, from the directory the service
 * runs in and with the same options ({@value TeamFiles#ROUTES_DIR} and {@value TeamFiles#SETTINGS} for a team's own
 * files). camel-main reads {@code application.properties} (and {@code -D} settings, the environment) and loads the
 * route files exactly as the service does ({@link BridgeMain}), and is left there: configured, never started, so no
 * HTTP server listens and no route runs; {@link io.carbridge.BridgeConfiguration}, which opens the database, is not
 * used. Then every route file is checked ({@link RouteFilesCheck}) with the placeholders in it
 * ({@link RoutePlaceholders}), every setting the service reads at start ({@link StartupSettings}), every destination
 * ({@link DestinationsCheck}), and that the intake route is there.
 *
 * <p>Prints each problem on a line of its own to standard output and exits 1, or exits 0; a one-line summary goes to
 * standard error.
 */
public final class CheckCommand {

    /** The command-line option that runs the checks instead of the service. */
    public static final String OPTION = "--check";

    private CheckCommand() {}

    public static boolean isRequested(String[] args) {
        return Arrays.asList(args).contains(OPTION);
    }

    /**
     * Runs every check from the working directory, with the team's files the arguments name ({@link TeamFiles}); the
     * exit code: 0 without problems, 1 with.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        // the problems are the output: Camel's start-up lines and warnings would bury them
        Configurator.setAllLevels(LogManager.ROOT_LOGGER_NAME, Level.OFF);
        Report report;
        try {
            report = check(args);
        } catch (RuntimeException e) {
            // a fault of the check itself, not of the configuration: one line, and the trace for whoever fixes it
            out.println("check: could not finish: " + e);
            e.printStackTrace(err);
            return 1;
        }
        report.problems().forEach(out::println);
        out.flush();
        err.println(
                report.problems().isEmpty()
                        ? "--check: no problems in " + report.routeFiles() + " route files and the settings"
                        : "--check: " + report.problems().size() + " problem(s)");
        return report.problems().isEmpty() ? 0 : 1;
    }

    /** What a run found, and how many route files it read. */
    record Report(List<Problem> problems, int routeFiles) {}

    /** Every check, from the working directory, with the team's files the arguments name. */
    static Report check(String[] args) {
        List<String> arguments = new ArrayList<>(Arrays.asList(args));
        TeamFiles team;
        try {
            team = TeamFiles.take(arguments);
        } catch (StartupFailure e) {
            return new Report(List.of(new Problem("options", e.getMessage())), 0);
        }
        return check(team);
    }

    /** Every check, from the working directory, of the bridge's own files. */
    static Report check() {
        return check(TeamFiles.NONE);
    }

    /** Every check, from the working directory, of the bridge's files and the team's. */
    static Report check(TeamFiles team) {
        List<Problem> problems = new ArrayList<>();
        try {
            team.requireFiles();
        } catch (StartupFailure e) {
            problems.add(new Problem(
                    team.routesDirectory() != null && !Files.isDirectory(team.routesDirectory())
                            ? TeamFiles.ROUTES_DIR
                            : TeamFiles.SETTINGS,
                    e.getMessage()));
            return new Report(problems, 0);
        }
        Path properties = Path.of(BridgeApplication.PROPERTIES_LOCATION.substring("file:".length()));
        boolean locationChosen = System.getProperty(MainConstants.PROPERTY_PLACEHOLDER_LOCATION) != null
                || System.getenv("CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION") != null;
        if (!locationChosen && !Files.isRegularFile(properties)) {
            problems.add(
                    new Problem(
                            properties.toString(),
                            "is not in the working directory " + Path.of("").toAbsolutePath()
                                    + ": run the check from the directory that holds application.properties and routes/ (the repository root)"));
            return new Report(problems, 0);
        }
        Main main = new BridgeMain(team);
        Exception failure = null;
        try {
            // camel-main configured as for the service (properties, camel.* settings, route files), not started
            main.init();
        } catch (Exception e) {
            failure = e;
        }
        try {
            CamelContext camel = main.getCamelContext();
            if (camel == null) {
                problems.add(problemOf(failure));
                return new Report(problems, 0);
            }
            RouteFilesCheck routeCheck = RouteFilesCheck.create();
            List<RouteFile> files = routeFiles(camel, main.configure().getRoutesIncludePattern());
            Set<String> settingNames =
                    camel.getPropertiesComponent().loadProperties().stringPropertyNames();
            for (RouteFile file : files) {
                problems.addAll(routeCheck.check(file));
                problems.addAll(RoutePlaceholders.check(file, camel, settingNames));
            }
            // a route file Camel could not load is one the checks above explain, with its line
            if (failure != null && (problems.isEmpty() || !isRouteFileFailure(failure))) {
                problems.add(problemOf(failure));
            }
            Optional<Set<String>> consumed = failure == null ? Optional.of(consumedUris(camel)) : Optional.empty();
            problems.addAll(StartupSettings.check(camel));
            problems.addAll(new DestinationsCheck(camel, files, routeCheck).check(consumed));
            if (failure == null) {
                StartupSettings.run(() -> Intake.requireIntakeRoute(camel), List.of())
                        .ifPresent(problems::add);
            }
            return new Report(problems, files.size());
        } finally {
            try {
                main.shutdown();
            } catch (RuntimeException e) {
                // nothing was started; nothing to report
            }
        }
    }

    /** The YAML route files of {@code camel.main.routes-include-pattern}, found as camel-main finds them. */
    private static List<RouteFile> routeFiles(CamelContext camel, String patterns) {
        List<RouteFile> files = new ArrayList<>();
        if (patterns == null) {
            return files;
        }
        for (String pattern : patterns.split(",")) {
            Collection<Resource> resources;
            try {
                resources = PluginHelper.getPackageScanResourceResolver(camel).findResources(pattern.strip());
            } catch (Exception e) {
                continue; // camel-main reported it already, as the failure of init
            }
            for (Resource resource : resources.stream()
                    .sorted(Comparator.comparing(Resource::getLocation))
                    .toList()) {
                String location = resource.getLocation();
                if (!location.endsWith(".yaml") && !location.endsWith(".yml")) {
                    continue;
                }
                try (InputStream in = resource.getInputStream()) {
                    files.add(RouteFile.parse(
                            displayName(location), new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return files;
    }

    private static String displayName(String location) {
        return location.replaceFirst("^(file|classpath):", "");
    }

    /** What the routes start from, compared as the service compares a destination's transform with them. */
    private static Set<String> consumedUris(CamelContext camel) {
        return ((ModelCamelContext) camel)
                .getRouteDefinitions().stream()
                        .map(RouteDefinition::getEndpointUrl)
                        .map(DestinationsCheck::normalize)
                        .collect(Collectors.toSet());
    }

    private static boolean isRouteFileFailure(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof MarkedYamlEngineException) {
                return true;
            }
        }
        return false;
    }

    /** camel-main's reason not to go on, as one line that names the setting or the file. */
    private static Problem problemOf(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof StartupFailure startup) {
                // a team's route file named like one of the bridge's, a route id two files define
                return new Problem("camel.main.routes-include-pattern", startup.getMessage());
            }
            if (cause instanceof PropertyBindingException binding && binding.getOptionKey() != null) {
                String prefix = binding.getOptionPrefix() == null ? "" : binding.getOptionPrefix();
                String key = prefix + binding.getOptionKey();
                MainModel main = new DefaultCamelCatalog().mainModel();
                List<String> known = main.getOptions().stream()
                        .map(option -> option.getName())
                        .toList();
                if (known.stream().noneMatch(key::equalsIgnoreCase)) {
                    return new Problem(
                            key, "is not a setting of Camel" + Suggestions.didYouMean(Suggestions.nearest(key, known)));
                }
                return new Problem(
                        key, "is '" + binding.getValue() + "', which Camel cannot use: " + rootMessage(binding));
            }
            if (cause instanceof NoSuchFileException missing) {
                // camel-main names the directory of a route pattern it cannot list this way
                return new Problem(
                        "camel.main.routes-include-pattern",
                        "names " + missing.getFile() + ", which is not in the working " + "directory "
                                + Path.of("").toAbsolutePath()
                                + ": run the check from the directory that holds routes/");
            }
            if (cause instanceof MarkedYamlEngineException marked
                    && marked.getProblemMark().isPresent()) {
                return Problem.at(
                        displayName(marked.getProblemMark().get().getName()),
                        marked.getProblemMark().get().getLine() + 1,
                        "Camel cannot load it: " + marked.getProblem());
            }
        }
        return new Problem("camel.main", "Camel could not be configured: " + rootMessage(failure));
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
