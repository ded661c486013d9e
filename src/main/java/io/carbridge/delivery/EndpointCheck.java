package io.carbridge.delivery;

import io.carbridge.EndpointCatalog;
import io.carbridge.Settings.InvalidSettingException;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.util.ObjectHelper;
import org.apache.camel.util.URISupport;

/**
 * Whether Camel can make the endpoint a setting names, told in one line: what Camel's catalog finds wrong with the URI
 * (a misspelt scheme or option, with the nearest valid one; a component not in the build, with the Maven artifact that
 * brings it; a value of the wrong type), or else whatever Camel says when it makes the endpoint. URIs are shown masked.
 */
final class EndpointCheck {

    private final CamelContext camel;
    private final EndpointCatalog catalog = new EndpointCatalog();

    EndpointCheck(CamelContext camel) {
        this.camel = camel;
    }

    /**
     * @param key the setting that names the endpoint
     * @param owner what it belongs to, for the message (e.g. "destination 'crm'")
     */
    void require(String uri, String key, String owner) {
        String shown = URISupport.sanitizeUri(uri);
        List<EndpointCatalog.Mistake> mistakes = catalog.check(uri, EndpointCatalog.Role.PRODUCER);
        if (!mistakes.isEmpty()) {
            throw new InvalidSettingException(
                    key,
                    "is '" + shown + "': "
                            + String.join(
                                    "; ",
                                    mistakes.stream()
                                            .map(EndpointCatalog.Mistake::message)
                                            .toList()) + " (" + owner + ")");
        }
        try {
            camel.getEndpoint(uri);
        } catch (RuntimeException e) {
            IllegalArgumentException cause = ObjectHelper.getException(IllegalArgumentException.class, e);
            throw new InvalidSettingException(
                    key,
                    "is '" + shown + "', of which Camel cannot make an endpoint: "
                            + URISupport.sanitizeUri(
                                            String.valueOf(cause != null ? cause.getMessage() : e.getMessage()))
                                    .replace(uri, shown)
                            + " (" + owner + ")");
        }
    }
}
