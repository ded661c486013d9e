/**
 * The bridge's test kit for a team's own routes, published as the bridge's test artifact
 * ({@code io.carbridge:smartcar-bridge:<version>}, {@code <type>test-jar</type>}, test scope, beside the bridge's jar
 * and {@code org.apache.camel:camel-test-junit5}): a team tests its transform and sink routes, with its settings, in
 * its own repository, against the bridge version it runs on. {@link io.carbridge.testkit.BridgeRouteTestSupport} is the
 * base class; {@code docs/team-project} is an example project that the bridge's build runs.
 *
 * <p>The artifact holds this package only: the kit, its sample enriched events, and the bridge's
 * {@code application.properties} and {@code routes/} of the same version, which the kit layers the team's files over.
 */
package io.carbridge.testkit;
