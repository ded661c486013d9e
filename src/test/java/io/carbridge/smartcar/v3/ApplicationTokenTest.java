package io.carbridge.smartcar.v3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbridge.smartcar.SmartcarCallException;
import io.carbridge.smartcar.SmartcarCallException.Kind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The v3 application token's cache, on a clock the test moves: when it is used, fetched, and fetched again. */
class ApplicationTokenTest {

    private final MovableClock clock = new MovableClock();
    private final AtomicInteger fetches = new AtomicInteger();

    @Test
    void aTokenIsUsedUntilShortlyBeforeItsExpiryThenANewOneIsFetched() {
        ApplicationToken token = new ApplicationToken(() -> grant(Duration.ofHours(1)), clock);

        assertThat(token.current()).isEqualTo("token-1");
        clock.move(Duration.ofMinutes(58));
        assertThat(token.current()).as("used while more than a minute is left").isEqualTo("token-1");
        clock.move(Duration.ofMinutes(1).plusSeconds(1));
        assertThat(token.current()).as("not in its last minute").isEqualTo("token-2");
        assertThat(fetches).hasValue(2);
    }

    @Test
    void aShortLivedTokenIsNotUsedInTheLastTenthOfItsLife() {
        ApplicationToken token = new ApplicationToken(() -> grant(Duration.ofSeconds(100)), clock);

        token.current();
        clock.move(Duration.ofSeconds(89));
        assertThat(token.current()).isEqualTo("token-1");
        clock.move(Duration.ofSeconds(2));
        assertThat(token.current()).isEqualTo("token-2");
    }

    @Test
    void a401FetchesANewTokenOnceAndTheCallIsMadeAgainWithIt() {
        ApplicationToken token = new ApplicationToken(() -> grant(Duration.ofHours(1)), clock);
        List<String> used = new ArrayList<>();

        String answer = token.call(bearer -> {
            used.add(bearer);
            if (bearer.equals("token-1")) {
                throw new SmartcarCallException(Kind.UNAUTHORIZED, "connections: HTTP 401");
            }
            return "listed";
        });

        assertThat(answer).isEqualTo("listed");
        assertThat(used).containsExactly("token-1", "token-2");
        assertThat(token.current()).as("the new token is kept").isEqualTo("token-2");
    }

    @Test
    void aSecond401IsThrownAsItIsAndOtherFailuresAreNotRetried() {
        ApplicationToken token = new ApplicationToken(() -> grant(Duration.ofHours(1)), clock);
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> token.call(bearer -> {
                    calls.incrementAndGet();
                    throw new SmartcarCallException(Kind.UNAUTHORIZED, "HTTP 401");
                }))
                .isInstanceOf(SmartcarCallException.class);
        assertThat(calls).hasValue(2);
        assertThat(fetches).hasValue(2);

        assertThatThrownBy(() -> token.call(bearer -> {
                    calls.incrementAndGet();
                    throw new SmartcarCallException(Kind.SERVER_ERROR, "HTTP 503");
                }))
                .isInstanceOf(SmartcarCallException.class);
        assertThat(calls).hasValue(3);
        assertThat(fetches).hasValue(2);
    }

    @Test
    void manyThreadsNeedingATokenAtOnceWaitForOneFetchAndManyRefusingTheSameTokenReplaceItOnce() throws Exception {
        CountDownLatch fetching = new CountDownLatch(1);
        ApplicationToken token = new ApplicationToken(
                () -> {
                    await(fetching);
                    return grant(Duration.ofHours(1));
                },
                clock);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<String>> threads = IntStream.range(0, 8)
                    .mapToObj(i -> CompletableFuture.supplyAsync(token::current, pool))
                    .toList();
            fetching.countDown();
            assertThat(threads.stream().map(CompletableFuture::join)).containsOnly("token-1");
            assertThat(fetches).hasValue(1);

            List<CompletableFuture<String>> refused = IntStream.range(0, 8)
                    .mapToObj(i -> CompletableFuture.supplyAsync(
                            () -> token.call(bearer -> {
                                if (bearer.equals("token-1")) {
                                    throw new SmartcarCallException(Kind.UNAUTHORIZED, "HTTP 401");
                                }
                                return bearer;
                            }),
                            pool))
                    .toList();
            assertThat(refused.stream().map(CompletableFuture::join)).containsOnly("token-2");
            assertThat(fetches).as("one new token for all of them").hasValue(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailedFetchLeavesNoTokenAndTheTokenNeverShows() {
        AtomicInteger attempts = new AtomicInteger();
        ApplicationToken token = new ApplicationToken(
                () -> {
                    if (attempts.incrementAndGet() == 1) {
                        throw new SmartcarCallException(
                                Kind.CREDENTIALS_REFUSED, "application-token: HTTP 401 invalid_client");
                    }
                    return grant(Duration.ofHours(1));
                },
                clock);

        assertThatThrownBy(token::current)
                .isInstanceOf(SmartcarCallException.class)
                .hasMessageContaining("invalid_client");
        assertThat(token.current()).isEqualTo("token-1");
        assertThat(token.toString()).doesNotContain("token-1");
        assertThat(new ApplicationToken.Grant("secret-token", Duration.ofHours(1)).toString())
                .doesNotContain("secret-token");
    }

    private ApplicationToken.Grant grant(Duration expiresIn) {
        return new ApplicationToken.Grant("token-" + fetches.incrementAndGet(), expiresIn);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static final class MovableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-11-30T10:00:00Z");

        void move(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
