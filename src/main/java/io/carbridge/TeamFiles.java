package io.carbridge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.camel.main.MainConstants;
import org.apache.camel.main.MainHelper;

/**
 * A team's own route files and settings, kept in the team's repository rather than in the bridge's directory, given on
 * the command line of the service and of {@code --check}:
 *
 * <pre>
 * java -jar smartcar-bridge.jar --routes-dir ../fleet-team/routes --settings ../fleet-team/application.properties
 * </pre>
 *
 * The bridge still runs from its own directory, with its own {@code application.properties} and {@code routes/}; the
 * team's files add to them:
 *
 * <ul>
 *   <li>{@value #ROUTES_DIR}: every {@code *.camel.yaml} of the directory is loaded after the bridge's route files
 *       ({@code camel.main.routes-include-pattern} gains {@code file:<dir>/*.camel.yaml}). A team's file never replaces
 *       one of the bridge's: a file named like one of the bridge's route files stops the start, and so does a route id
 *       that two files define.
 *   <li>{@value #SETTINGS}: the file is layered over the bridge's settings. Camel reads the property locations in order
 *       and the first that defines a key wins, so the team's file comes first
 *       ({@code file:<file>,file:application.properties}); a key it leaves out keeps the bridge's value. {@code -D}
 *       settings and environment variables still win over both. The same layering without the option is Camel's own
 *       {@code CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION}, which the Kubernetes example uses.
 * </ul>
 *
 * @param routesDirectory the team's route files, or null
 * @param settings the team's settings file, or null
 */
public record TeamFiles(Path routesDirectory, Path settings) {

    /** The option naming the directory of a team's route files. */
    public static final String ROUTES_DIR = "--routes-dir";
    /** The option naming a team's settings file. */
    public static final String SETTINGS = "--settings";
    /** The route files a directory of {@value #ROUTES_DIR} contributes. */
    public static final String ROUTE_FILES = "*.camel.yaml";
    /** No team files: the bridge's own only. */
    public static final TeamFiles NONE = new TeamFiles(null, null);

    /**
     * Takes {@value #ROUTES_DIR} and {@value #SETTINGS} out of {@code arguments} (each followed by its value, or as
     * {@code --option=value}), leaving the rest, camel-main's options, in place.
     *
     * @throws StartupFailure for an option without its value, or one given twice
     */
    public static TeamFiles take(List<String> arguments) {
        Path routes = null;
        Path settings = null;
        Iterator<String> each = arguments.iterator();
        List<String> rest = new ArrayList<>();
        while (each.hasNext()) {
            String argument = each.next();
            String option = argument.contains("=") ? argument.substring(0, argument.indexOf('=')) : argument;
            if (!option.equals(ROUTES_DIR) && !option.equals(SETTINGS)) {
                rest.add(argument);
                continue;
            }
            String value = argument.contains("=")
                    ? argument.substring(argument.indexOf('=') + 1)
                    : each.hasNext() ? each.next() : "";
            if (value.isBlank() || value.startsWith("--")) {
                throw new StartupFailure(option + " needs a value: " + usage());
            }
            if ((option.equals(ROUTES_DIR) ? routes : settings) != null) {
                throw new StartupFailure(option + " is given twice: " + usage());
            }
            if (option.equals(ROUTES_DIR)) {
                routes = Path.of(value);
            } else {
                settings = Path.of(value);
            }
        }
        arguments.clear();
        arguments.addAll(rest);
        return new TeamFiles(routes, settings);
    }

    /** How the options are written, for the messages. */
    public static String usage() {
        return ROUTES_DIR + " <directory of the team's *.camel.yaml> " + SETTINGS + " <the team's settings file>";
    }

    /** Both options' files are there: a mistyped path stops the start rather than running without the team's files. */
    public void requireFiles() {
        if (routesDirectory != null && !Files.isDirectory(routesDirectory)) {
            throw new StartupFailure("There is no directory " + routesDirectory.toAbsolutePath() + " (" + ROUTES_DIR
                    + "): name the " + "directory that holds the team's route files, " + ROUTE_FILES + ".");
        }
        if (settings != null && !Files.isRegularFile(settings)) {
            throw new StartupFailure("There is no file " + settings.toAbsolutePath() + " (" + SETTINGS
                    + "): name the team's " + "settings file, such as its application.properties.");
        }
    }

    /**
     * The property locations camel-main is to read, when the team has a settings file: that file first, then what the
     * bridge reads without it (a location given with {@code -Dcamel.main.property-placeholder-location} or
     * {@code CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION}, else {@code bridgeLocation}). Empty without a settings file.
     */
    public Optional<String> propertiesLocations(String bridgeLocation) {
        if (settings == null) {
            return Optional.empty();
        }
        String underneath = MainHelper.lookupPropertyFromSysOrEnv(MainConstants.PROPERTY_PLACEHOLDER_LOCATION)
                .orElse(bridgeLocation);
        return Optional.of("file:" + settings + "," + underneath);
    }

    /**
     * The route pattern with the team's route files after the bridge's; the bridge's own without a routes directory.
     */
    public String routesIncludePattern(String bridgePattern) {
        if (routesDirectory == null) {
            return bridgePattern;
        }
        String team = "file:" + routesDirectory + "/" + ROUTE_FILES;
        return bridgePattern == null || bridgePattern.isBlank() ? team : bridgePattern + "," + team;
    }

    /**
     * A team's route file may not have the name of one of the bridge's (a copy of a bridge route to change it, which
     * would load beside the original): it stops the start, saying to rename it.
     *
     * @param bridgeFiles the bridge's route files, as found by its routes pattern
     */
    public void refuseNamesakes(Collection<String> bridgeFiles) {
        if (routesDirectory == null) {
            return;
        }
        for (String teamFile : teamRouteFiles()) {
            for (String bridgeFile : bridgeFiles) {
                if (Path.of(bridgeFile).getFileName().toString().equals(teamFile)) {
                    throw new StartupFailure(routesDirectory.resolve(teamFile) + " (" + ROUTES_DIR
                            + ") has the name of the bridge's route "
                            + "file " + bridgeFile
                            + ": a team's route files add to the bridge's and never replace one. Rename it, and "
                            + "give its routes ids of their own.");
                }
            }
        }
    }

    /** The names of the team's route files. */
    private List<String> teamRouteFiles() {
        try (Stream<Path> files = Files.list(routesDirectory)) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".camel.yaml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
