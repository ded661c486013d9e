package io.carbridge;

import org.apache.camel.main.Main;
import org.apache.camel.util.ObjectHelper;
import org.slf4j.LoggerFactory;

/**
 * Starts the bridge: camel-main reads {@code application.properties} from the working directory, loads the YAML routes
 * of {@code routes/}, and {@link BridgeConfiguration} wires the Java side (no classpath scanning: what runs is what
 * that class names).
 */
public final class BridgeApplication {

    /** Where the operator's configuration lives; {@code -Dcamel.main.property-placeholder-location=...} moves it. */
    public static final String PROPERTIES_LOCATION = "file:application.properties";

    private BridgeApplication() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main();
        main.configure().addConfiguration(BridgeConfiguration.class);
        main.setDefaultPropertyPlaceholderLocation(PROPERTIES_LOCATION);
        int exitCode;
        try {
            exitCode = main.run(args);
        } catch (Exception e) {
            Settings.InvalidSettingException invalid = ObjectHelper.getException(Settings.InvalidSettingException.class, e);
            if (invalid == null) {
                throw e;
            }
            // a configuration mistake: say which setting, without a stack trace to dig through
            LoggerFactory.getLogger(BridgeApplication.class).error("Not started. {}", invalid.getMessage());
            exitCode = 2;
        }
        if (exitCode != 0) {
            System.exit(exitCode);
        }
    }
}
