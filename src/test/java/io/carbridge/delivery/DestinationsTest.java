package io.carbridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Properties;

import io.carbridge.Settings;
import io.carbridge.storage.CanonicalEvent;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

class DestinationsTest {

    @Test
    void readsEveryDestinationSetting() {
        Destinations destinations = read("""
                bridge.destinations = crm
                bridge.destination.crm.url = https://crm.example.com/api/activities
                bridge.destination.crm.method = put
                bridge.destination.crm.auth = basic
                bridge.destination.crm.auth-username = bridge
                bridge.destination.crm.auth-secret-env = CRM_PASSWORD
                CRM_PASSWORD = pa55
                bridge.destination.crm.timeout = 3s
                bridge.destination.crm.event-types = CHARGING_*, VEHICLE_ERROR
                bridge.destination.crm.transform = direct:crm-contact-activity
                bridge.destination.crm.concurrency = 4
                bridge.destination.crm.retry.max-attempts = 7
                bridge.destination.crm.retry.max-age = 2h
                """);

        Destination crm = destinations.get("crm");
        assertThat(crm.method()).isEqualTo("PUT");
        assertThat(crm.auth()).isEqualTo(Destination.Auth.BASIC);
        assertThat(crm.authSecret()).isEqualTo("pa55");
        assertThat(crm.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(crm.retry().maxAttempts()).isEqualTo(7);
        assertThat(crm.retry().maxAge()).isEqualTo(Duration.ofHours(2));
        assertThat(crm.toString()).doesNotContain("pa55");
        assertThat(destinations.routeIds()).containsExactly("deliver-crm");
        assertThat(destinations.parameters("deliver-crm"))
                .containsEntry("templateId", Destinations.TEMPLATE)
                .containsEntry("name", "crm")
                .containsEntry("url", "https://crm.example.com/api/activities")
                .containsEntry("method", "PUT")
                .containsEntry("timeout", 3000L)
                .containsEntry("concurrency", 4)
                .containsEntry("transform", "direct:crm-contact-activity")
                .containsEntry("retryMaxAttempts", 7)
                .containsEntry("retryMaxAge", 7_200_000L);
    }

    @Test
    void theSecretsOfADestinationAreEveryValueItsRequestsCarryOrSignWith() {
        Destinations destinations = read("""
                bridge.destinations = crm, open
                bridge.destination.crm.url = https://crm.example.com/api/activities
                bridge.destination.crm.auth = basic
                bridge.destination.crm.auth-username = bridge
                bridge.destination.crm.auth-secret-env = CRM_PASSWORD
                CRM_PASSWORD = s3cret-pass
                bridge.destination.crm.signing-secret-env = CRM_SIGNING
                CRM_SIGNING = whsec-signing-key
                bridge.destination.open.url = https://open.example.com/
                """);

        assertThat(destinations.secretsOf("crm")).containsExactlyInAnyOrder("s3cret-pass", "whsec-signing-key",
                "YnJpZGdlOnMzY3JldC1wYXNz" /* base64 of bridge:s3cret-pass, the Basic credentials as sent */);
        assertThat(destinations.secretsOf("open")).isEmpty();
    }

    @Test
    void filtersByEventTypeAndTestMode() {
        Destinations destinations = read("""
                bridge.destinations = charging, everything, testing
                bridge.destination.charging.url = http://localhost/c
                bridge.destination.charging.event-types = CHARGING_*
                bridge.destination.everything.url = http://localhost/e
                bridge.destination.testing.url = http://localhost/t
                bridge.destination.testing.include-test-events = true
                """);

        assertThat(destinations.destinationsFor(event("CHARGING_STARTED", "live"))).containsExactly("charging", "everything", "testing");
        assertThat(destinations.destinationsFor(event("VEHICLE_STATE", "live"))).containsExactly("everything", "testing");
        assertThat(destinations.destinationsFor(event("CHARGING_STARTED", "test"))).containsExactly("testing");
        assertThat(destinations.destinationsFor(event("VEHICLE_STATE", "simulated"))).containsExactly("testing");
    }

    @Test
    void refusesToStartOnAMisconfiguredDestinationNamingItAndTheSetting() {
        assertThatThrownBy(() -> read("bridge.destinations = crm"))
                .isInstanceOf(Settings.InvalidSettingException.class)
                .hasMessageContaining("bridge.destination.crm.url").hasMessageContaining("'crm'");
        assertThatThrownBy(() -> read("bridge.destinations = crm\nbridge.destination.crm.url = ftp://x"))
                .hasMessageContaining("bridge.destination.crm.url");
        assertThatThrownBy(() -> read("bridge.destinations = crm\nbridge.destination.crm.url = http://x\nbridge.destination.crm.auth = oauth"))
                .hasMessageContaining("bridge.destination.crm.auth").hasMessageContaining("oauth");
        assertThatThrownBy(() -> read("bridge.destinations = crm\nbridge.destination.crm.url = http://x\nbridge.destination.crm.auth = bearer"))
                .hasMessageContaining("bridge.destination.crm.auth-secret-env");
        assertThatThrownBy(() -> read("""
                bridge.destinations = crm
                bridge.destination.crm.url = http://x
                bridge.destination.crm.auth = bearer
                bridge.destination.crm.auth-secret-env = NOT_SET_ANYWHERE_1234
                """)).hasMessageContaining("NOT_SET_ANYWHERE_1234").hasMessageContaining("'crm'");
        assertThatThrownBy(() -> read("bridge.destinations = CRM!"))
                .hasMessageContaining("bridge.destinations");
        assertThatThrownBy(() -> read("bridge.destinations = crm\nbridge.destination.crm.url = http://x\nbridge.destination.crm.timeout = soon"))
                .hasMessageContaining("bridge.destination.crm.timeout");
    }

    private static Destinations read(String properties) {
        Properties initial = new Properties();
        try {
            initial.load(new java.io.StringReader(properties));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        DefaultCamelContext camel = new DefaultCamelContext();
        camel.getPropertiesComponent().setInitialProperties(initial);
        return Destinations.from(new Settings(camel));
    }

    private static CanonicalEvent event(String type, String mode) {
        return new CanonicalEvent("e", type, true, "v", null, mode, "w", "4.0", Instant.now(), new byte[0]);
    }
}
