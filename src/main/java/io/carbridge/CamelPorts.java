package io.carbridge;

/**
 * Camel's two ports, {@code camel.server.port} and {@code camel.management.port}, bound as Camel Main reads them: a
 * whole number a port can be, 0 for any free one. Camel's settings, so not a group of {@link DeclaredSettings}: the
 * start checks that they are free, {@code --check} that they are ports.
 */
public final class CamelPorts {

    @Setting(name = "server.port", value = "Port of the webhook, Connect and admin endpoints", min = 0, max = 65_535)
    int serverPort;

    @Setting(name = "management.port", value = "Port of health and Prometheus metrics", min = 0, max = 65_535)
    int managementPort;

    public static CamelPorts of(Settings settings) {
        return settings.bindDeclared("camel.", new CamelPorts());
    }

    public int serverPort() {
        return serverPort;
    }

    public int managementPort() {
        return managementPort;
    }
}
