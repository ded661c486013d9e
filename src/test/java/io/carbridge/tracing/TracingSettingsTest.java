package io.carbridge.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbridge.Settings;
import io.carbridge.StartupFailure;
import io.carbridge.delivery.Destinations;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** The switch of tracing ({@value Tracing#ENDPOINT}), and what Camel's spans are never given. */
class TracingSettingsTest {

    @Test
    void tracingIsOffWithoutAnEndpointAndOnWithAnHttpOrHttpsOne() {
        assertThat(Tracing.endpoint(settings(Map.of()))).isEmpty();
        assertThat(Tracing.endpoint(settings(Map.of(Tracing.ENDPOINT, " ")))).isEmpty();
        assertThat(Tracing.endpoint(settings(Map.of(Tracing.ENDPOINT, "http://otel-collector:4318"))))
                .contains(URI.create("http://otel-collector:4318"));
        assertThat(Tracing.endpoint(settings(Map.of(Tracing.ENDPOINT, "https://otlp.example.com"))))
                .isPresent();
    }

    @Test
    void anEndpointThatIsNoHttpUrlStopsTheStartNamingTheSetting() {
        for (String wrong :
                List.of("otel-collector:4317", "grpc://otel-collector:4317", "http://", "http://bad host:4318")) {
            assertThatThrownBy(() -> Tracing.endpoint(settings(Map.of(Tracing.ENDPOINT, wrong))))
                    .as(wrong)
                    .isInstanceOf(Settings.InvalidSettingException.class)
                    .hasMessageContaining(Tracing.ENDPOINT)
                    .hasMessageContaining("OTEL_EXPORTER_OTLP_ENDPOINT");
        }
    }

    @Test
    void withAnEndpointTheSdkIsConfiguredFromTheOtelVariablesUnderTheBridgesDefaults() {
        Settings settings = settings(Map.of(Tracing.ENDPOINT, "http://127.0.0.1:9", "bridge.instance-id", "bridge-7"));

        Tracing tracing = Tracing.from(new DefaultCamelContext(), settings, Destinations.from(settings));

        assertThat(tracing.isOn()).isTrue();
        assertThat(tracing.describe())
                .contains(
                        "service.name=\"smartcar-bridge\"",
                        "service.instance.id=\"bridge-7\"",
                        "endpoint=http://127.0.0.1:9/v1/traces");
        tracing.close();
        assertThat(Tracing.from(new DefaultCamelContext(), settings(Map.of()), Destinations.from(settings(Map.of())))
                        .isOn())
                .isFalse();
    }

    @Test
    void aWrongOtelVariableStopsTheStartInOneLine() {
        System.setProperty("otel.traces.sampler", "sometimes");
        try {
            Settings settings = settings(Map.of(Tracing.ENDPOINT, "http://127.0.0.1:9"));
            assertThatThrownBy(() -> Tracing.from(new DefaultCamelContext(), settings, Destinations.from(settings)))
                    .isInstanceOf(StartupFailure.class)
                    .hasMessageContaining("OTEL_* variables")
                    .hasMessageContaining("sometimes");
        } finally {
            System.clearProperty("otel.traces.sampler");
        }
    }

    @Test
    void whatCamelWritesOnASpanIsMaskedAsTheBridgeMasksUrisAndKnownSecretsAreReplacedAnywhere() {
        EventPathTracer tracer = new EventPathTracer("smartcar-webhook", List.of("sink-token", "whsec_abc", ""));

        assertThat(tracer.masked("http://127.0.0.1:9/sink?apiKey=s3cret&httpMethod=POST"))
                .doesNotContain("s3cret")
                .contains("httpMethod=POST");
        assertThat(tracer.masked(
                        "kafka:events?brokers=b:9092&saslJaasConfig=RAW(PlainLoginModule required password=\"p4ss\";)"))
                .doesNotContain("p4ss");
        assertThat(tracer.masked("https://user:pa55@erp.example.com/import")).doesNotContain("pa55");
        assertThat(tracer.masked("401 from the destination: Bearer sink-token refused (whsec_abc)"))
                .doesNotContain("sink-token", "whsec_abc");
        assertThat(tracer.masked(null)).isNull();
    }

    private static Settings settings(Map<String, String> values) {
        Properties properties = new Properties();
        properties.putAll(values);
        DefaultCamelContext camel = new DefaultCamelContext();
        camel.getPropertiesComponent().setInitialProperties(properties);
        return new Settings(camel);
    }
}
