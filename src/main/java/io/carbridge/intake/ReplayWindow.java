package io.carbridge.intake;

import io.carbridge.ExchangeProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.camel.Exchange;

/**
 * The bridge remembers an event id as long as it keeps the event ({@code bridge.retention.hours}); after that, a
 * correctly signed delivery that someone captured and sends again would be stored as new and forwarded again. A
 * current-format delivery carries {@code meta.deliveredAt} inside the signed body, and Smartcar gives each attempt a
 * new one within minutes: a delivery older than the retention period less a day (for clocks that disagree) can only be
 * such a copy. The intake answers it 200 {@code stale} and stores nothing.
 */
public final class ReplayWindow {

    /** Taken off the retention period, so that a copy is refused before its id can have been forgotten. */
    static final Duration MARGIN = Duration.ofDays(1);

    private final Duration maxAge;
    private final Clock clock;

    ReplayWindow(Duration retention, Clock clock) {
        this.maxAge = retention.minus(MARGIN);
        this.clock = clock;
    }

    /**
     * Whether the exchange is a current-format {@code VEHICLE_STATE} or {@code VEHICLE_ERROR} delivered before the
     * window (as {@link IntakeSteps#parseEnvelope()} read it). A delivery without a readable {@code meta.deliveredAt}
     * is not judged.
     */
    public boolean isStale(Exchange exchange) {
        Object type = exchange.getProperty(ExchangeProperties.EVENT_TYPE);
        if (!"VEHICLE_STATE".equals(type) && !"VEHICLE_ERROR".equals(type)) {
            return false;
        }
        Instant deliveredAt = exchange.getProperty(ExchangeProperties.DELIVERED_AT, Instant.class);
        return deliveredAt != null && deliveredAt.isBefore(clock.instant().minus(maxAge));
    }
}
