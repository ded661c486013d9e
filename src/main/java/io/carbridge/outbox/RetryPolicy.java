package io.carbridge.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When a failed delivery is tried again: exponential backoff with jitter, capped, until the delivery is older than
 * {@code maxAge} or has had {@code maxAttempts} attempts (0: no attempt limit), whichever comes first.
 */
public record RetryPolicy(
        Duration initialDelay, double multiplier, Duration maxDelay, int maxAttempts, Duration maxAge) {

    /**
     * The delay before attempt {@code attemptsSoFar + 1}: {@code initialDelay * multiplier^(attemptsSoFar - 1)}, capped
     * at {@code maxDelay}, of which a random half is taken off (jitter spreads the retries of many deliveries that
     * failed together). A {@code Retry-After} from the destination, when longer, wins.
     */
    public Duration delayAfter(int attemptsSoFar, Duration retryAfter) {
        double exponential = initialDelay.toMillis() * Math.pow(multiplier, Math.max(0, attemptsSoFar - 1));
        long capped = (long) Math.min(exponential, maxDelay.toMillis());
        long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        Duration delay = Duration.ofMillis(jittered);
        return retryAfter != null && retryAfter.compareTo(delay) > 0 ? retryAfter : delay;
    }

    /** Whether a delivery queued at {@code queuedAt} may be tried again at {@code nextAttemptAt}. */
    public boolean allowsAnotherAttempt(int attemptsSoFar, Instant queuedAt, Instant nextAttemptAt) {
        boolean attemptsLeft = maxAttempts == 0 || attemptsSoFar < maxAttempts;
        return attemptsLeft && !nextAttemptAt.isAfter(queuedAt.plus(maxAge));
    }
}
