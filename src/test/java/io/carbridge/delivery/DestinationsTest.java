package io.carbridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbridge.Settings;
import io.carbridge.delivery.http.HttpSink;
import io.carbridge.delivery.kafka.KafkaSink;
import io.carbridge.storage.CanonicalEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
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
        HttpSink sink = (HttpSink) crm.sink();
        assertThat(sink.method()).isEqualTo("PUT");
        assertThat(sink.auth()).isEqualTo(HttpSink.Auth.BASIC);
        assertThat(sink.authSecret()).isEqualTo("pa55");
        assertThat(sink.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(crm.policy().retry().maxAttempts()).isEqualTo(7);
        assertThat(crm.policy().retry().maxAge()).isEqualTo(Duration.ofHours(2));
        assertThat(crm.eventTypes()).containsExactly("CHARGING_*", "VEHICLE_ERROR");
        assertThat(crm.toString()).doesNotContain("pa55");
        assertThat(destinations.routeIds()).containsExactly("deliver-crm", "http-sink-crm");
        assertThat(destinations.parameters("deliver-crm"))
                .containsEntry("templateId", Destinations.TEMPLATE)
                .containsEntry("name", "crm")
                .containsEntry("transform", "direct:crm-contact-activity")
                .containsEntry("sink", "direct:http-sink-crm");
        assertThat(destinations.parameters("http-sink-crm"))
                .containsEntry("templateId", HttpSink.TEMPLATE)
                .containsEntry("url", "https://crm.example.com/api/activities")
                .containsEntry("method", "PUT")
                .containsEntry("timeout", 3000L)
                .containsEntry("concurrency", 4);
    }

    @Test
    void aKafkaDestinationGetsTheBridgesKafkaSinkWithAcksFromEveryReplicaAndAnIdempotentProducer() {
        Destinations destinations = read("""
                bridge.destinations = topic
                bridge.destination.topic.uri = kafka:vehicle-events?brokers=localhost:9092
                bridge.destination.topic.timeout = 5s
                """);

        KafkaSink sink = (KafkaSink) destinations.get("topic").sink();
        assertThat(sink.uri()).isEqualTo("direct:kafka-sink-topic");
        assertThat(destinations.get("topic").policy().concurrency())
                .as("the default: the producer sends the records in flight together")
                .isEqualTo(32);
        assertThat(sink.endpoint())
                .startsWith("kafka:vehicle-events?brokers=localhost:9092&")
                .contains(
                        "requestRequiredAcks=all",
                        "enableIdempotence=true",
                        "deliveryTimeoutMs=5000",
                        "maxBlockMs=5000");
        assertThat(destinations.routeIds()).containsExactly("deliver-topic", "kafka-sink-topic");
        assertThat(destinations.get("topic").policy().deadOn().names())
                .contains(
                        "org.apache.kafka.common.errors.RecordTooLargeException",
                        "org.apache.camel.ResolveEndpointFailedException");
        assertThatThrownBy(
                        () -> read(
                                "bridge.destinations = t\nbridge.destination.t.uri = kafka:x?brokers=b:1&requestRequiredAcks=1"))
                .hasMessageContaining("bridge.destination.t.uri")
                .hasMessageContaining("requestRequiredAcks=1");
        assertThatThrownBy(
                        () -> read(
                                "bridge.destinations = t\nbridge.destination.t.uri = kafka:x?brokers=b:1&enableIdempotence=false"))
                .hasMessageContaining("bridge.destination.t.uri")
                .hasMessageContaining("enableIdempotence=false");
        assertThatThrownBy(
                        () -> read(
                                "bridge.destinations = t\nbridge.destination.t.uri = kafka:x?brokers=b:1&deliveryTimeoutMs=120000"))
                .hasMessageContaining("deliveryTimeoutMs")
                .hasMessageContaining("bridge.destination.t.timeout");
    }

    @Test
    void anyOtherEndpointIsTheSinkItselfAndItsSecretsAreNeverShown() {
        Destinations destinations = read("""
                bridge.destinations = drop
                bridge.destination.drop.uri = file:/var/erp/inbox?fileName=${header.CamelOutboxEventId}.json&password=RAW(top-secret)
                """);

        Sink sink = destinations.get("drop").sink();
        assertThat(sink).isInstanceOf(EndpointSink.class);
        assertThat(sink.uri()).startsWith("file:/var/erp/inbox");
        assertThat(sink.shown()).doesNotContain("top-secret");
        assertThat(destinations.secretsOf("drop")).contains("top-secret");
        assertThat(destinations.describe("drop").toString()).doesNotContain("top-secret");
        assertThat(destinations.routeIds()).containsExactly("deliver-drop");
    }

    @Test
    void theSecretsOfAnHttpDestinationAreEveryValueItsRequestsCarryOrSignWith() {
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

        assertThat(destinations.secretsOf("crm"))
                .containsExactlyInAnyOrder(
                        "s3cret-pass",
                        "whsec-signing-key",
                        "YnJpZGdlOnMzY3JldC1wYXNz" /* base64 of bridge:s3cret-pass, the Basic credentials as sent */);
        assertThat(destinations.secretsOf("open")).isEmpty();
        assertThat(destinations.describe("crm").toString())
                .doesNotContain("s3cret-pass", "whsec-signing-key")
                .contains("auth-secret-env=CRM_PASSWORD");
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

        assertThat(destinations.destinationsFor(event("CHARGING_STARTED", "live")))
                .containsExactly("charging", "everything", "testing");
        assertThat(destinations.destinationsFor(event("VEHICLE_STATE", "live")))
                .containsExactly("everything", "testing");
        assertThat(destinations.destinationsFor(event("CHARGING_STARTED", "test")))
                .containsExactly("testing");
        assertThat(destinations.destinationsFor(event("VEHICLE_STATE", "simulated")))
                .containsExactly("testing");
    }

    @Test
    void refusesToStartOnAMisconfiguredDestinationNamingItAndTheSetting() {
        assertThatThrownBy(() -> read("bridge.destinations = crm"))
                .isInstanceOf(Settings.InvalidSettingException.class)
                .hasMessageContaining("bridge.destination.crm.uri")
                .hasMessageContaining("bridge.destination.crm.url")
                .hasMessageContaining("'crm'");
        assertThatThrownBy(
                        () -> read(
                                "bridge.destinations = crm\nbridge.destination.crm.url = http://x\nbridge.destination.crm.uri = log:x"))
                .hasMessageContaining("both set")
                .hasMessageContaining("'crm'");
        assertThatThrownBy(() -> read("bridge.destinations = crm\nbridge.destination.crm.url = ftp://x"))
                .hasMessageContaining("bridge.destination.crm.url");
        assertThatThrownBy(
                        () -> read(
                                "bridge.destinations = crm\nbridge.destination.crm.url = http://x\nbridge.destination.crm.auth = oauth"))
                .hasMessageContaining("bridge.destination.crm.auth")
                .hasMessageContaining("oauth");
        assertThatThrownBy(
                        () -> read(
                                "bridge.destinations = crm\nbridge.destination.crm.url = http://x\nbridge.destination.crm.auth = bearer"))
                .hasMessageContaining("bridge.destination.crm.auth-secret-env");
        assertThatThrownBy(() -> read("""
                bridge.destinations = crm
                bridge.destination.crm.url = http://x
                bridge.destination.crm.auth = bearer
                bridge.destination.crm.auth-secret-env = NOT_SET_ANYWHERE_1234
                """))
                .hasMessageContaining("NOT_SET_ANYWHERE_1234")
                .hasMessageContaining("'crm'");
        assertThatThrownBy(() -> read("bridge.destinations = CRM!")).hasMessageContaining("bridge.destinations");
        assertThatThrownBy(
                        () -> read(
                                "bridge.destinations = crm\nbridge.destination.crm.url = http://x\nbridge.destination.crm.timeout = soon"))
                .hasMessageContaining("bridge.destination.crm.timeout");
        assertThatThrownBy(
                        () -> read(
                                "bridge.destinations = crm\nbridge.destination.crm.url = http://x\nbridge.destination.crm.concurrency = 0"))
                .hasMessageContaining("bridge.destination.crm.concurrency");
        assertThatThrownBy(
                        () -> read(
                                "bridge.destinations = crm\nbridge.destination.crm.uri = log:x\nbridge.destination.crm.method = PUT"))
                .hasMessageContaining("bridge.destination.crm.method")
                .hasMessageContaining("HTTP sink only");
    }

    @Test
    void deadOnAddsToTheSinksListOfErrorsThatAreDeadLettersAtOnce() {
        Destinations destinations = read("""
                bridge.destinations = topic
                bridge.destination.topic.uri = kafka:vehicle-events?brokers=localhost:9092
                bridge.destination.topic.dead-on = com.example.erp.RejectedForGoodException
                """);

        assertThat(destinations.get("topic").policy().deadOn().names())
                .contains(
                        "com.example.erp.RejectedForGoodException",
                        "org.apache.kafka.common.errors.RecordTooLargeException",
                        "org.apache.camel.ResolveEndpointFailedException");
    }

    @Test
    void aMistypedSettingStopsTheStartNamingTheNearestOne() {
        assertThatThrownBy(() -> read("bridge.destinations = crm\nbridge.destination.crm.ulr = http://x"))
                .hasMessageContaining("bridge.destination.crm.ulr is not a setting of destination 'crm'")
                .hasMessageContaining("did you mean bridge.destination.crm.url?");
        assertThatThrownBy(
                        () -> read(
                                "bridge.destinations = crm\nbridge.destination.crm.url = http://x\nbridge.destination.crm.retry.max-atempts = 3"))
                .hasMessageContaining("did you mean bridge.destination.crm.retry.max-attempts?");
    }

    @Test
    void aSinkCamelCannotMakeStopsTheStartNamingTheDestinationTheSchemeAndWhatToDo() {
        assertThatThrownBy(() -> checkSinks("bridge.destinations = t\nbridge.destination.t.uri = kafak:events"))
                .hasMessageContaining("bridge.destination.t.uri")
                .hasMessageContaining("unknown component 'kafak' (did you mean kafka?)")
                .hasMessageContaining("destination 't'");
        assertThatThrownBy(() -> checkSinks("bridge.destinations = t\nbridge.destination.t.uri = jms:queue:events"))
                .hasMessageContaining("the component 'jms' is not in the bridge")
                .hasMessageContaining("org.apache.camel:camel-jms")
                .hasMessageContaining("destination 't'");
        assertThatThrownBy(() -> checkSinks("bridge.destinations = t\nbridge.destination.t.uri = "
                        + "file:/tmp/drop?fileNme=x.json&password=RAW(s3cret-in-uri)"))
                .as("a URI's secret is masked in the message that stops the start")
                .hasMessageContaining("fileNme")
                .hasMessageNotContaining("s3cret-in-uri");
        assertThatThrownBy(() ->
                        checkSinks("bridge.destinations = t\nbridge.destination.t.uri = file:/tmp/drop?fileNme=x.json"))
                .hasMessageContaining("'fileNme' is not an option of file (did you mean fileName?)");
        assertThatThrownBy(() -> checkSinks(
                        "bridge.destinations = t\nbridge.destination.t.uri = kafka:events?brokers=b:1&lingerMs=soon"))
                .hasMessageContaining("lingerMs");
    }

    private static Destinations checkSinks(String properties) {
        DefaultCamelContext camel = camel(properties);
        Destinations destinations = Destinations.from(new Settings(camel));
        destinations.checkSinks(camel);
        return destinations;
    }

    private static Destinations read(String properties) {
        return Destinations.from(new Settings(camel(properties)));
    }

    private static DefaultCamelContext camel(String properties) {
        Properties initial = new Properties();
        try {
            initial.load(new java.io.StringReader(properties));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        DefaultCamelContext camel = new DefaultCamelContext();
        camel.getPropertiesComponent().setInitialProperties(initial);
        return camel;
    }

    private static CanonicalEvent event(String type, String mode) {
        return new CanonicalEvent("e", type, true, "v", null, mode, "w", "4.0", Instant.now(), new byte[0]);
    }
}
