/**
 * The Smartcar port ({@link io.carbridge.smartcar.SmartcarApi}) on the Vehicles API v2.0, chosen by
 * {@code bridge.smartcar.api-version=v2}: Connect exchanges the owner's code for OAuth tokens, stored AES-256-GCM
 * encrypted ({@link io.carbridge.smartcar.v2.TokenCipher}) and refreshed under the connection's claim; each owner's
 * connection is a listing of its own ({@link io.carbridge.smartcar.v2.ConnectionSession}), listed and subscribed with
 * the owner's tokens. Its listing route is {@code routes/subscription-sync-v2.camel.yaml}, whose steps are methods of
 * {@link io.carbridge.smartcar.v2.SmartcarV2}.
 */
package io.carbridge.smartcar.v2;
