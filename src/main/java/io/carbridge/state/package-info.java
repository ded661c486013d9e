/**
 * The vehicles' state: the latest value and the last error of every signal of every vehicle (table
 * {@code vehicle_signal}) and Smartcar's repeats of an error (table {@code error_repeat}), both written by the intake
 * in the transaction that stores the events ({@link io.carbridge.state.VehicleStateWriter}, called by the outbox's
 * event store), where an older time never overwrites a newer one; the state as it is read, its admin call ({@code GET
 * /admin/vehicles/{vehicleId}/state}) and its metrics.
 */
package io.carbridge.state;
