/**
 * The checks a team runs before a deploy, and the build runs on every change: each route file of {@code routes/}
 * against the Camel YAML DSL's schema, each endpoint URI in them against the Camel catalog of the version the bridge
 * runs on ({@link io.carbridge.check.RouteFilesCheck}); and, for {@code java -jar smartcar-bridge.jar --check}, every
 * setting and destination the way the service checks them at start, without opening a port or the database
 * ({@link io.carbridge.check.CheckCommand}). Every problem is one {@link io.carbridge.check.Problem}: one line that
 * names the file and line, or the setting.
 */
package io.carbridge.check;
