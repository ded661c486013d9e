package io.carbridge.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code mvn verify} checks every route file the bridge ships: a mistake in one fails the build, with its file and line. */
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
}
