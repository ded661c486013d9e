package io.carbridge;

import java.util.ArrayList;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.main.Main;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.util.ObjectHelper;
import org.slf4j.LoggerFactory;

/**
 * camel-main as the service and {@code --check} both set it up: the settings of {@code application.properties} and the
 * route files of {@code routes/} in the working directory, with a team's own files added ({@link TeamFiles}): its
 * settings file layered first, its route files loaded after the bridge's.
 */
public final class BridgeMain extends Main {

    private static final String DUPLICATE_IDS = "Duplicate route ids detected: ";

    private final TeamFiles team;

    public BridgeMain(TeamFiles team) {
        this.team = team;
        setDefaultPropertyPlaceholderLocation(BridgeApplication.PROPERTIES_LOCATION);
        team.propertiesLocations(BridgeApplication.PROPERTIES_LOCATION)
                .ifPresent(this::setPropertyPlaceholderLocations);
    }

    /**
     * Once camel-main has read {@code camel.main.routes-include-pattern} from the settings, and before it loads the
     * files: the team's route files join the bridge's, unless one is named like one of the bridge's.
     */
    @Override
    protected void configureRoutes(CamelContext camel) throws Exception {
        if (team.routesDirectory() != null) {
            String bridgePattern = configure().getRoutesIncludePattern();
            team.refuseNamesakes(routeFiles(camel, bridgePattern));
            configure().setRoutesIncludePattern(team.routesIncludePattern(bridgePattern));
            LoggerFactory.getLogger(BridgeMain.class)
                    .info(
                            "A team's route files ({} {}) load after the bridge's",
                            TeamFiles.ROUTES_DIR,
                            team.routesDirectory());
        }
        try {
            super.configureRoutes(camel);
        } catch (FailedToCreateRouteException e) {
            String message = e.getMessage() == null ? "" : e.getMessage();
            if (!message.contains(DUPLICATE_IDS)) {
                throw e;
            }
            String ids = message.substring(message.indexOf(DUPLICATE_IDS) + DUPLICATE_IDS.length())
                    .split("\\. ")[0];
            throw new StartupFailure("Two route files define the route id " + ids
                    + " (camel.main.routes-include-pattern is '"
                    + configure().getRoutesIncludePattern() + "'): every route needs an id of its own; a team's route ("
                    + TeamFiles.ROUTES_DIR + ") cannot replace one of the bridge's.");
        }
    }

    /** The files a route pattern finds, as camel-main finds them. */
    private static List<String> routeFiles(CamelContext camel, String patterns) throws Exception {
        List<String> files = new ArrayList<>();
        if (ObjectHelper.isEmpty(patterns)) {
            return files;
        }
        for (String pattern : patterns.split(",")) {
            for (Resource resource :
                    PluginHelper.getPackageScanResourceResolver(camel).findResources(pattern.strip())) {
                files.add(resource.getLocation().replaceFirst("^(file|classpath):", ""));
            }
        }
        return files;
    }
}
