package io.carbridge.delivery;

import io.carbridge.outbox.OutboxComponent;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Names the destinations that are paused or failing, as a detail of an UP check: a destination being down is not the
 * bridge being down (it keeps acknowledging and queueing events), so it must not take the bridge out of rotation. The
 * last error, which may name the destination's host and port, is left to the admin API.
 */
final class DestinationsHealthCheck extends AbstractHealthCheck {

    private final OutboxComponent outbox;

    DestinationsHealthCheck(OutboxComponent outbox) {
        super("bridge", "destinations");
        this.outbox = outbox;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        // anyone who reaches the management port reads this: the destination's name and state, not its address
        Map<String, String> unhealthy = outbox.unhealthyDestinations(false);
        builder.detail("unhealthy.destinations", String.join(",", unhealthy.keySet()));
        unhealthy.forEach((name, problem) -> builder.detail("destination." + name, problem));
        builder.up();
    }
}
