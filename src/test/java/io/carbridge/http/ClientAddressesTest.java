package io.carbridge.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbridge.Settings;
import java.util.List;
import java.util.Properties;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** Whose bucket a request spends: the socket's address, or what a trusted proxy says in {@code X-Forwarded-For}. */
class ClientAddressesTest {

    @Test
    void withoutTrustedProxiesTheSocketIsTheClientWhateverTheHeaderSays() {
        ClientAddresses clients = addresses("");

        assertThat(clients.of("127.0.0.1", List.of("198.51.100.7"))).isEqualTo("127.0.0.1");
    }

    @Test
    void throughATrustedProxyTheClientIsWhatTheProxyAppendedNotWhatTheClientWrote() {
        ClientAddresses clients = addresses("10.0.0.0/8, 127.0.0.1");

        assertThat(clients.of("127.0.0.1", List.of("198.51.100.7"))).isEqualTo("198.51.100.7");
        // the client wrote 203.0.113.9 itself; the proxy appended the address it saw
        assertThat(clients.of("127.0.0.1", List.of("203.0.113.9, 198.51.100.7")))
                .isEqualTo("198.51.100.7");
        // two proxies of ours: the first one's entry is the client
        assertThat(clients.of("10.1.2.3", List.of("198.51.100.7, 10.9.9.9"))).isEqualTo("198.51.100.7");
        assertThat(clients.of("10.1.2.3", List.of("198.51.100.7", "10.9.9.9"))).isEqualTo("198.51.100.7");
        assertThat(clients.of("127.0.0.1", List.of("198.51.100.7:51234"))).isEqualTo("198.51.100.7");
        assertThat(clients.of("127.0.0.1", List.of("[2001:db8::1]:51234"))).isEqualTo("2001:db8::1");
    }

    @Test
    void anUntrustedSocketIsTheClientAndAHeaderAProxyCannotHaveWrittenIsNotBelieved() {
        ClientAddresses clients = addresses("127.0.0.1");

        assertThat(clients.of("127.0.0.2", List.of("198.51.100.7"))).isEqualTo("127.0.0.2");
        assertThat(clients.of("127.0.0.1", List.of("not-an-address"))).isEqualTo("127.0.0.1");
        assertThat(clients.of("127.0.0.1", List.of())).isEqualTo("127.0.0.1");
    }

    @Test
    void aProxyThatIsNeitherAnAddressNorARangeStopsTheStartNamingTheSetting() {
        assertThatThrownBy(() -> addresses("proxy.example.com"))
                .hasMessageContaining("bridge.http.trusted-proxies")
                .hasMessageContaining("proxy.example.com");
        assertThatThrownBy(() -> addresses("10.0.0.0/33")).hasMessageContaining("bridge.http.trusted-proxies");
    }

    private static ClientAddresses addresses(String trustedProxies) {
        Properties properties = new Properties();
        properties.setProperty(ClientAddresses.PROPERTY, trustedProxies);
        DefaultCamelContext camel = new DefaultCamelContext();
        camel.getPropertiesComponent().setInitialProperties(properties);
        return ClientAddresses.from(new Settings(camel));
    }
}
