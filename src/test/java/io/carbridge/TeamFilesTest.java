package io.carbridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.main.MainConstants;
import org.junit.jupiter.api.Test;

/**
 * The options that add a team's files to the bridge's: taken out of the command line (camel-main's own options stay),
 * the team's settings file layered first, its route files after the bridge's. {@code TeamDirectoryIT} and
 * {@code CheckCommandIT} run them on the packaged jar.
 */
class TeamFilesTest {

    @Test
    void takesItsOptionsAndLeavesCamelsOwn() {
        List<String> arguments = new ArrayList<>(
                List.of("--routes-dir", "../team/routes", "-d", "10", "--settings=../team/application.properties"));

        TeamFiles team = TeamFiles.take(arguments);

        assertThat(team).isEqualTo(new TeamFiles(Path.of("../team/routes"), Path.of("../team/application.properties")));
        assertThat(arguments).containsExactly("-d", "10");
        assertThat(TeamFiles.take(new ArrayList<>(List.of("--check")))).isEqualTo(TeamFiles.NONE);
    }

    @Test
    void anOptionWithoutItsValueOrTwiceIsRefusedInOneLine() {
        assertThatThrownBy(() -> TeamFiles.take(new ArrayList<>(List.of("--routes-dir"))))
                .isInstanceOf(StartupFailure.class)
                .hasMessageStartingWith("--routes-dir needs a value: --routes-dir <directory");
        assertThatThrownBy(() -> TeamFiles.take(new ArrayList<>(List.of("--settings", "--check"))))
                .isInstanceOf(StartupFailure.class)
                .hasMessageStartingWith("--settings needs a value");
        assertThatThrownBy(() -> TeamFiles.take(new ArrayList<>(List.of("--settings", "a", "--settings", "b"))))
                .isInstanceOf(StartupFailure.class)
                .hasMessageStartingWith("--settings is given twice");
    }

    @Test
    void theTeamsSettingsComeFirstThenWhatTheBridgeReadsWithoutThem() {
        TeamFiles team = new TeamFiles(null, Path.of("team/application.properties"));

        assertThat(team.propertiesLocations("file:application.properties"))
                .contains("file:team/application.properties,file:application.properties");
        assertThat(TeamFiles.NONE.propertiesLocations("file:application.properties"))
                .isEmpty();

        // a location chosen with -D (or CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION) stays, under the team's file
        System.setProperty(MainConstants.PROPERTY_PLACEHOLDER_LOCATION, "file:/etc/bridge.properties");
        try {
            assertThat(team.propertiesLocations("file:application.properties"))
                    .contains("file:team/application.properties,file:/etc/bridge.properties");
        } finally {
            System.clearProperty(MainConstants.PROPERTY_PLACEHOLDER_LOCATION);
        }
    }

    @Test
    void theTeamsRouteFilesComeAfterTheBridgesOwn() {
        TeamFiles team = new TeamFiles(Path.of("../team/routes"), null);

        assertThat(team.routesIncludePattern("file:routes/*.camel.yaml"))
                .isEqualTo("file:routes/*.camel.yaml,file:../team/routes/*.camel.yaml");
        assertThat(TeamFiles.NONE.routesIncludePattern("file:routes/*.camel.yaml"))
                .isEqualTo("file:routes/*.camel.yaml");
    }

    @Test
    void aMissingDirectoryOrFileIsNamed() {
        assertThatThrownBy(() -> new TeamFiles(Path.of("no-such-team/routes"), null).requireFiles())
                .isInstanceOf(StartupFailure.class)
                .hasMessageContaining("There is no directory "
                        + Path.of("no-such-team/routes").toAbsolutePath() + " (--routes-dir)");
        assertThatThrownBy(() -> new TeamFiles(null, Path.of("no-such-team.properties")).requireFiles())
                .isInstanceOf(StartupFailure.class)
                .hasMessageContaining(
                        "There is no file " + Path.of("no-such-team.properties").toAbsolutePath() + " (--settings)");
    }
}
