package io.carbridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * One source for each default: the settings tables, the README's and the generated {@code docs/settings.md}
 * ({@link SettingsReferenceTest}), say together what {@code application.properties} declares.
 */
class SettingsDocumentationTest {

    /** A README row: {@code | `key` | `ENV` | `default` | what it does |}. */
    private static final Pattern ROW =
            Pattern.compile("^\\| `([a-z0-9.<>-]+)` \\| (?:`([A-Z0-9_]+)`)? *\\| ([^|]*) \\|", Pattern.MULTILINE);
    /** An application.properties value taken from the environment: {@code {{env:NAME:default}}}. */
    private static final Pattern FROM_ENVIRONMENT = Pattern.compile("\\{\\{env:([A-Z0-9_]+):(.*)}}");

    @Test
    void theSettingsTablesAndApplicationPropertiesListTheSameSettingsWithTheSameEnvironmentVariablesAndDefaults()
            throws IOException {
        Map<String, String[]> readme = readmeTable();
        readme.putAll(rows(Files.readString(Path.of("docs", "settings.md"))));
        Map<String, String> declared = applicationProperties();

        Map<String, String> differences = new TreeMap<>();
        declared.forEach((key, value) -> {
            if (!key.startsWith("bridge.") && !readme.containsKey(key)) {
                return; // how the service is built (camel.*), not an operator's setting
            }
            String[] row = readme.get(key);
            if (row == null) {
                differences.put(key, "declared in application.properties, missing from the settings tables");
                return;
            }
            Matcher environment = FROM_ENVIRONMENT.matcher(value);
            String variable = environment.matches() ? environment.group(1) : "";
            String defaultValue = environment.matches() ? environment.group(2) : value;
            if (!variable.equals(row[0])) {
                differences.put(
                        key,
                        "environment variable " + variable + " in application.properties, " + row[0] + " in the table");
            } else if (!defaultValue.equals(row[1])) {
                differences.put(
                        key, "default '" + defaultValue + "' in application.properties, '" + row[1] + "' in the table");
            }
        });
        readme.keySet().stream()
                .filter(key -> !key.contains("<") && !declared.containsKey(key))
                .forEach(key -> differences.put(key, "in a settings table, not declared in application.properties"));

        assertThat(differences).isEmpty();
    }

    /** Each setting's environment variable (or "") and default, as the README's table shows them. */
    private static Map<String, String[]> readmeTable() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        return rows(readme.substring(
                readme.indexOf("## Settings"), readme.indexOf("\n## ", readme.indexOf("## Settings") + 1)));
    }

    private static Map<String, String[]> rows(String table) {
        Map<String, String[]> rows = new LinkedHashMap<>();
        Matcher row = ROW.matcher(table);
        while (row.find()) {
            String defaultCell = row.group(3).trim();
            // `value` is the default; (required), (empty) and (unset: ...) are no value at all
            String defaultValue =
                    defaultCell.startsWith("`") ? defaultCell.substring(1, defaultCell.indexOf('`', 1)) : "";
            rows.put(row.group(1), new String[] {row.group(2) == null ? "" : row.group(2), defaultValue});
        }
        return rows;
    }

    private static Map<String, String> applicationProperties() throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(Files.readString(Path.of("application.properties"))));
        Map<String, String> declared = new TreeMap<>();
        properties.forEach((key, value) -> declared.put((String) key, ((String) value).trim()));
        return declared;
    }
}
