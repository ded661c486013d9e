/**
 * The bridge's start and wiring: {@link io.carbridge.BridgeApplication} starts camel-main
 * ({@link io.carbridge.BridgeMain}, with a team's own route files and settings added by
 * {@link io.carbridge.TeamFiles}), {@link io.carbridge.BridgeConfiguration} binds every bean the routes name (one
 * {@code @BindToRegistry} method each) and adds what runs beside the routes, {@link io.carbridge.Settings} reads and
 * checks {@code application.properties}.
 */
package io.carbridge;
