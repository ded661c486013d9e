package io.carbridge.check;

import io.carbridge.EndpointCatalog.Mistake;
import io.carbridge.Settings;
import io.carbridge.SettingsBinding;
import io.carbridge.Suggestions;
import io.carbridge.delivery.DestinationListSettings;
import io.carbridge.delivery.Destinations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.RouteTemplateParameterSource;

/**
 * The destinations of {@code bridge.destinations}, as the service reads them at start ({@link Destinations#from}), and
 * then what the start would only find later: a setting of a destination that nothing reads (a misspelt name, such as
 * {@code bridge.destination.crm.tranform}); an endpoint option the destination's route would get wrong (its URL's
 * {@code ?connectTimout=5}), found by checking the route template's endpoints once more with the destination's values
 * in them; and a transform that no route consumes.
 *
 * <p>Everything it knows of a destination comes from {@link Destinations#from} and the template parameters
 * ({@link RouteTemplateParameterSource}) the service makes the destination's route with.
 */
final class DestinationsCheck {

    private static final String LIST = "bridge.destinations";

    private final CamelContext camel;
    private final List<RouteFile> routeFiles;
    private final RouteFilesCheck routeCheck;

    /** @param routeFiles the route files the service loads, where the destinations' route template is */
    DestinationsCheck(CamelContext camel, List<RouteFile> routeFiles, RouteFilesCheck routeCheck) {
        this.camel = camel;
        this.routeFiles = routeFiles;
        this.routeCheck = routeCheck;
    }

    /**
     * @param consumedUris the (normalized) URIs the loaded routes start from, or empty when the routes could not be
     *     loaded (then no transform is checked)
     */
    List<Problem> check(Optional<Set<String>> consumedUris) {
        Set<Problem> problems = new LinkedHashSet<>();
        List<String> listRead = new ArrayList<>();
        Settings settings = ReadKeys.settings(camel, listRead);
        // the list itself (a name twice, a name that is not one), as the start reads it
        StartupSettings.run(() -> read(settings), listRead).ifPresent(problems::add);
        // then each destination alone, so that a mistake in one does not hide those of the next
        for (String name :
                new LinkedHashSet<>(settings.of(DestinationListSettings.class).names())) {
            List<String> read = new ArrayList<>();
            AtomicReference<Destinations> alone = new AtomicReference<>();
            Optional<Problem> problem = withOnly(
                    name, () -> StartupSettings.run(() -> alone.set(read(ReadKeys.settings(camel, read))), read));
            if (problem.isPresent()) {
                problems.add(problem.get());
                continue;
            }
            Map<String, String> given = given(name);
            problems.addAll(unread(name, given, read));
            Destinations destinations = alone.get();
            for (String routeId : destinations.routeIds()) {
                Map<String, Object> parameters = destinations.parameters(routeId);
                problems.addAll(endpoints(name, given, parameters));
                consumedUris.ifPresent(
                        consumed -> transform(name, given, parameters, consumed).ifPresent(problems::add));
            }
        }
        return new ArrayList<>(problems);
    }

    /** The destinations as the service reads them at start: the one call into {@link Destinations} that reads them. */
    private static Destinations read(Settings settings) {
        return Destinations.from(settings);
    }

    /** The settings of one destination, as given (in the properties file or as -D), with their values resolved. */
    private Map<String, String> given(String name) {
        String prefix = "bridge.destination." + name + ".";
        Set<String> keys = new SettingsBinding(camel).keysUnder(prefix);
        Map<String, String> given = new LinkedHashMap<>();
        for (String key : keys) {
            given.put(key, camel.getPropertiesComponent().resolveProperty(key).orElse(""));
        }
        return given;
    }

    /** A destination's setting that reading the destination did not read: misspelt, or not one for how it is set up. */
    private static List<Problem> unread(String name, Map<String, String> given, List<String> read) {
        String prefix = "bridge.destination." + name + ".";
        List<String> known = read.stream()
                .filter(key -> key.startsWith(prefix))
                .map(key -> key.substring(prefix.length()))
                .distinct()
                .toList();
        List<Problem> problems = new ArrayList<>();
        for (String key : given.keySet()) {
            if (!read.contains(key)) {
                String setting = key.substring(prefix.length());
                problems.add(
                        new Problem(
                                key,
                                "is not a setting destination '" + name + "' reads"
                                        + Suggestions.nearest(setting, known)
                                                .map(meant -> " (did you mean " + prefix + meant + "?)")
                                                .orElse(
                                                        " with its other settings (see \"Every setting of a destination\" in application.properties)")));
            }
        }
        return problems;
    }

    /** The template's endpoints with the destination's values in them, against the catalog. */
    private List<Problem> endpoints(String name, Map<String, String> given, Map<String, Object> parameters) {
        String templateId = String.valueOf(parameters.get(RouteTemplateParameterSource.TEMPLATE_ID));
        List<Problem> problems = new ArrayList<>();
        boolean found = false;
        for (RouteFile file : routeFiles) {
            for (RouteEndpoints.Use use : RouteFilesCheck.templateEndpoints(file, templateId)) {
                found = true;
                RouteEndpoints.Use filled = fill(use, parameters);
                for (Mistake mistake : routeCheck.mistakes(filled, filled.fullUri())) {
                    String setting = settingHolding(given, mistake.option(), filled.uri())
                            .orElse("bridge.destination." + name);
                    problems.add(new Problem(
                            setting,
                            mistake.message() + " (in the " + use.kind() + " "
                                    + RouteFilesCheck.abbreviate(String.valueOf(filled.uri())) + " of destination '"
                                    + name + "', " + file.name() + ":" + use.lineOf(mistake.option()) + ")"));
                }
            }
        }
        if (!found) {
            problems.add(new Problem(
                    LIST,
                    "names '" + name + "', made from the route template '" + templateId
                            + "', which no route file defines"));
        }
        return problems;
    }

    /** As the service refuses to start: a transform no route starts from would make every delivery a dead letter. */
    private static Optional<Problem> transform(
            String name, Map<String, String> given, Map<String, Object> parameters, Set<String> consumed) {
        Object transform = parameters.get("transform");
        if (transform == null || consumed.contains(normalize(String.valueOf(transform)))) {
            return Optional.empty();
        }
        String setting = given.entrySet().stream()
                .filter(entry -> entry.getValue().equals(String.valueOf(transform)))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse("bridge.destination." + name + ".transform");
        return Optional.of(new Problem(
                setting,
                "is '" + transform + "', but no route in the route files starts from it (destination '" + name + "')"));
    }

    /** The URIs routes start from, normalized as the service compares them with a transform. */
    static String normalize(String uri) {
        try {
            return org.apache.camel.util.URISupport.normalizeUri(uri);
        } catch (Exception e) {
            return uri;
        }
    }

    /**
     * The setting of the destination a mistake comes from: the one whose value carries the option ({@code url} for its
     * {@code ?connectTimout=5}), or, for the URI as a whole, the one whose value it is.
     */
    private static Optional<String> settingHolding(Map<String, String> given, String option, String uri) {
        return given.entrySet().stream()
                .filter(entry -> option != null
                        ? entry.getValue().contains(option + "=")
                        : entry.getValue().equals(uri))
                .map(Map.Entry::getKey)
                .findFirst();
    }

    /**
     * The endpoint with the template's {@code {{parameters}}} replaced by the destination's values, as Camel fills
     * them.
     */
    private static RouteEndpoints.Use fill(RouteEndpoints.Use use, Map<String, Object> parameters) {
        Map<String, String> options = new LinkedHashMap<>();
        use.parameters().forEach((option, value) -> options.put(option, fill(value, parameters)));
        return new RouteEndpoints.Use(
                use.kind(),
                use.role(),
                use.uri() == null ? null : fill(use.uri(), parameters),
                use.line(),
                options,
                use.parameterLines(),
                use.template());
    }

    private static String fill(String text, Map<String, Object> parameters) {
        String filled = text;
        for (Map.Entry<String, Object> parameter : parameters.entrySet()) {
            filled = filled.replace("{{" + parameter.getKey() + "}}", String.valueOf(parameter.getValue()));
        }
        return filled;
    }

    /** Runs {@code check} while {@code bridge.destinations} names this one destination only. */
    private <T> T withOnly(String name, java.util.function.Supplier<T> check) {
        PropertiesComponent properties = camel.getPropertiesComponent();
        Properties only = new Properties();
        only.setProperty(LIST, name);
        properties.setLocalProperties(only);
        try {
            return check.get();
        } finally {
            properties.setLocalProperties(null);
        }
    }
}
