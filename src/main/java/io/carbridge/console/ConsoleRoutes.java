package io.carbridge.console;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.http.base.HttpHeaderFilterStrategy;

/**
 * Serves the operator console at {@value #PATH} on the main port: its own files from the jar ({@code console/} in the
 * resources) and the chart library from its WebJar ({@code /console/lib/...}), every answer with the security headers
 * of {@link #SECURITY_HEADERS}. The console is a client of the admin API and holds neither data nor secrets, so its
 * files need no token; every call it makes to {@code /admin/*} does.
 *
 * <p>Camel's own static content ({@code camel.server.staticEnabled}) is not used: in 4.18 it looks in the working
 * directory before the classpath (with the context path {@code /} it would serve {@code application.properties} and the
 * H2 files under {@code data/}), serves WebJars only from the context path {@code /}, decodes every file as text and
 * sets neither security nor cache headers.
 */
public final class ConsoleRoutes extends RouteBuilder {

    public static final String PATH = "/console";

    /**
     * Scripts, styles, images and calls only from this origin, no inline script or style, no plugins, no framing, and
     * nothing of the URL (an event id, say) sent to another site.
     */
    static final Map<String, String> SECURITY_HEADERS = Map.of(
            "Content-Security-Policy",
                    "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer",
            "X-Frame-Options", "DENY",
            "Cross-Origin-Opener-Policy", "same-origin",
            "Cross-Origin-Resource-Policy", "same-origin");

    /** One file name, no directory and no {@code ..}: anything else is not a console file. */
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]+)+");

    private static final Map<String, String> MEDIA_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml");
    /** The chart library's WebJar (org.webjars.npm:uplot): its files are served as {@code lib/<name>}. */
    private static final String CHART_LIBRARY = "uplot";

    /** The files served so far, read once from the jar; a name that is not there is not remembered. */
    private final Map<String, ConsoleFile> files = new ConcurrentHashMap<>();
    /** Where the chart library's files are in its WebJar, which holds them under its version. */
    private String chartLibraryFiles;

    private record ConsoleFile(byte[] bytes, String mediaType, String etag) {}

    @Override
    public void configure() {
        chartLibraryFiles =
                "META-INF/resources/webjars/" + CHART_LIBRARY + "/" + webJarVersion(CHART_LIBRARY) + "/dist/";
        PlatformHttpEndpoint endpoint = getContext()
                .getEndpoint("platform-http:" + PATH + "?matchOnUriPrefix=true", PlatformHttpEndpoint.class);
        // Camel's HTTP header filter drops Cache-Control from answers; the console's files must say how to cache them
        HttpHeaderFilterStrategy headers = new HttpHeaderFilterStrategy();
        headers.getOutFilter().remove("cache-control");
        endpoint.setHeaderFilterStrategy(headers);
        from(endpoint).routeId("console").process(this::serve);
    }

    private void serve(Exchange exchange) {
        Message message = exchange.getMessage();
        String method = message.getHeader(Exchange.HTTP_METHOD, String.class);
        String path = message.getHeader(Exchange.HTTP_PATH, String.class);
        String ifNoneMatch = message.getHeader("If-None-Match", String.class);
        message.getHeaders().clear();
        SECURITY_HEADERS.forEach(message::setHeader);
        message.setBody(null);
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            message.setHeader("Allow", "GET, HEAD");
            error(message, 405, "only GET and HEAD are served here");
            return;
        }
        if (PATH.equals(path)) {
            // relative, so that the page's relative links also work behind a proxy that adds a path prefix
            message.setHeader(Exchange.HTTP_RESPONSE_CODE, 301);
            message.setHeader("Location", "console/");
            return;
        }
        ConsoleFile file =
                path == null || !path.startsWith(PATH + "/") ? null : find(path.substring(PATH.length() + 1));
        if (file == null) {
            error(message, 404, "no such file");
            return;
        }
        message.setHeader("Cache-Control", "no-cache");
        message.setHeader("ETag", file.etag());
        if (file.etag().equals(ifNoneMatch)) {
            message.setHeader(Exchange.HTTP_RESPONSE_CODE, 304);
            return;
        }
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        message.setHeader(Exchange.CONTENT_TYPE, file.mediaType());
        message.setBody(Buffer.buffer(file.bytes()));
    }

    /**
     * {@code ""} is the page, {@code lib/<name>} a file of the chart library's WebJar, {@code <name>} a console file.
     */
    private ConsoleFile find(String name) {
        String resource;
        if (name.isEmpty()) {
            resource = "console/index.html";
        } else if (name.startsWith("lib/")
                && FILE_NAME.matcher(name.substring(4)).matches()) {
            resource = chartLibraryFiles + name.substring(4);
        } else if (FILE_NAME.matcher(name).matches()) {
            resource = "console/" + name;
        } else {
            return null;
        }
        String mediaType = MEDIA_TYPES.get(resource.substring(resource.lastIndexOf('.') + 1));
        return mediaType == null ? null : files.computeIfAbsent(resource, r -> load(r, mediaType));
    }

    private ConsoleFile load(String resource, String mediaType) {
        try (InputStream in = getCamelContext().getClassResolver().loadResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            byte[] bytes = in.readAllBytes();
            return new ConsoleFile(bytes, mediaType, "\"" + HexFormat.of().formatHex(sha256(bytes), 0, 12) + "\"");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The version of a WebJar on the classpath, from its Maven metadata, so that only the pom names it. */
    private String webJarVersion(String artifact) {
        try (InputStream in = getCamelContext()
                .getClassResolver()
                .loadResourceAsStream("META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException(
                        "the WebJar org.webjars.npm:" + artifact + " of the console is not on the classpath");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void error(Message message, int status, String error) {
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody("{\"error\":\"" + error + "\"}");
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
