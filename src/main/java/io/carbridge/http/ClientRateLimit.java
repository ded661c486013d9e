package io.carbridge.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;

/**
 * A token bucket per client address (Bucket4j): a client may spend {@code burst} tokens at once, and gets one back
 * every {@code refillEvery}. The buckets of recent clients are kept in a bounded cache, so that many addresses (a
 * botnet, a sweep of IPv6 addresses) cost memory for {@value #MAX_CLIENTS} clients at most; a bucket forgotten is a
 * full one, which is what an idle client would have by then.
 */
public final class ClientRateLimit {

    static final int MAX_CLIENTS = 100_000;

    private final Bandwidth bandwidth;
    private final Cache<String, Bucket> buckets;
    private final Counter limited;

    /** @param name what is limited, the {@code limit} label of {@code bridge_http_rate_limited_total} */
    public ClientRateLimit(String name, int burst, Duration refillEvery, MeterRegistry meters) {
        this.bandwidth =
                Bandwidth.builder().capacity(burst).refillGreedy(1, refillEvery).build();
        this.buckets = Caffeine.newBuilder()
                .maximumSize(MAX_CLIENTS)
                .expireAfterAccess(refillEvery.multipliedBy(burst))
                .build();
        this.limited = Counter.builder("bridge.http.rate.limited")
                .tag("limit", name)
                .description("Requests refused with 429 because their client went over its per-client limit")
                .register(meters);
    }

    /** Spends one of the client's tokens; empty when it had one, else how long until it has one again (and counted). */
    public Optional<Duration> take(String client) {
        ConsumptionProbe probe = bucket(client).tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? Optional.empty() : refused(probe.getNanosToWaitForRefill());
    }

    /**
     * Whether the client has a token left, without spending it: empty when it has, else how long until it has
     * (counted).
     */
    public Optional<Duration> check(String client) {
        EstimationProbe probe = bucket(client).estimateAbilityToConsume(1);
        return probe.canBeConsumed() ? Optional.empty() : refused(probe.getNanosToWaitForRefill());
    }

    private Optional<Duration> refused(long nanosToWait) {
        limited.increment();
        // a Retry-After in whole seconds, never 0: "now" would be a busy loop
        return Optional.of(Duration.ofSeconds(Math.max(1, (nanosToWait + 999_999_999L) / 1_000_000_000L)));
    }

    private Bucket bucket(String client) {
        return buckets.get(client, key -> Bucket.builder().addLimit(bandwidth).build());
    }
}
