package io.carbridge.http;

import io.carbridge.Setting;
import java.time.Duration;
import java.util.List;

/**
 * The embedded HTTP servers' settings, {@code bridge.http.*}: their threads and limits ({@link HttpServerGuard}), and
 * the proxies in front.
 */
public final class HttpSettings {

    @Setting(
            value =
                    "Worker threads running routes for HTTP requests; each intake request holds one while its commit is pending",
            min = 4,
            max = 1024)
    int workerThreads = 64;

    @Setting(
            "A connection with no request in progress for this long is closed (never sent one, headers too slow, or idle after "
                    + "its answer); a slow answer is never cut. Behind a load balancer, keep it above the balancer's idle timeout")
    Duration idleTimeout = Duration.ofSeconds(30);

    @Setting("A request body not fully arrived this long after its headers gets 408 and its connection is closed")
    Duration bodyReadTimeout = Duration.ofSeconds(10);

    @Setting(
            value = "Most open connections per port (main and management); one more is closed as it opens",
            min = 1,
            max = 100_000)
    int maxConnections = 512;

    @Setting(
            value =
                    "Addresses or CIDR ranges (`10.0.0.0/8`) of the proxies in front of the bridge; the per-client limits then "
                            + "count a request under the address its `X-Forwarded-For` says reached them. Empty: the socket's address, "
                            + "`X-Forwarded-For` ignored",
            defaultText = "(empty)")
    List<String> trustedProxies = List.of();

    public int workerThreads() {
        return workerThreads;
    }
}
