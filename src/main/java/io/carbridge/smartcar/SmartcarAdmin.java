package io.carbridge.smartcar;

import io.carbridge.admin.AdminRequest;
import io.carbridge.http.RequestRefused;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;

/**
 * The admin API of Connect and the sync: connections (never their tokens; with API v3 also the state of the listing of
 * the application's connections), vehicles with their subscription state, last error and last event, a sync run on
 * demand, and an operator's unsubscribe (through the port, {@link SmartcarApi}).
 */
public final class SmartcarAdmin {

    private static final Set<String> CONNECTION_STATUSES =
            Set.of(ConnectionStore.ACTIVE, ConnectionStore.NEEDS_REAUTHORIZATION);
    private static final Set<String> VEHICLE_STATUSES = Set.of(
            VehicleStore.NONE,
            VehicleStore.SUBSCRIBING,
            VehicleStore.SUBSCRIBED,
            VehicleStore.FAILED,
            VehicleStore.GONE,
            VehicleStore.UNSUBSCRIBED);
    private static final String NOT_CONFIGURED =
            "Smartcar Connect and the subscription sync are not configured: set SMARTCAR_CLIENT_ID";

    private final ConnectionStore connections;
    private final VehicleStore vehicles;
    /** Empty in an intake-only deployment. */
    private final Optional<SmartcarApi> api;

    private final ProducerTemplate producer;
    private final SmartcarMetrics metrics;

    SmartcarAdmin(
            ConnectionStore connections,
            VehicleStore vehicles,
            Optional<SmartcarApi> api,
            ProducerTemplate producer,
            SmartcarMetrics metrics) {
        this.connections = connections;
        this.vehicles = vehicles;
        this.api = api;
        this.producer = producer;
        this.metrics = metrics;
    }

    /** The connections (never their tokens); with v3 also the last listing of the application's connections. */
    public Object listConnections(Message message) {
        AdminRequest request = AdminRequest.of(message);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("connections", connections.list(status(request, CONNECTION_STATUSES), request.limit(100, 1000)));
        api.flatMap(SmartcarApi::connectionListing).ifPresent(listing -> answer.put("connectionListing", listing));
        return answer;
    }

    /** The vehicles with their subscription state, last error and last event. */
    public Object listVehicles(Message message) {
        AdminRequest request = AdminRequest.of(message);
        return Map.of(
                "vehicles",
                vehicles.withLastEvent(vehicles.list(
                        status(request, VEHICLE_STATUSES), request.query("userId"), request.limit(100, 1000))));
    }

    /** The same run as the timer's, on the caller's thread; answers its summary. */
    public Object runSync() {
        if (api.isEmpty()) {
            throw new RequestRefused(503, "not_configured", NOT_CONFIGURED);
        }
        Exchange run = producer.send(Smartcar.SYNC_ENDPOINT, exchange -> {});
        Exception failure = run.getException() != null
                ? run.getException()
                : run.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (failure != null) {
            throw new RequestRefused(
                    503,
                    "sync_failed",
                    "the sync could not run: " + failure.getClass().getSimpleName());
        }
        return run.getMessage().getBody(Map.class);
    }

    /**
     * Unsubscribes at Smartcar (when the vehicle is or was subscribed) and marks the vehicle UNSUBSCRIBED, which the
     * sync leaves alone. A vehicle a sync is subscribing right now gets 409: try again in a moment.
     */
    public Object unsubscribe(Message message) {
        AdminRequest request = AdminRequest.of(message);
        SmartcarApi smartcar = api.orElseThrow(() -> new RequestRefused(503, "not_configured", NOT_CONFIGURED));
        String vehicleId = request.path("vehicleId");
        if (!SmartcarHttp.ID.matcher(vehicleId).matches()) {
            throw RequestRefused.badRequest("vehicleId is not a Smartcar vehicle id");
        }
        String status = (String) vehicles.find(vehicleId)
                .orElseThrow(() -> RequestRefused.notFound("vehicle " + vehicleId))
                .get("subscriptionStatus");
        if (VehicleStore.SUBSCRIBING.equals(status)) {
            throw RequestRefused.conflict("a sync is subscribing this vehicle right now; try again in a moment");
        }
        if (VehicleStore.SUBSCRIBED.equals(status) || VehicleStore.GONE.equals(status)) {
            try {
                smartcar.unsubscribe(vehicleId);
                metrics.unsubscribed();
            } catch (SmartcarCallException e) {
                vehicles.recordError(vehicleId, "unsubscribe: " + e.getMessage(), Instant.now());
                throw new RequestRefused(
                        502, "smartcar_failed", "Smartcar did not unsubscribe the vehicle: " + e.getMessage());
            }
        }
        if (!vehicles.unsubscribed(vehicleId, status, Instant.now())) {
            throw RequestRefused.conflict("the vehicle changed meanwhile; try again");
        }
        return vehicles.find(vehicleId).orElseThrow();
    }

    private static Optional<String> status(AdminRequest request, Set<String> allowed) {
        Optional<String> status = request.query("status");
        if (status.isPresent() && !allowed.contains(status.get())) {
            throw RequestRefused.badRequest("status must be one of " + String.join(", ", new TreeSet<>(allowed)));
        }
        return status;
    }
}
