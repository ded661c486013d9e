/**
 * Smartcar Connect and the subscription sync, the Java steps of {@code routes/smartcar-connect.camel.yaml} and
 * {@code routes/subscription-sync.camel.yaml}: the v3 application token and the v2.0 owner tokens (AES-256-GCM at
 * rest), the Smartcar API clients of both versions on camel-http, the claims that let several instances sync, and the
 * admin calls on connections and vehicles; and gap filling, the steps of {@code routes/vehicle-reconciliation.camel.yaml}
 * (v3: the signals newer than the vehicles' state, read from Smartcar after a downtime or on demand). Owns the tables
 * {@code smartcar_connection}, {@code connect_state}, {@code vehicle}, {@code connection_listing},
 * {@code smartcar_rate_limit}, {@code bridge_heartbeat} and {@code vehicle_reconciliation}.
 */
package io.carbridge.smartcar;
