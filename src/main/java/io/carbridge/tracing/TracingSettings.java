package io.carbridge.tracing;

import io.carbridge.Setting;

/** Tracing's setting, {@code bridge.tracing.*}; the {@code OTEL_*} variables configure the rest. */
public final class TracingSettings {

    @Setting(
            value = "The OpenTelemetry collector the traces of the event path go to, over OTLP (`http://host:4318`; "
                    + "`OTEL_EXPORTER_OTLP_PROTOCOL=grpc` and port 4317 for gRPC); the other `OTEL_*` variables configure the rest "
                    + "(\"Operations\")",
            defaultText = "(empty: no traces)")
    String otlpEndpoint;
}
