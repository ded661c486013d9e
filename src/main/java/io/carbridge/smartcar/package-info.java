/**
 * Smartcar Connect and the subscription sync, the Java steps of {@code routes/smartcar-connect.camel.yaml} and
 * {@code routes/subscription-sync.camel.yaml}, one flow for both Smartcar API versions; and gap filling, the steps of
 * {@code routes/vehicle-reconciliation.camel.yaml} (the signals newer than the vehicles' state, read from Smartcar
 * after a downtime or on demand). What differs between the versions is behind one port,
 * {@link io.carbridge.smartcar.SmartcarApi}, with an implementation per version ({@code io.carbridge.smartcar.v3},
 * {@code io.carbridge.smartcar.v2}), chosen once by {@link io.carbridge.smartcar.ApiVersion}. Here: the port, the
 * shared steps, the Connect pages, the stores, the HTTP calls and the classification of Smartcar's failures, the claims
 * that let several instances sync, and the admin calls on connections and vehicles. Owns the tables
 * {@code smartcar_connection}, {@code connect_state}, {@code vehicle}, {@code connection_listing},
 * {@code smartcar_rate_limit}, {@code bridge_heartbeat} and {@code vehicle_reconciliation}.
 */
package io.carbridge.smartcar;
