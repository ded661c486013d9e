package io.carbridge.smartcar;

import java.time.Instant;
import java.util.List;

/**
 * A listing one sync run claimed ({@link SmartcarApi#claimListing}): with v2.0 one owner's connection and the owner's
 * tokens, with v3 every connection of the application. The version's listing route lists its vehicles into it; the
 * shared steps of {@code routes/subscription-sync.camel.yaml} then ask it what is gone and what to subscribe, have it
 * subscribe each claimed vehicle, and release it, synced or failed. Its {@link #toString()} says in a log line where a
 * failure was ({@code user=...}, or {@code connections listing}).
 */
public interface Listing {

    /** Whether work on it goes on: the run was not stopped (and, v2.0, the owner's tokens still work). */
    boolean isActive();

    /** Consecutive failures before this run's: the backoff of the next. */
    int failureCount();

    /**
     * Marks GONE the vehicles of this listing that a complete listing no longer has (none when it was not complete),
     * except those an operator unsubscribed; those that were (or were being) subscribed need an unsubscribe.
     */
    VehicleStore.Gone markGone(Instant now);

    /** Records the listed vehicles (new ones NONE, a GONE one that is back NONE again); the ones to subscribe now. */
    List<String> record(Instant now);

    /** Subscribes a vehicle this run claimed to the webhook (v2.0 reads its make, model and year first). */
    void subscribe(VehicleStore.Claim vehicle);

    /**
     * The listing and its vehicles were handled: claim released, failures forgotten, what it found counted in the run.
     */
    void synced(Instant now);

    /**
     * The listing failed: claim released, error recorded. With {@code nextAttempt} it counts as a failure and waits
     * until then; without (a rate limit, which pauses every call, or an owner who must connect again) it does not
     * count.
     */
    void failed(String error, Instant nextAttempt, Instant now);
}
