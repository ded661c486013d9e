package io.carbridge;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckHelper;

/**
 * {@code bridge_ready}: 1 while {@code /observe/health/ready} answers UP, 0 while it answers DOWN (the database does
 * not answer, a route is not running). Prometheus reads no probe, and its {@code up} only says that the management port
 * answered the scrape, which a bridge whose database is down still does. The value is computed at each scrape from the
 * same readiness checks, the same way, as the management server's readiness answer, so the two cannot disagree; the
 * metrics page is served on a worker thread, as the health answers are, so the database check may block there.
 */
final class ReadinessMetric {

    private ReadinessMetric() {}

    static void register(CamelContext camel, MeterRegistry registry) {
        Gauge.builder("bridge.ready", camel, ReadinessMetric::ready)
                .description("1 while the readiness check (/observe/health/ready) is UP, else 0")
                .strongReference(true)
                .register(registry);
    }

    private static double ready(CamelContext camel) {
        return HealthCheckHelper.isResultsUp(HealthCheckHelper.invokeReadiness(camel), true) ? 1 : 0;
    }
}
