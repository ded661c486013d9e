package io.carbridge.testkit;

/**
 * What the bridge knows of an event's vehicle when it delivers the event: make, model and year (from Smartcar, once the
 * vehicle is connected) and the customer reference of the connection it belongs to. The enrich step puts them in the
 * enriched event ({@code vehicle.make}, ..., {@code customerReference}); any of them may be null, as for a vehicle the
 * bridge does not know yet ({@link #UNKNOWN}).
 */
public record Vehicle(String make, String model, Integer year, String customerReference) {

    /** A vehicle the bridge knows nothing of: its events are forwarded with these fields empty. */
    public static final Vehicle UNKNOWN = new Vehicle(null, null, null, null);
}
