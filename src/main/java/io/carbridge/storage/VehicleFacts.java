package io.carbridge.storage;

/**
 * What a current-format event says about its vehicle ({@code data.vehicle}, {@code data.user.id}): written to the
 * vehicles table when the event is stored, whatever the destinations, so that every later event of the vehicle (legacy
 * ones carry no make or model) is enriched. A field the event does not give is left as the table has it.
 *
 * @param firstDelivery the event is a {@code VEHICLE_STATE} triggered by {@code FIRST_DELIVERY}, which Smartcar sends
 *     once a subscription is in place: it confirms the vehicle's subscription
 */
public record VehicleFacts(
        String vehicleId, String userId, String make, String model, Integer year, boolean firstDelivery) {

    /** The same facts without the confirmation: what a later event must write again only if it changed. */
    public VehicleFacts attributes() {
        return firstDelivery ? new VehicleFacts(vehicleId, userId, make, model, year, false) : this;
    }
}
