package io.carbridge.delivery;

import java.util.Map;

import io.carbridge.outbox.OutboxComponent;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Names the destinations that are paused or failing, as a detail of an UP check: a destination being down is not the
 * bridge being down (it keeps acknowledging and queueing events), so it must not take the bridge out of rotation.
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
        Map<String, String> unhealthy = outbox.unhealthyDestinations();
        builder.detail("unhealthy.destinations", String.join(",", unhealthy.keySet()));
        unhealthy.forEach((name, problem) -> builder.detail("destination." + name, problem));
        builder.up();
    }
}
