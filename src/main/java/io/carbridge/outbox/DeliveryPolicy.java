package io.carbridge.outbox;

import java.time.Duration;
import java.util.List;

/**
 * How the outbox delivers to one destination: what its {@code outbox:<destination>} consumer takes from the
 * destination's settings.
 *
 * @param concurrency the attempts in flight at once (different vehicles)
 * @param timeout the longest an attempt may take; a claim lasts this plus the claim margin
 * @param retry when a failed attempt is made again, and when it becomes a dead letter
 * @param deadOn the failures another attempt cannot fix: a dead letter at once
 * @param secrets values the destination's requests carry that must never be recorded (masked in every error kept)
 * @param latestState whether the destination takes a vehicle's state rather than every state event: a
 *     {@code VEHICLE_STATE} delivery that a later one waiting, or the state the destination has already, makes needless
 *     is superseded rather than attempted
 */
public record DeliveryPolicy(
        int concurrency,
        Duration timeout,
        RetryPolicy retry,
        FailureList deadOn,
        List<String> secrets,
        boolean latestState) {}
