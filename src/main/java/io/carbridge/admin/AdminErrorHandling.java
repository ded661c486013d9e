package io.carbridge.admin;

import org.apache.camel.builder.RouteConfigurationBuilder;

/** Every admin route answers its failures as JSON: the status of an {@link AdminException}, else 500. */
public final class AdminErrorHandling extends RouteConfigurationBuilder {

    @Override
    public void configuration() {
        routeConfiguration(AdminRouteBuilder.ERROR_HANDLING)
                .onException(Exception.class)
                .handled(true)
                .process(AdminRouteBuilder::answerFailure);
    }
}
