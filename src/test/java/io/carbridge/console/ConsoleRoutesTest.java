package io.carbridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.Browser;
import io.carbridge.testing.TestPorts;
import java.util.Map;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * How the console is served at /console: from the jar, with its security headers, nothing but its own files, and here
 * with the admin API switched off (no admin token), which the page tells the operator.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {BridgeTest.TEST_PROPERTIES, BridgeTest.APPLICATION_PROPERTIES},
        properties = {"bridge.db.url=jdbc:h2:mem:console-routes-test", "bridge.admin.token="})
class ConsoleRoutesTest {

    private static final BridgeHttp HTTP = BridgeHttp.bridge();

    @Test
    void servesThePageWithItsSecurityHeadersAndNoInlineScriptOrStyle() {
        BridgeHttp.Response page = HTTP.get("/console/", Map.of());

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
        assertThat(page.header("Content-Security-Policy"))
                .startsWith("default-src 'self';")
                .contains("frame-ancestors 'none'")
                .doesNotContain("unsafe-inline")
                .doesNotContain("unsafe-eval");
        assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(page.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(page.header("Cache-Control")).isEqualTo("no-cache");
        assertThat(page.body())
                .contains(
                        "<script src=\"console.js\" defer></script>",
                        "<script src=\"lib/uPlot.iife.min.js\" defer></script>")
                .doesNotContainPattern("<script(?![^>]*\\ssrc=)")
                .doesNotContainPattern("\\sstyle=")
                .doesNotContainPattern("\\son[a-z]+=");
    }

    @Test
    void redirectsToTheFolderSoThatThePagesRelativeLinksResolve() {
        BridgeHttp.Response answer = HTTP.get("/console", Map.of());

        assertThat(answer.status()).isEqualTo(301);
        assertThat(answer.header("Location")).isEqualTo("console/");
    }

    @Test
    void servesTheChartLibraryFromItsWebJarAndKeepsAllScriptUnder200KB() {
        BridgeHttp.Response library = HTTP.get("/console/lib/uPlot.iife.min.js", Map.of());
        BridgeHttp.Response console = HTTP.get("/console/console.js", Map.of());

        assertThat(library.status()).isEqualTo(200);
        assertThat(library.header("Content-Type")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(library.body()).contains("uPlot");
        assertThat(HTTP.get("/console/lib/uPlot.min.css", Map.of()).header("Content-Type"))
                .isEqualTo("text/css; charset=utf-8");
        assertThat(library.body().length() + console.body().length())
                .as("bytes of JavaScript")
                .isLessThan(200_000);
    }

    @Test
    void answersNotModifiedToAFileTheBrowserHasAlready() {
        String etag = HTTP.get("/console/console.css", Map.of()).header("ETag");

        BridgeHttp.Response again = HTTP.get("/console/console.css", Map.of("If-None-Match", etag));

        assertThat(etag).matches("\"[0-9a-f]{24}\"");
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(again.header("Content-Security-Policy")).isNotNull();
    }

    @Test
    void servesNothingButTheConsolesFiles() {
        for (String path : new String[] {
            "/console/missing.js",
            "/console/lib/LICENSE",
            "/console/lib/uPlot.d.ts",
            "/console/lib/",
            "/console/lib/../../application.properties",
            "/console/%2e%2e/application.properties",
            "/console/..%2fapplication.properties",
            "/console/log4j2.properties",
            "/console/db/migration/V1__webhook_events.sql",
            "/console/index.html/x",
            "/consoles"
        }) {
            BridgeHttp.Response answer = HTTP.get(path, Map.of());
            assertThat(answer.status()).as(path).isEqualTo(404);
            assertThat(answer.body()).as(path).doesNotContain("bridge.").doesNotContain("CREATE TABLE");
        }
        BridgeHttp.Response post =
                HTTP.send("POST", "/console/", new byte[] {'x'}, Map.of("Content-Type", "text/plain"));
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.header("Allow")).isEqualTo("GET, HEAD");
    }

    @Test
    void theAdminApiSaysItIsOffSoThatTheConsoleCanSaySo() {
        BridgeHttp.Response answer = HTTP.get("/admin/stats", Map.of("Authorization", "Bearer anything"));

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.json().get("reason").asText()).isEqualTo("admin_api_disabled");
        assertThat(answer.json().get("error").asText()).contains("ADMIN_TOKEN");
    }

    @Test
    void thePageSaysTheAdminApiIsOffAndHowToTurnItOn() {
        try (Browser browser = Browser.start(TestPorts.HTTP)) {
            browser.open("/console/");

            browser.awaitText("#page-admin-off h1", "The admin API is off");
            assertThat(browser.find("#page-admin-off").getText()).contains("ADMIN_TOKEN", "restart");
            assertThat(browser.findAll("#admin-token")).allMatch(field -> !field.isDisplayed());
            browser.screenshot("admin-off");
            assertThat(browser.problems()).isEmpty();
        }
    }
}
