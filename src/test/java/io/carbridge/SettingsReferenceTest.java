package io.carbridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.delivery.Destinations;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/settings.md} is generated from the settings' declarations (the beans of {@link DeclaredSettings}, a
 * destination's {@code DestinationSettings}), with the environment variables {@code application.properties} maps, and
 * the Camel settings the bridge documents. Run with {@code -Dsettings.reference.write=true}, the test writes the file.
 */
class SettingsReferenceTest {

    private static final Path REFERENCE = Path.of("docs", "settings.md");
    private static final String WRITE = "settings.reference.write";

    /** Camel's own settings an operator changes: key, default where application.properties sets none, description. */
    private static final String[][] CAMEL_SETTINGS = {
        {"camel.server.port", "", "Port of the webhook, Connect and admin endpoints."},
        {
            "camel.server.host",
            "",
            "Address the HTTP server of the webhook, Connect and admin endpoints listens on: `0.0.0.0` is "
                    + "every interface; behind a proxy on the same host, `127.0.0.1` lets only the proxy reach it."
        },
        {"camel.management.port", "", "Port of health and Prometheus metrics."},
        {
            "camel.management.host",
            "",
            "Address the management port listens on; `127.0.0.1` keeps health and metrics on this machine."
        },
        {"camel.main.shutdown-timeout", "", "Seconds given to in-flight work on SIGTERM."},
        {"camel.main.routes-reload-enabled", "", "Development: reload `routes/*.camel.yaml` when a file changes."}
    };

    @Test
    void docsSettingsMdIsWhatTheDeclarationsGenerate() throws IOException {
        String generated = generate();
        if (Boolean.getBoolean(WRITE)) {
            Files.writeString(REFERENCE, generated);
        }

        assertThat(Files.exists(REFERENCE) ? Files.readString(REFERENCE) : "")
                .as(REFERENCE
                        + " is generated from the settings' declarations: run mvn -o test -Dtest=SettingsReferenceTest -D"
                        + WRITE + "=true to write it anew")
                .isEqualTo(generated);
    }

    private static String generate() throws IOException {
        Properties shipped = new Properties();
        shipped.load(new StringReader(Files.readString(Path.of("application.properties"))));
        List<String> rows = new ArrayList<>();
        for (String[] camel : CAMEL_SETTINGS) {
            rows.add(SettingsBinding.tableRow(camel[0], camel[1], camel[2], shipped));
        }
        DeclaredSettings.GROUPS.forEach(
                group -> rows.addAll(SettingsBinding.tableRows(group.type(), group.prefix(), shipped)));
        rows.addAll(Destinations.settingsTableRows());
        return """
                # Settings reference

                Generated from the settings' declarations by `SettingsReferenceTest` (the `@Setting` fields of the settings beans
                `io.carbridge.DeclaredSettings` lists, and of `io.carbridge.delivery.DestinationSettings`): do not edit it, change a
                declaration and run `mvn -o test -Dtest=SettingsReferenceTest -D%s=true`.

                Each setting is set in `application.properties`, or with `-Dname=value`; the environment variable, where there is
                one, overrides the file. A `bridge.*` key the bridge does not know stops the start, naming the nearest one. Durations
                are written as Camel writes them, `500ms`, `30s`, `5m`, `1h30m`, `7d`, or ISO-8601 (`PT30S`), except a period a
                route's timer reads (`bridge.retention.interval`, `bridge.sync.period`, `bridge.reconcile.heartbeat-interval`), which
                takes Camel's form only.

                | Setting | Environment variable | Default | What it does |
                |---|---|---|---|
                """.formatted(WRITE) + String.join("\n", rows) + "\n";
    }
}
