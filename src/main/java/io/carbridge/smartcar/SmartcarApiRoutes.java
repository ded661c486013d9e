package io.carbridge.smartcar;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.http.HttpClientConfigurer;

/**
 * Every HTTP call to Smartcar, one route and one camel-http endpoint per operation ({@code .id(...)} names each
 * endpoint). {@link SmartcarApi} sends to these routes and reads the answers; tests point the base URLs at a double.
 * Failures are answers here, not exceptions ({@code throwExceptionOnFailure=false}): the client classifies them. The
 * routes have no error handler of their own, so a timeout reaches the client as it happened, logged once, by it.
 */
final class SmartcarApiRoutes extends RouteBuilder {

    static final String TOKEN = "direct:smartcar-token";
    static final String USER = "direct:smartcar-user";
    static final String VEHICLES = "direct:smartcar-vehicles";
    static final String VEHICLE_ATTRIBUTES = "direct:smartcar-vehicle-attributes";
    static final String SUBSCRIBE = "direct:smartcar-subscribe";
    static final String UNSUBSCRIBE = "direct:smartcar-unsubscribe";

    /** The registry name of {@link #HTTP_CLIENT}. */
    static final String HTTP_CLIENT_BEAN = "smartcarHttpClient";

    /**
     * No cookies: one client serves every owner's token, and nothing of one owner's session may reach another's call.
     * No redirects. (Automatic retries are off for every HTTP endpoint, see BridgeConfiguration.)
     */
    static final HttpClientConfigurer HTTP_CLIENT = builder -> builder
            .disableCookieManagement()
            .disableRedirectHandling();

    private final SmartcarSettings settings;

    SmartcarApiRoutes(SmartcarSettings settings) {
        this.settings = settings;
    }

    @Override
    public void configure() {
        errorHandler(noErrorHandler());

        from(TOKEN).routeId("smartcar-token")
                .to(endpoint(settings.authUrl(), "POST")).id("smartcar-auth-token");
        from(USER).routeId("smartcar-user")
                .to(endpoint(settings.apiUrl(), "GET")).id("smartcar-api-user");
        from(VEHICLES).routeId("smartcar-vehicles")
                .to(endpoint(settings.apiUrl(), "GET")).id("smartcar-api-vehicles");
        from(VEHICLE_ATTRIBUTES).routeId("smartcar-vehicle-attributes")
                .to(endpoint(settings.apiUrl(), "GET")).id("smartcar-api-vehicle-attributes");
        from(SUBSCRIBE).routeId("smartcar-subscribe")
                .to(endpoint(settings.apiUrl(), "POST")).id("smartcar-api-subscribe");
        from(UNSUBSCRIBE).routeId("smartcar-unsubscribe")
                .to(endpoint(settings.apiUrl(), "DELETE")).id("smartcar-api-unsubscribe");
    }

    /** The path below the base URL comes with each call ({@code CamelHttpPath}), the method is fixed per endpoint. */
    private String endpoint(String baseUrl, String method) {
        return baseUrl + "?httpMethod=" + method
                + "&throwExceptionOnFailure=false"
                + "&connectTimeout=" + settings.connectTimeout().toMillis()
                + "&responseTimeout=" + settings.responseTimeout().toMillis()
                + "&httpClientConfigurer=#" + HTTP_CLIENT_BEAN;
    }
}
