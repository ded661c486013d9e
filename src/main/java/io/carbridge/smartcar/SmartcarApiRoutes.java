package io.carbridge.smartcar;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.http.HttpClientConfigurer;

/**
 * Every HTTP call to Smartcar, one route and one camel-http endpoint per operation ({@code .id(...)} names each
 * endpoint), for the configured API version only. {@link SmartcarApi} (v2.0) and {@link SmartcarV3Api} send to these
 * routes and read the answers; tests point the base URLs at a double. Failures are answers here, not exceptions
 * ({@code throwExceptionOnFailure=false}): the clients classify them. The routes have no error handler of their own, so
 * a timeout reaches the client as it happened, logged once, by it.
 */
final class SmartcarApiRoutes extends RouteBuilder {

    // v2.0
    static final String TOKEN = "direct:smartcar-token";
    static final String USER = "direct:smartcar-user";
    static final String VEHICLES = "direct:smartcar-vehicles";
    static final String VEHICLE_ATTRIBUTES = "direct:smartcar-vehicle-attributes";
    static final String SUBSCRIBE = "direct:smartcar-subscribe";
    static final String UNSUBSCRIBE = "direct:smartcar-unsubscribe";
    // v3
    static final String APPLICATION_TOKEN = "direct:smartcar-application-token";
    static final String CONNECTIONS = "direct:smartcar-connections";
    static final String WEBHOOK = "direct:smartcar-webhook";
    static final String CREATE_SUBSCRIPTION = "direct:smartcar-create-subscription";
    static final String FIND_SUBSCRIPTIONS = "direct:smartcar-find-subscriptions";
    static final String DELETE_SUBSCRIPTION = "direct:smartcar-delete-subscription";
    static final String SIGNALS = "direct:smartcar-signals";

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

        if (settings.apiVersion() == ApiVersion.V3) {
            from(APPLICATION_TOKEN).routeId("smartcar-application-token")
                    .to(endpoint(settings.iamUrl(), "POST")).id("smartcar-iam-token");
            from(CONNECTIONS).routeId("smartcar-connections")
                    .to(endpoint(settings.vehicleApiUrl(), "GET")).id("smartcar-vehicle-api-connections");
            from(WEBHOOK).routeId("smartcar-read-webhook")
                    .to(endpoint(settings.managementApiUrl(), "GET")).id("smartcar-management-webhook");
            from(CREATE_SUBSCRIPTION).routeId("smartcar-create-subscription")
                    .to(endpoint(settings.managementApiUrl(), "POST")).id("smartcar-management-create-subscription");
            from(FIND_SUBSCRIPTIONS).routeId("smartcar-find-subscriptions")
                    .to(endpoint(settings.managementApiUrl(), "GET")).id("smartcar-management-find-subscriptions");
            from(DELETE_SUBSCRIPTION).routeId("smartcar-delete-subscription")
                    .to(endpoint(settings.managementApiUrl(), "DELETE")).id("smartcar-management-delete-subscription");
            from(SIGNALS).routeId("smartcar-signals")
                    .to(endpoint(settings.vehicleApiUrl(), "GET")).id("smartcar-vehicle-api-signals");
            return;
        }
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
