package io.carbridge.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;

/**
 * The three destinations of {@link BridgeTest#DESTINATIONS} on loopback: one WireMock server on {@link TestPorts#SINK},
 * each destination's path answering 200 unless a test stubs something else at a higher priority.
 */
public final class DestinationsDouble {

    private static final String[] PATHS = {"/sink", "/gone", "/crm"};

    private DestinationsDouble() {}

    public static WireMockServer start() {
        WireMockServer sink = new WireMockServer(options().port(TestPorts.SINK).asynchronousResponseEnabled(true));
        sink.start();
        return sink;
    }

    /** Forgets the stubs and requests of the last test: every destination answers 200 again. */
    public static void answerEverythingWith200(WireMockServer sink) {
        sink.resetAll();
        for (String path : PATHS) {
            sink.stubFor(
                    post(urlEqualTo(path)).atPriority(10).willReturn(aResponse().withStatus(200)));
        }
    }
}
