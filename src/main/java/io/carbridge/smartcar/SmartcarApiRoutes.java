package io.carbridge.smartcar;

import java.util.List;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.http.HttpClientConfigurer;

/**
 * Every HTTP call to Smartcar, one route and one camel-http endpoint per operation ({@code .id(...)} names each
 * endpoint), for the configured API version only: its settings list them ({@link ApiSettings#endpoints()}). The
 * version's client sends to these routes and reads the answers ({@link SmartcarHttp}); tests point the base URLs at a
 * double. Failures are answers here, not exceptions ({@code throwExceptionOnFailure=false}): the clients classify them.
 * The routes have no error handler of their own, so a timeout reaches the client as it happened, logged once, by it.
 */
public final class SmartcarApiRoutes extends RouteBuilder {

    /** Where each call's route starts, followed by the operation's name. */
    static final String PREFIX = "direct:smartcar-";
    /** The registry name of {@link #HTTP_CLIENT}. */
    static final String HTTP_CLIENT_BEAN = "smartcarHttpClient";

    /**
     * No cookies: one client serves every owner's token, and nothing of one owner's session may reach another's call.
     * No redirects. (Automatic retries are off for every HTTP endpoint, see BridgeConfiguration.)
     */
    static final HttpClientConfigurer HTTP_CLIENT =
            builder -> builder.disableCookieManagement().disableRedirectHandling();

    /**
     * One call: the route {@code routeId} from {@value #PREFIX}{@code <operation>} (the operation names the call in
     * error descriptions) to {@code method} on {@code baseUrl}, the path coming with each call; {@code endpointId}
     * names the camel-http endpoint.
     */
    public record Endpoint(String operation, String routeId, String endpointId, String baseUrl, String method) {

        /** The route {@code smartcar-<operation>}. */
        public Endpoint(String operation, String endpointId, String baseUrl, String method) {
            this(operation, "smartcar-" + operation, endpointId, baseUrl, method);
        }
    }

    private final SmartcarSettings settings;

    SmartcarApiRoutes(SmartcarSettings settings) {
        this.settings = settings;
    }

    @Override
    public void configure() {
        errorHandler(noErrorHandler());
        List<Endpoint> endpoints = settings.api().endpoints();
        for (Endpoint endpoint : endpoints) {
            from(PREFIX + endpoint.operation())
                    .routeId(endpoint.routeId())
                    .to(endpoint(endpoint))
                    .id(endpoint.endpointId());
        }
    }

    /** The path below the base URL comes with each call ({@code CamelHttpPath}), the method is fixed per endpoint. */
    private String endpoint(Endpoint endpoint) {
        return endpoint.baseUrl() + "?httpMethod=" + endpoint.method()
                + "&throwExceptionOnFailure=false"
                + "&connectTimeout=" + settings.connectTimeout().toMillis()
                + "&responseTimeout=" + settings.responseTimeout().toMillis()
                + "&httpClientConfigurer=#" + HTTP_CLIENT_BEAN;
    }
}
