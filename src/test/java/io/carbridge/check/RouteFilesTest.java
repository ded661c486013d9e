package io.carbridge.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.camel.catalog.DefaultCamelCatalog;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code mvn verify} checks every route file the bridge ships: a mistake in one fails the build, with its file and
 * line.
 */
class RouteFilesTest {

    private static RouteFilesCheck check;

    @BeforeAll
    static void readSchemaAndCatalog() {
        check = RouteFilesCheck.create();
    }

    @Test
    void everyShippedRouteFileFollowsTheSchemaAndNamesOnlyEndpointsTheCatalogKnows() throws IOException {
        List<Path> files = RouteFilesCheck.routeFiles(Path.of("routes"));

        assertThat(files).as("the route files").hasSizeGreaterThan(10);
        assertThat(check.check(files)).as("problems in routes/").isEmpty();
    }

    /**
     * Editors (the yaml-language-server of VS Code's YAML extension, IntelliJ) complete and check a route file against
     * the schema its first line names: the one this check reads from the camel-yaml-dsl jar, as Apache Camel publishes
     * it at the release's tag.
     */
    @Test
    void everyShippedRouteFileNamesTheSchemaOfTheCamelItRunsOnForEditors() throws IOException {
        String camelVersion = new DefaultCamelContext().getVersion();
        assertThat(new DefaultCamelCatalog().getCatalogVersion())
                .as("camel-catalog checks the endpoints of this Camel")
                .isEqualTo(camelVersion);

        for (Path file : RouteFilesCheck.routeFiles(Path.of("routes"))) {
            assertThat(Files.readAllLines(file).get(0))
                    .as("first line of " + file)
                    .isEqualTo("# yaml-language-server: $schema=https://raw.githubusercontent.com/apache/camel/camel-"
                            + camelVersion + "/dsl/camel-yaml-dsl/camel-yaml-dsl/src/generated/resources/"
                            + RouteSchema.RESOURCE);
        }
    }
}
