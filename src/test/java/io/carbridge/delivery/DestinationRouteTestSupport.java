package io.carbridge.delivery;

import java.io.InputStream;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.test.junit5.CamelTestSupport;

/**
 * Base of a destination route test, the way an integration team tests the document route it writes: Camel's test kit
 * loads only that YAML file from {@code routes/}, and {@link #shape} sends it an enriched event (a sample from
 * {@code src/test/resources/destinations/}) and returns the JSON document the route made. See the README, "Testing
 * your routes".
 */
abstract class DestinationRouteTestSupport extends CamelTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String routeFile;
    private final String endpoint;

    /**
     * @param routeFile the route file, relative to the project, e.g. {@code routes/my-crm.camel.yaml}
     * @param endpoint  the endpoint the route starts from, e.g. {@code direct:my-crm}
     */
    protected DestinationRouteTestSupport(String routeFile, String endpoint) {
        this.routeFile = routeFile;
        this.endpoint = endpoint;
    }

    @Override
    protected RoutesBuilder[] createRouteBuilders() throws Exception {
        Resource routes = PluginHelper.getResourceLoader(context).resolveResource("file:" + routeFile);
        return PluginHelper.getRoutesLoader(context).findRoutesBuilders(routes).toArray(RoutesBuilder[]::new);
    }

    /** Sends the sample enriched event through the route and reads the document it produced. */
    protected JsonNode shape(String sample) throws Exception {
        Map<?, ?> enrichedEvent;
        try (InputStream in = getClass().getResourceAsStream("/destinations/" + sample)) {
            enrichedEvent = JSON.readValue(in, Map.class);
        }
        return JSON.readTree(template.requestBody(endpoint, enrichedEvent, String.class));
    }
}
