package io.carbridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

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
        Exchange exchange = exchange(destination(Destination.Auth.BEARER, null, null), Map.of("eventId", "e-1"));
        exchange.getMessage().setHeader("X-Leaked", "no");

        new OutboundRequest().process(exchange);

        assertThat(exchange.getMessage().getHeaders()).containsOnlyKeys("Content-Type", "Idempotency-Key", "Authorization");
        assertThat(exchange.getMessage().getHeader("Authorization")).isEqualTo("Bearer s3cret");
        assertThat(exchange.getMessage().getHeader("Idempotency-Key")).isEqualTo("e-1");
        assertThat(exchange.getMessage().getBody(String.class)).isEqualTo("{\"eventId\":\"e-1\"}");
    }

    @Test
    void sendsBasicAndCustomHeaderAuthentication() throws Exception {
        Exchange basic = exchange(destination(Destination.Auth.BASIC, "crm-user", null), Map.of());
        new OutboundRequest().process(basic);
        assertThat(basic.getMessage().getHeader("Authorization")).isEqualTo("Basic Y3JtLXVzZXI6czNjcmV0");

        Exchange header = exchange(destination(Destination.Auth.HEADER, null, "X-Api-Key"), Map.of());
        new OutboundRequest().process(header);
        assertThat(header.getMessage().getHeader("X-Api-Key")).isEqualTo("s3cret");
        assertThat(header.getMessage().getHeader("Authorization")).isNull();
    }

    @Test
    void takesTheBytesOfAnAlreadyMarshalledDocumentAsTheyAre() throws Exception {
        Exchange exchange = exchange(destination(Destination.Auth.NONE, null, null), Map.of());
        exchange.getMessage().setBody("{\"shaped\": true}".getBytes(StandardCharsets.UTF_8));

        new OutboundRequest().process(exchange);

        assertThat(exchange.getMessage().getBody(String.class)).isEqualTo("{\"shaped\": true}");
        assertThat(exchange.getMessage().getHeaders()).containsOnlyKeys("Content-Type", "Idempotency-Key");
    }

    private static Exchange exchange(Destination destination, Map<String, Object> body) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(body);
        exchange.setProperty(OutboundRequest.DESTINATION, destination);
        exchange.setProperty(OutboundRequest.EVENT_ID, "e-1");
        return exchange;
    }

    private static Destination destination(Destination.Auth auth, String username, String header) {
        return new Destination("crm", "http://localhost/crm", "POST", auth, username, header, auth == Destination.Auth.NONE ? null : "s3cret",
                Duration.ofSeconds(5), List.of(), false, Destinations.DEFAULT_TRANSFORM, null, 1,
                new RetryPolicy(Duration.ofSeconds(1), 2, Duration.ofMinutes(1), 0, Duration.ofHours(1)));
    }
}
