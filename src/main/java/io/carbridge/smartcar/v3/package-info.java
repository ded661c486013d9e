/**
 * The Smartcar port ({@link io.carbridge.smartcar.SmartcarApi}) on API v3, the default
 * ({@code bridge.smartcar.api-version=v3}): every call with the application token
 * ({@link io.carbridge.smartcar.v3.ApplicationToken}, client credentials, kept in memory only); one listing of every
 * connection of the application ({@link io.carbridge.smartcar.v3.ApplicationListing}), subscriptions through the
 * Management API, and the vehicles' signals that gap filling reads. Its listing route is
 * {@code routes/subscription-sync-v3.camel.yaml}, whose steps are methods of
 * {@link io.carbridge.smartcar.v3.SmartcarV3}.
 */
package io.carbridge.smartcar.v3;
