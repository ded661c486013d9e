package io.carbridge;

import io.carbridge.check.CheckCommand;
import io.carbridge.delivery.Destinations;
import io.carbridge.intake.Intake;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainConstants;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.util.ObjectHelper;
import org.slf4j.LoggerFactory;

/**
 * Starts the bridge: camel-main reads {@code application.properties} from the working directory, loads the YAML routes
 * of {@code routes/}, and {@link BridgeConfiguration} wires the Java side (no classpath scanning: what runs is what
 * that class names). A team's own route files and settings, kept elsewhere, are added with
 * {@value TeamFiles#ROUTES_DIR} and {@value TeamFiles#SETTINGS} ({@link TeamFiles}). With {@value CheckCommand#OPTION}
 * it checks the route files and the settings instead, and exits.
 */
public final class BridgeApplication {

    /** Where the operator's configuration lives; {@code -Dcamel.main.property-placeholder-location=...} moves it. */
    public static final String PROPERTIES_LOCATION = "file:application.properties";

    private BridgeApplication() {}

    public static void main(String[] args) throws Exception {
        if (CheckCommand.isRequested(args)) {
            // a team's CI before a deploy: the route files and every setting checked, nothing started
            System.exit(CheckCommand.run(args, System.out, System.err));
        }
        List<String> camelArguments = new ArrayList<>(List.of(args));
        TeamFiles team;
        try {
            team = TeamFiles.take(camelArguments);
        } catch (StartupFailure failure) {
            LoggerFactory.getLogger(BridgeApplication.class).error("Not started. {}", failure.getMessage());
            System.exit(2);
            return;
        }
        Main main = new BridgeMain(team);
        main.configure().addConfiguration(BridgeConfiguration.class);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeStart(BaseMainSupport main) {
                // the routes are loaded, Camel not started: a failure here is the operator's one line, not Camel's
                // stack trace
                Intake.requireIntakeRoute(main.getCamelContext());
                main.getCamelContext()
                        .getRegistry()
                        .lookupByNameAndType("destinations", Destinations.class)
                        .requireConsumedRoutes(main.getCamelContext());
            }
        });
        int exitCode;
        try {
            requireWorkingDirectory();
            team.requireFiles();
            exitCode = main.run(camelArguments.toArray(String[]::new));
        } catch (Exception e) {
            StartupFailure failure = startupFailure(e);
            if (failure == null) {
                throw e;
            }
            // a mistake the operator fixes outside the service: say what, without a stack trace to dig through
            LoggerFactory.getLogger(BridgeApplication.class).error("Not started. {}", failure.getMessage());
            exitCode = 2;
        }
        if (exitCode != 0) {
            // the service never ran: Camel's shutdown hook must not log that a SIGTERM is shutting it down
            main.getShutdownStrategy().shutdown();
            System.exit(exitCode);
        }
    }

    /**
     * What stopped the start, when it is the operator's to fix: a {@link StartupFailure}, or a file the settings name.
     */
    private static StartupFailure startupFailure(Exception e) {
        StartupFailure failure = ObjectHelper.getException(StartupFailure.class, e);
        NoSuchFileException missing = ObjectHelper.getException(NoSuchFileException.class, e);
        if (failure == null && missing != null) {
            // camel-main names the directory of a route pattern it cannot list this way
            failure = new StartupFailure("There is no " + missing.getFile() + " in the working directory "
                    + Path.of("").toAbsolutePath()
                    + ": start the service from the directory that holds routes/ (the repository root), or correct the setting that "
                    + "names it (camel.main.routes-include-pattern for the route files).");
        }
        return failure;
    }

    /**
     * The service reads {@code application.properties} and {@code routes/} from the working directory. Started from
     * anywhere else, it would run on defaults without its routes; it stops at once instead, saying where to start it.
     */
    private static void requireWorkingDirectory() {
        boolean locationChosen = System.getProperty(MainConstants.PROPERTY_PLACEHOLDER_LOCATION) != null
                || System.getenv("CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION") != null;
        Path properties = Path.of(PROPERTIES_LOCATION.substring("file:".length()));
        if (!locationChosen && !Files.isRegularFile(properties)) {
            throw new StartupFailure("There is no " + properties + " in the working directory "
                    + Path.of("").toAbsolutePath()
                    + ": start the service from the directory that holds application.properties and routes/ (the repository root); "
                    + "a team's own files are added with " + TeamFiles.usage() + ".");
        }
    }
}
