package io.carbridge.smartcar;

import io.carbridge.admin.AdminApi;
import io.carbridge.http.RequestRefused;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Message;

/**
 * The admin calls of gap filling: {@code GET /admin/vehicles/reconcile} (the last run, or the one running: vehicles
 * read, signals newer, events stored, failures) and {@code POST /admin/vehicles/reconcile} (a run now). Smartcar API v3
 * only: with v2 the POST answers 409 {@code needs_api_v3} (503 without {@code SMARTCAR_CLIENT_ID}), and the GET says
 * why there is no run: {@code available: false} with that reason and a message.
 */
public final class ReconciliationAdmin {

    private static final String NOT_CONFIGURED =
            "Smartcar Connect and the subscription sync are not configured: set SMARTCAR_CLIENT_ID";

    /** Empty in an intake-only deployment. */
    private final Optional<SmartcarApi> api;

    private final ReconciliationStore store;
    private final ReconciliationSteps steps;

    ReconciliationAdmin(Optional<SmartcarApi> api, ReconciliationStore store, ReconciliationSteps steps) {
        this.api = api;
        this.store = store;
        this.steps = steps;
    }

    /** The last run of the reconciliation, or the one running; or why gap filling is not available here. */
    public Object lastRun(Message message) {
        try {
            available();
        } catch (RequestRefused unavailable) {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("available", false);
            answer.put("reason", unavailable.reason());
            answer.put("message", unavailable.getMessage());
            return answer;
        }
        Map<String, Object> view = view();
        view.put("available", true);
        return view;
    }

    /** Starts a run (on this instance, off the request): 202 with the last run's view; 409 while one is running. */
    public Object start(Message message) {
        available();
        Map<String, Object> view = view();
        if (Boolean.TRUE.equals(view.get("running")) || !steps.request()) {
            throw new RequestRefused(
                    409,
                    "running",
                    "a reconciliation is running already (started " + view.get("startedAt")
                            + "); GET /admin/vehicles/reconcile shows its progress");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("status", "started");
        answer.put("lastRun", view);
        return new AdminApi.Answer(202, answer);
    }

    private Map<String, Object> view() {
        Map<String, Object> view = store.view(Instant.now());
        // queued here, not claimed yet: running all the same
        if (steps.isQueuedHere()) {
            view.put("running", true);
        }
        return view;
    }

    private void available() {
        SmartcarApi configured = api.orElseThrow(() -> new RequestRefused(503, "not_configured", NOT_CONFIGURED));
        // only v3 reads a vehicle's signals
        if (configured.signals().isEmpty()) {
            throw new RequestRefused(
                    409,
                    "needs_api_v3",
                    "Filling gaps from Smartcar needs Smartcar API v3 (GET /v3/vehicles/{id}/signals); "
                            + "this bridge uses v2 (bridge.smartcar.api-version): nothing is read");
        }
    }
}
