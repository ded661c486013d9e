package io.carbridge.smartcar;

import java.util.List;

/**
 * The settings only one API version has ({@code v2.V2Settings}: the token endpoint, the REST API v2.0, the key of the
 * stored owner tokens; {@code v3.V3Settings}: the Application ID, the IAM, Vehicles and Management APIs), read by the
 * version's package when {@link ApiVersion} names it, and what they make: the version's implementation of the port and
 * its camel-http endpoints. {@link #toString()} never shows a secret.
 */
public interface ApiSettings {

    /** The largest page Smartcar gives of what the sync lists: the bound of {@code bridge.sync.page-size}. */
    int maxPageSize();

    /** The camel-http endpoints of the version's calls, one per operation ({@link SmartcarApiRoutes}). */
    List<SmartcarApiRoutes.Endpoint> endpoints();

    /** The version's implementation of the port. */
    SmartcarApi api(SmartcarApi.Parts parts);
}
