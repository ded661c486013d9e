package io.carbridge.state;

import io.carbridge.admin.AdminRequest;
import io.carbridge.http.RequestRefused;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Message;

/** The admin call on a vehicle's state: {@code GET /admin/vehicles/{vehicleId}/state}. */
public final class StateAdmin {

    private final VehicleStateStore store;

    StateAdmin(VehicleStateStore store) {
        this.store = store;
    }

    /**
     * The latest state of every signal of the vehicle: its value (the signal's body), unit, {@code oemUpdatedAt},
     * {@code fetchedAt} and the event that brought it, and its last error apart. 404 for a vehicle the bridge does not
     * know; a known vehicle without a state has no signals.
     */
    public Object showState(Message message) {
        String vehicleId = AdminRequest.of(message).path("vehicleId");
        List<Map<String, Object>> signals = store.signals(vehicleId);
        if (signals.isEmpty() && !store.knows(vehicleId)) {
            throw RequestRefused.notFound("vehicle " + vehicleId);
        }
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("vehicleId", vehicleId);
        state.put(
                "freshestSignalAt",
                signals.stream()
                        .map(signal -> (String) signal.get("valueAt"))
                        .filter(at -> at != null)
                        .map(Instant::parse)
                        .max(Instant::compareTo)
                        .map(Instant::toString)
                        .orElse(null));
        state.put("signals", signals);
        state.put("generatedAt", Instant.now().toString());
        return state;
    }
}
