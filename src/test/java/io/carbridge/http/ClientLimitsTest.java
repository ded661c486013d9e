package io.carbridge.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.BridgeConfiguration;
import io.carbridge.testing.BridgeHttp;
import io.carbridge.testing.BridgeTest;
import io.carbridge.testing.RawHttp;
import io.carbridge.testing.SmartcarDouble;
import io.carbridge.testing.TestPorts;
import java.util.HashMap;
import java.util.Map;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

/**
 * One client cannot lock others out: of Connect by starting sessions in a loop, nor of the admin API by guessing
 * tokens. Clients are told apart by their address, or through the trusted proxy (127.0.0.1 here) by what it appended to
 * {@code X-Forwarded-For}. The bursts are the documented defaults; Connect's refill is a minute here instead of 6 s, so
 * that a loaded machine cannot refill a token during the loop.
 */
@CamelMainTest(
        configurationClasses = BridgeConfiguration.class,
        propertyPlaceholderLocations = {
            SmartcarDouble.V3_PROPERTIES,
            BridgeTest.TEST_PROPERTIES,
            BridgeTest.APPLICATION_PROPERTIES
        },
        properties = {
            "bridge.db.url=jdbc:h2:mem:client-limits-test",
            "bridge.http.trusted-proxies=127.0.0.1",
            "bridge.connect.client-burst=10",
            "bridge.connect.client-refill=1m",
            "bridge.admin.failed-token-burst=10",
            "bridge.admin.failed-token-refill=1m"
        })
class ClientLimitsTest {

    private static final BridgeHttp HTTP = BridgeHttp.bridge();

    @Test
    void twoThousandQuickStartsFromOneClientGet429WhileAnotherClientStillConnects() {
        Map<Integer, Integer> statuses = new HashMap<>();
        BridgeHttp.Response last = null;
        for (int i = 0; i < 2_000; i++) {
            last = HTTP.get("/connect/start?ref=script-" + i, Map.of("X-Forwarded-For", "198.51.100.7"));
            statuses.merge(last.status(), 1, Integer::sum);
        }

        assertThat(statuses).containsEntry(302, 10).containsEntry(429, 1_990);
        assertThat(Integer.parseInt(last.header("Retry-After"))).isBetween(1, 60);
        assertThat(last.header("Content-Type")).startsWith("text/html");
        assertThat(HTTP.get("/connect/start?ref=person", Map.of("X-Forwarded-For", "198.51.100.8"))
                        .status())
                .isEqualTo(302);
        // the callback spends the same client's tokens: the script cannot finish sessions either
        assertThat(HTTP.get("/connect/callback?state=x&user_id=y", Map.of("X-Forwarded-For", "198.51.100.7"))
                        .status())
                .isEqualTo(429);
        assertThat(BridgeHttp.metric("bridge_http_rate_limited_total{limit=\"connect\"}"))
                .isGreaterThanOrEqualTo(1_991);
        assertThat(BridgeHttp.metric("bridge_smartcar_connect_total{outcome=\"client_limited\"}"))
                .isGreaterThanOrEqualTo(1_991);
    }

    @Test
    void aClientThatIsNotATrustedProxyIsCountedUnderItsOwnAddressWhateverItWritesInXForwardedFor() {
        for (int i = 0; i < 10; i++) {
            assertThat(RawHttp.sendFrom(
                            "127.0.0.2",
                            TestPorts.HTTP,
                            "GET /connect/start?ref=direct-" + i + " HTTP/1.1",
                            "X-Forwarded-For: 198.51.100.9"))
                    .startsWith("HTTP/1.1 302");
        }

        assertThat(RawHttp.sendFrom(
                        "127.0.0.2",
                        TestPorts.HTTP,
                        "GET /connect/start?ref=direct HTTP/1.1",
                        "X-Forwarded-For: 198.51.100.10"))
                .startsWith("HTTP/1.1 429")
                .contains("Retry-After");
        assertThat(HTTP.get("/connect/start?ref=via-proxy", Map.of("X-Forwarded-For", "198.51.100.9"))
                        .status())
                .isEqualTo(302);
    }

    @Test
    void aBurstOfWrongAdminTokensGets429FromThatAddressOnlyAndIsCounted() {
        Map<String, String> wrong = Map.of("Authorization", "Bearer guess", "X-Forwarded-For", "203.0.113.5");
        for (int i = 0; i < 10; i++) {
            assertThat(HTTP.get("/admin/events", wrong).status()).isEqualTo(401);
        }

        BridgeHttp.Response limited = HTTP.get("/admin/events", wrong);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.json().get("reason").asText()).isEqualTo("rate_limited");
        assertThat(Integer.parseInt(limited.header("Retry-After"))).isBetween(1, 60);
        // while limited, the right token from that address is refused too: the answer must not tell a right guess
        assertThat(HTTP.get(
                                "/admin/events",
                                Map.of("Authorization", "Bearer test-admin-token", "X-Forwarded-For", "203.0.113.5"))
                        .status())
                .isEqualTo(429);
        assertThat(HTTP.get(
                                "/admin/events",
                                Map.of("Authorization", "Bearer test-admin-token", "X-Forwarded-For", "203.0.113.6"))
                        .status())
                .isEqualTo(200);
        assertThat(BridgeHttp.metric("bridge_admin_token_failures_total")).isGreaterThanOrEqualTo(10);
    }
}
