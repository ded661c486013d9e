package io.carbridge.smartcar.v3;

import io.carbridge.smartcar.AccessToken;
import io.carbridge.smartcar.SmartcarCallException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The v3 application access token (client credentials at {@code SMARTCAR_IAM_URL}), kept in this instance's memory
 * only. It is used until shortly before its {@code expires_in} runs out, fetched by one thread at a time (the others
 * wait for that token instead of asking for their own), and fetched again once when Smartcar answers 401 to a call made
 * with it. The token is never logged, and appears in no exception, metric or answer: {@link #toString()} and the log
 * lines say only how long it is valid.
 */
final class ApplicationToken extends AccessToken {

    /** A token is not used in the last tenth of its lifetime, and at most this long before it expires. */
    private static final Duration MAX_MARGIN = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(ApplicationToken.class);

    private final Supplier<Grant> fetch;
    private final Clock clock;
    private final ReentrantLock fetching = new ReentrantLock();
    private volatile Held held;

    /** @param fetch one request for a new token; throws a {@link SmartcarCallException} when none is given */
    ApplicationToken(Supplier<Grant> fetch, Clock clock) {
        this.fetch = fetch;
        this.clock = clock;
    }

    /** What the token endpoint answered: the token and its {@code expires_in}. */
    record Grant(String accessToken, Duration expiresIn) {
        @Override
        public String toString() {
            return "Grant[expiresIn=" + expiresIn + "]";
        }
    }

    private record Held(String token, Instant useUntil) {}

    /** The cached token while it is usable, else a new one. */
    @Override
    protected String current() {
        Held token = held;
        if (token != null && usable(token)) {
            return token.token();
        }
        fetching.lock();
        try {
            token = held;
            return token != null && usable(token) ? token.token() : fetchNew();
        } finally {
            fetching.unlock();
        }
    }

    /** A token other than {@code refused}: the one another thread fetched meanwhile, or a new one. */
    @Override
    protected String renew(String refused, String why) {
        LOG.info("401 from Smartcar ({}): fetching a new application token and trying once more", why);
        fetching.lock();
        try {
            Held token = held;
            return token != null && !token.token().equals(refused) && usable(token) ? token.token() : fetchNew();
        } finally {
            fetching.unlock();
        }
    }

    private String fetchNew() {
        held = null;
        // counted from before the request, so that the token is never believed to live longer than it does
        Instant requested = clock.instant();
        Grant grant = fetch.get();
        Duration margin = grant.expiresIn().dividedBy(10);
        Instant useUntil =
                requested.plus(grant.expiresIn()).minus(margin.compareTo(MAX_MARGIN) < 0 ? margin : MAX_MARGIN);
        held = new Held(grant.accessToken(), useUntil);
        LOG.info("application token fetched, used until {}", useUntil);
        return grant.accessToken();
    }

    private boolean usable(Held token) {
        return clock.instant().isBefore(token.useUntil());
    }

    @Override
    public String toString() {
        Held token = held;
        return "ApplicationToken[" + (token == null ? "none" : "used until " + token.useUntil()) + "]";
    }
}
