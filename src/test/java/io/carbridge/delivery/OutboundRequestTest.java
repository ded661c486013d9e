package io.carbridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.carbridge.outbox.OutboxConstants;
import io.carbridge.outbox.RetryPolicy;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class OutboundRequestTest {

    @Test
    void signsLikeTheStandardWebhooksSpecificationsTestVector() throws Exception {
        String signature = OutboundRequest.standardWebhooksSignature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L, "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));

        assertThat("v1," + signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void dropsEveryIncomingHeaderAndSetsTheIdempotencyKeyAndAuthentication() throws Exception {
        Destination bearer = destination(Destination.Auth.BEARER, null, null);
        Exchange exchange = exchange(bearer, Map.of("eventId", "e-1"));
        exchange.getMessage().setHeader("X-Leaked", "no");

        request(bearer, exchange);

        assertThat(exchange.getMessage().getHeaders()).containsOnlyKeys("Content-Type", "Idempotency-Key", "Authorization");
        assertThat(exchange.getMessage().getHeader("Authorization")).isEqualTo("Bearer s3cret");
        assertThat(exchange.getMessage().getHeader("Idempotency-Key")).isEqualTo("e-1");
        assertThat(exchange.getMessage().getBody(String.class)).isEqualTo("{\"eventId\":\"e-1\"}");
    }

    @Test
    void sendsBasicAndCustomHeaderAuthentication() throws Exception {
        Destination basicAuth = destination(Destination.Auth.BASIC, "crm-user", null);
        Exchange basic = exchange(basicAuth, Map.of());
        request(basicAuth, basic);
        assertThat(basic.getMessage().getHeader("Authorization")).isEqualTo("Basic Y3JtLXVzZXI6czNjcmV0");

        Destination headerAuth = destination(Destination.Auth.HEADER, null, "X-Api-Key");
        Exchange header = exchange(headerAuth, Map.of());
        request(headerAuth, header);
        assertThat(header.getMessage().getHeader("X-Api-Key")).isEqualTo("s3cret");
        assertThat(header.getMessage().getHeader("Authorization")).isNull();
    }

    @Test
    void takesTheBytesOfAnAlreadyMarshalledDocumentAsTheyAre() throws Exception {
        Destination none = destination(Destination.Auth.NONE, null, null);
        Exchange exchange = exchange(none, Map.of());
        exchange.getMessage().setBody("{\"shaped\": true}".getBytes(StandardCharsets.UTF_8));

        request(none, exchange);

        assertThat(exchange.getMessage().getBody(String.class)).isEqualTo("{\"shaped\": true}");
        assertThat(exchange.getMessage().getHeaders()).containsOnlyKeys("Content-Type", "Idempotency-Key");
    }

    /** What the outbox consumer hands the route: the destination and the event id as headers. */
    private static Exchange exchange(Destination destination, Map<String, Object> body) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(body);
        exchange.getMessage().setHeader(OutboxConstants.DESTINATION, destination.name());
        exchange.getMessage().setHeader(OutboxConstants.EVENT_ID, "e-1");
        return exchange;
    }

    private static void request(Destination destination, Exchange exchange) throws Exception {
        new OutboundRequest(Destinations.of(destination)).process(exchange);
    }

    private static Destination destination(Destination.Auth auth, String username, String header) {
        return new Destination("crm", "http://localhost/crm", "POST", auth, username, header, auth == Destination.Auth.NONE ? null : "s3cret",
                Duration.ofSeconds(5), List.of(), false, Destinations.DEFAULT_TRANSFORM, null, 1,
                new RetryPolicy(Duration.ofSeconds(1), 2, Duration.ofMinutes(1), 0, Duration.ofHours(1)));
    }
}
