package io.carbridge.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.carbridge.Settings.InvalidSettingException;
import io.carbridge.SettingsBinding;
import org.apache.camel.CamelContext;
import org.apache.camel.catalog.CamelCatalog;
import org.apache.camel.catalog.DefaultCamelCatalog;
import org.apache.camel.catalog.EndpointValidationResult;
import org.apache.camel.tooling.model.ComponentModel;
import org.apache.camel.util.ObjectHelper;
import org.apache.camel.util.URISupport;

/**
 * Whether Camel can make an endpoint a setting names, told in one line: a scheme whose component is not in the build
 * (with the Maven artifact that brings it, from Camel's catalog), a misspelt scheme or option (with the nearest valid
 * one), a value of the wrong type, or whatever else Camel says when it makes the endpoint. URIs are shown masked.
 */
final class EndpointCheck {

    private final CamelContext camel;
    private CamelCatalog catalog;

    EndpointCheck(CamelContext camel) {
        this.camel = camel;
    }

    /**
     * @param key   the setting that names the endpoint
     * @param owner what it belongs to, for the message (e.g. "destination 'crm'")
     */
    void require(String uri, String key, String owner) {
        String shown = URISupport.sanitizeUri(uri);
        int colon = uri.indexOf(':');
        if (colon <= 0) {
            throw new InvalidSettingException(key, "is '" + shown + "', which is not a Camel endpoint URI (scheme:path?options) (" + owner + ")");
        }
        String scheme = uri.substring(0, colon);
        if (camel.getComponent(scheme) == null) {
            throw new InvalidSettingException(key, "is '" + shown + "': " + missingComponent(scheme) + " (" + owner + ")");
        }
        EndpointValidationResult result = catalog().validateEndpointProperties(uri, true, false, true);
        List<String> problems = problems(scheme, result);
        if (!problems.isEmpty()) {
            throw new InvalidSettingException(key, "is '" + shown + "': " + String.join("; ", problems) + " (" + owner + ")");
        }
        try {
            camel.getEndpoint(uri);
        } catch (RuntimeException e) {
            String cause = ObjectHelper.getException(IllegalArgumentException.class, e) != null
                    ? ObjectHelper.getException(IllegalArgumentException.class, e).getMessage() : e.getMessage();
            throw new InvalidSettingException(key, "is '" + shown + "', of which Camel cannot make an endpoint: "
                    + URISupport.sanitizeUri(String.valueOf(cause)).replace(uri, shown) + " (" + owner + ")");
        }
    }

    private String missingComponent(String scheme) {
        ComponentModel model = catalog().componentModel(scheme);
        if (model != null) {
            return "the component " + scheme + " is not in the build; it comes with the Maven artifact " + model.getGroupId() + ":"
                    + model.getArtifactId() + " (the Camel BOM's version, " + model.getVersion() + ")";
        }
        return "there is no Camel component " + scheme + SettingsBinding.nearest(scheme, catalog().findComponentNames())
                .map(near -> " (did you mean " + near + "?)").orElse("");
    }

    @SuppressWarnings("unchecked")
    private static List<String> problems(String scheme, EndpointValidationResult result) {
        List<String> problems = new ArrayList<>();
        if (result.getSyntaxError() != null) {
            problems.add(result.getSyntaxError());
        }
        Set<String> unknown = result.getUnknown();
        Map<String, String[]> suggestions = result.getUnknownSuggestions();
        if (unknown != null) {
            for (String option : unknown) {
                String[] near = suggestions == null ? null : suggestions.get(option);
                problems.add(scheme + " has no option " + option + (near == null || near.length == 0 ? "" : " (did you mean " + near[0] + "?)"));
            }
        }
        addInvalid(problems, result.getInvalidInteger(), "a whole number");
        addInvalid(problems, result.getInvalidNumber(), "a number");
        addInvalid(problems, result.getInvalidBoolean(), "true or false");
        addInvalid(problems, result.getInvalidDuration(), "a duration");
        Map<String, String> invalidEnum = result.getInvalidEnum();
        if (invalidEnum != null) {
            invalidEnum.forEach((option, value) -> problems.add("option " + option + " is '" + value + "', one of "
                    + String.join(", ", (List<String>) result.getEnumChoices(option))));
        }
        if (result.getRequired() != null && !result.getRequired().isEmpty()) {
            problems.add("it needs " + String.join(", ", (Set<String>) result.getRequired()));
        }
        return problems;
    }

    @SuppressWarnings("unchecked")
    private static void addInvalid(List<String> problems, Map<?, ?> invalid, String expected) {
        if (invalid != null) {
            ((Map<String, String>) invalid).forEach((option, value) -> problems.add("option " + option + " is '" + value + "', expected " + expected));
        }
    }

    private CamelCatalog catalog() {
        if (catalog == null) {
            catalog = new DefaultCamelCatalog(true);
            catalog.setSuggestionStrategy((names, unknown) -> SettingsBinding.nearest(unknown, names).map(near -> new String[] {near})
                    .orElse(new String[0]));
        }
        return catalog;
    }
}
