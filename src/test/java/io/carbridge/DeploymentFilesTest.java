package io.carbridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.carbridge.delivery.Destinations;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;
import org.apache.camel.main.MainConfigurationProperties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * The top-level {@code Dockerfile} and the Kubernetes example of {@code docs/deploy/} agree with the build and with the
 * bridge. No image is built and no cluster is used (the build machines reach no registry): the files are read.
 *
 * <p>A surefire test, so it runs before {@code package} and on a clean checkout: what the Dockerfile copies from
 * {@code target/} is checked against the pom that makes it (the jar's {@code finalName}, the directory the runtime
 * dependencies are copied to, the manifest's classpath prefix), and what it copies from the repository must exist.
 * Ports, health paths and environment variables come from {@code application.properties} and Camel's defaults.
 */
class DeploymentFilesTest {

    private static final Path DOCKERFILE = Path.of("Dockerfile");
    private static final Path DOCKERIGNORE = Path.of(".dockerignore");
    private static final Path DEPLOY = Path.of("docs/deploy");
    private static final Pattern ENV_PLACEHOLDER = Pattern.compile("\\{\\{env:([A-Za-z0-9_]+)(?::([^}]*))?}}");
    /** camel-main's list of property locations, the first that defines a key winning. */
    private static final String LOCATIONS_VARIABLE = "CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION";
    /** The example team project, whose files the ConfigMap holds. */
    private static final Path TEAM_PROJECT = Path.of("docs/team-project");

    private static Dockerfile docker;
    private static Pom pom;
    private static Properties settings;
    /** The Kubernetes objects of docs/deploy/*.yaml by kind, then name. */
    private static Map<String, Map<String, JsonNode>> objects;

    @BeforeAll
    static void read() throws Exception {
        docker = Dockerfile.read(DOCKERFILE);
        pom = Pom.read(Path.of("pom.xml"));
        settings = properties(Files.readString(Path.of("application.properties")));
        objects = new HashMap<>();
        try (Stream<Path> files = Files.list(DEPLOY)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (JsonNode object : new YAMLMapper()
                        .readValues(new YAMLMapper().createParser(file.toFile()), JsonNode.class)
                        .readAll()) {
                    objects.computeIfAbsent(object.path("kind").asText(), kind -> new HashMap<>())
                            .put(object.path("metadata").path("name").asText(), object);
                }
            }
        }
    }

    // --- the Dockerfile ---

    @Test
    void theImageIsTheTemurin17JreWithTheFilesTheBuildMakesAndTheServiceReads() throws IOException {
        assertThat(docker.instructions("FROM")).containsExactly("eclipse-temurin:17-jre");

        Map<String, String> copied = docker.copies();
        String jar = pom.directory() + "/" + pom.finalName() + ".jar";
        String lib = pom.dependencyDirectory();
        String routes = routesDirectory();
        String properties = BridgeApplication.PROPERTIES_LOCATION.substring("file:".length());
        assertThat(copied.keySet())
                .as("what the Dockerfile copies")
                .containsExactlyInAnyOrder(jar, lib, routes, properties);
        // what the build does not make is in the repository
        assertThat(Path.of(routes))
                .isDirectoryContaining(file -> file.toString().endsWith(".camel.yaml"));
        assertThat(Path.of(properties)).isRegularFile();

        String workdir = docker.workdirAtCommand();
        assertThat(copied)
                .as("where each lands, from the working directory " + workdir)
                .containsEntry(jar, workdir + "/" + pom.finalName() + ".jar")
                // the jar's manifest names every dependency as <classpathPrefix><file>
                .containsEntry(lib, workdir + "/" + strip(pom.classpathPrefix()))
                .containsEntry(routes, workdir + "/" + routes)
                .containsEntry(properties, workdir + "/" + properties);

        // the build context leaves none of them out
        DockerIgnore ignore = DockerIgnore.read(DOCKERIGNORE);
        List<String> sent = new ArrayList<>(List.of(jar, lib + "/some-dependency.jar", properties));
        try (Stream<Path> files = Files.list(Path.of(routes))) {
            files.forEach(file -> sent.add(routes + "/" + file.getFileName()));
        }
        assertThat(sent).allSatisfy(path -> assertThat(ignore.excludes(path))
                .as(".dockerignore leaves out " + path)
                .isFalse());
        assertThat(ignore.excludes("src/main/java/io/carbridge/BridgeApplication.java"))
                .as("sources stay out of the context")
                .isTrue();
        assertThat(ignore.excludes("data/bridge.mv.db"))
                .as("a local database stays out of the context")
                .isTrue();
    }

    @Test
    void theImageRunsTheReadmesCommandAsAUserThatIsNotRoot() throws IOException {
        String user = docker.last("USER")
                .orElseThrow(() -> new AssertionError("the Dockerfile sets no USER: it would run as root"));
        String name = user.split(":")[0];
        assertThat(name).as("USER").isNotIn("root", "0");
        if (!name.matches("\\d+")) {
            assertThat(docker.instructions("RUN"))
                    .as("a RUN creating the user " + name)
                    .anySatisfy(run -> assertThat(run).containsPattern("(useradd|adduser).*\\b" + name + "\\b"));
        }

        // the README's command, with -Xmx replaced by a share of the container's memory, and the jar where it was
        // copied
        String commands = Files.readString(Path.of("README.md")).split("## The two commands", 2)[1];
        Matcher readme = Pattern.compile("java ((?:-\\S+ )*)-jar (\\S+)").matcher(commands);
        assertThat(readme.find())
                .as("the README's start command, under \"The two commands\"")
                .isTrue();
        List<String> expected = new ArrayList<>(List.of("java"));
        Stream.of(readme.group(1).trim().split(" "))
                .filter(flag -> !flag.startsWith("-Xmx"))
                .forEach(expected::add);
        expected.addAll(List.of("-jar", Path.of(readme.group(2)).getFileName().toString()));
        List<String> command = docker.command();
        assertThat(command)
                .as("CMD")
                .anySatisfy(argument -> assertThat(argument).matches("-XX:MaxRAMPercentage=\\d+(\\.\\d+)?"))
                .noneSatisfy(argument -> assertThat(argument).startsWith("-Xmx"));
        assertThat(command.stream()
                        .filter(argument -> !argument.startsWith("-XX:MaxRAMPercentage="))
                        .toList())
                .as("CMD")
                .isEqualTo(expected);
        // run from the directory the jar, application.properties and routes/ were copied to
        assertThat(docker.workdirAtCommand() + "/" + command.get(command.indexOf("-jar") + 1))
                .isIn(docker.copies().values());
    }

    @Test
    void theImageDeclaresItsDataDirectoryAsAVolumeAndExposesBothPorts() {
        // jdbc:h2:file:./data/bridge: the default database is under ./data of the working directory
        String database = defaultValue("bridge.db.url");
        Matcher h2 = Pattern.compile("jdbc:h2:file:\\./([^/]+)/.*").matcher(database);
        assertThat(h2.matches()).as(database).isTrue();
        String data = docker.workdirAtCommand() + "/" + h2.group(1);
        assertThat(docker.instructions("VOLUME")).as("VOLUME").anySatisfy(volume -> assertThat(
                        volume.replaceAll("[\\[\\]\"]", "").split("[ ,]+"))
                .contains(data));
        assertThat(docker.instructions("RUN"))
                .as("the data directory given to the service's user")
                .anySatisfy(run -> assertThat(run).containsPattern("chown .*\\b" + h2.group(1) + "\\b"));

        assertThat(docker.instructions("EXPOSE").stream().flatMap(expose -> Stream.of(expose.split("\\s+"))))
                .containsExactlyInAnyOrder(defaultValue("camel.server.port"), defaultValue("camel.management.port"));
    }

    // --- docs/deploy ---

    @Test
    void theProbesAskTheBridgesHealthPathsOnItsManagementPort() {
        JsonNode container = container();
        String health = settings.getProperty(
                "camel.management.health-path",
                new MainConfigurationProperties().httpManagementServer().getHealthPath());
        int management = port(container, "camel.management.port");
        int http = port(container, "camel.server.port");
        assertThat(namedPorts(container).values()).as("container ports").contains(management, http);

        // Camel's management server answers <health path>/live and <health path>/ready
        Map<String, String> expected = Map.of("livenessProbe", health + "/live", "readinessProbe", health + "/ready");
        expected.forEach((probe, path) -> {
            JsonNode get = container.path(probe).path("httpGet");
            assertThat(get.path("path").asText()).as(probe).isEqualTo(path);
            assertThat(resolve(container, get.path("port"))).as(probe + " port").isEqualTo(management);
        });
        if (container.has("startupProbe")) {
            JsonNode get = container.path("startupProbe").path("httpGet");
            assertThat(get.path("path").asText()).as("startupProbe").isIn(expected.values());
            assertThat(resolve(container, get.path("port")))
                    .as("startupProbe port")
                    .isEqualTo(management);
        }

        // the Service carries the main port only: the management port stays private
        JsonNode service = one("Service");
        assertThat(service.path("spec").path("ports"))
                .as("the Service's ports")
                .isNotEmpty()
                .allSatisfy(port -> assertThat(resolve(container, port.path("targetPort")))
                        .as("Service targetPort")
                        .isEqualTo(http));
    }

    @Test
    void everyEnvironmentVariableTheManifestsSetIsOneTheBridgeReads() {
        Properties pod = podSettings();
        Set<String> read = new LinkedHashSet<>();
        for (Properties properties : List.of(settings, pod)) {
            properties.values().forEach(value -> {
                Matcher env = ENV_PLACEHOLDER.matcher(value.toString());
                while (env.find()) {
                    read.add(env.group(1));
                }
            });
        }
        assertThat(read)
                .contains(
                        "SMARTCAR_MANAGEMENT_TOKEN",
                        "ADMIN_TOKEN",
                        "DB_URL",
                        "DB_USER",
                        "DB_PASSWORD",
                        "MANAGEMENT_PORT");
        // camel-main's own: where it reads the settings from (the team's file layered over the image's)
        read.add(LOCATIONS_VARIABLE);
        // a destination reads its secret from the variable its *-secret-env setting names
        pod.stringPropertyNames().stream()
                .filter(key -> key.matches("bridge\\.destination\\.[^.]+\\.(auth|signing)-secret-env"))
                .forEach(key -> read.add(pod.getProperty(key).trim()));

        JsonNode container = container();
        Map<String, JsonNode> env = new LinkedHashMap<>();
        container.path("env").forEach(variable -> env.put(variable.path("name").asText(), variable));
        for (JsonNode from : container.path("envFrom")) {
            secretOrConfigMap(from).fieldNames().forEachRemaining(name -> env.put(name, from));
        }
        assertThat(env.keySet())
                .as("environment variables the bridge does not read")
                .isSubsetOf(read);
        assertThat(env.keySet())
                .contains("SMARTCAR_MANAGEMENT_TOKEN", "ADMIN_TOKEN", "DB_URL", "DB_USER", "DB_PASSWORD");
        // each from a Secret that has it
        for (String secret : List.of("SMARTCAR_MANAGEMENT_TOKEN", "ADMIN_TOKEN", "DB_URL", "DB_USER", "DB_PASSWORD")) {
            JsonNode reference = env.get(secret).path("valueFrom").path("secretKeyRef");
            assertThat(reference.isObject()).as(secret + " from a Secret").isTrue();
        }
        env.values().stream()
                .map(variable -> variable.path("valueFrom").path("secretKeyRef"))
                .filter(JsonNode::isObject)
                .forEach(reference -> assertThat(
                                secretData(reference.path("name").asText())
                                        .has(reference.path("key").asText()))
                        .as("Secret " + reference.path("name").asText() + " has "
                                + reference.path("key").asText())
                        .isTrue());

        // several replicas share PostgreSQL: an embedded H2 file is open in one process only
        int replicas = one("Deployment").path("spec").path("replicas").asInt(1);
        if (replicas > 1) {
            JsonNode url = env.get("DB_URL").path("valueFrom").path("secretKeyRef");
            assertThat(secretData(url.path("name").asText())
                            .path(url.path("key").asText())
                            .asText())
                    .as("DB_URL of " + replicas + " replicas")
                    .startsWith("jdbc:postgresql:");
        }
    }

    @Test
    void theTeamsSettingsAreLayeredOverTheImagesAndItsRoutesMountedBesideThem() throws IOException {
        JsonNode deployment = one("Deployment");
        JsonNode container = container();
        String workdir = docker.workdirAtCommand();
        String imageSettings = workdir + "/" + BridgeApplication.PROPERTIES_LOCATION.substring("file:".length());

        // the property locations the pod runs with: the team's file (mounted from the ConfigMap) first, the image's
        // after it
        List<String> locations = settingsLocations(container);
        assertThat(locations)
                .as(LOCATIONS_VARIABLE + " (or " + TeamFiles.SETTINGS + ")")
                .hasSizeGreaterThanOrEqualTo(2);
        assertThat(locations.get(locations.size() - 1))
                .as("the image's own settings, last")
                .isEqualTo(imageSettings);
        String teamSettings = locations.get(0);
        JsonNode teamMount = mountAt(teamSettings);
        assertThat(teamMount)
                .as("the team's settings " + teamSettings + ", first, mounted from a ConfigMap")
                .isNotNull();
        Properties team = properties(configMapFile(teamMount));

        // the image's application.properties stays: the team's file is layered over it, not mounted in its place
        assertThat(container.path("volumeMounts").findValuesAsText("mountPath"))
                .as("mounts")
                .doesNotContain(imageSettings)
                .contains(workdir + "/data");

        // every key of the team's file is a setting the bridge knows: one of application.properties, or a destination's
        Set<String> destinationSettings = new LinkedHashSet<>();
        for (String row : Destinations.settingsTableRows()) {
            Matcher key = Pattern.compile("^\\| `bridge\\.destination\\.<name>\\.([^`]+)`")
                    .matcher(row);
            assertThat(key.find()).as(row).isTrue();
            destinationSettings.add(key.group(1));
        }
        assertThat(team.stringPropertyNames())
                .as("keys of the team's settings")
                .isNotEmpty()
                .allSatisfy(key -> assertThat(settings.containsKey(key)
                                || (key.matches("bridge\\.destination\\.[a-z0-9][a-z0-9-]*\\..+")
                                        && destinationSettings.contains(
                                                key.replaceFirst("^bridge\\.destination\\.[^.]+\\.", ""))))
                        .as(key + ": a key of application.properties, or bridge.destination.<name>.<one of "
                                + destinationSettings + ">")
                        .isTrue());

        // the team's routes beside the image's, by subPath, never in place of one
        Set<String> imageRoutes = new LinkedHashSet<>();
        try (Stream<Path> files = Files.list(Path.of(routesDirectory()))) {
            files.forEach(file -> imageRoutes.add(file.getFileName().toString()));
        }
        List<String> teamRoutes = new ArrayList<>();
        for (JsonNode mount : container.path("volumeMounts")) {
            JsonNode volume = volume(mount.path("name").asText());
            assertThat(volume).as("volume " + mount.path("name").asText()).isNotNull();
            if (volume.has("configMap") && !mount.path("mountPath").asText().equals(teamSettings)) {
                String key = mount.path("subPath").asText();
                assertThat(configMapData(volume.path("configMap").path("name").asText())
                                .has(key))
                        .as("ConfigMap key " + key)
                        .isTrue();
                assertThat(key).endsWith(".camel.yaml");
                assertThat(mount.path("mountPath").asText()).isEqualTo(workdir + "/" + routesDirectory() + "/" + key);
                assertThat(imageRoutes)
                        .as("the image's routes, which " + key + " would replace")
                        .doesNotContain(key);
                teamRoutes.add(key);
            }
        }
        assertThat(teamRoutes).as("the team's routes").isNotEmpty();

        // they are the example team project's files, which its own build tests (TeamProjectIT)
        assertThat(team)
                .as("the team's settings: docs/team-project/application.properties")
                .isEqualTo(properties(Files.readString(TEAM_PROJECT.resolve("application.properties"))));
        for (String route : teamRoutes) {
            assertThat(configMapData(volume(mountAtSubPath(route))
                                    .path("configMap")
                                    .path("name")
                                    .asText())
                            .path(route)
                            .asText())
                    .as(route + ": docs/team-project/routes/" + route)
                    .isEqualTo(Files.readString(TEAM_PROJECT.resolve("routes").resolve(route)));
        }

        // the image's user, not root
        JsonNode security =
                deployment.path("spec").path("template").path("spec").path("securityContext");
        assertThat(security.path("runAsNonRoot").asBoolean()).isTrue();
        String user = docker.last("USER").orElse("").split(":")[0];
        if (user.matches("\\d+")) {
            assertThat(security.path("runAsUser").asText()).isEqualTo(user);
        }
    }

    @Test
    void thePodIsGivenMoreTimeToStopThanTheServiceTakes() {
        Properties pod = podSettings();
        long shutdown = seconds(pod.getProperty("camel.main.shutdown-timeout"))
                + seconds(pod.getProperty("bridge.delivery.stop-timeout"));
        assertThat(one("Deployment")
                        .path("spec")
                        .path("template")
                        .path("spec")
                        .path("terminationGracePeriodSeconds")
                        .asLong())
                .as("terminationGracePeriodSeconds, against camel.main.shutdown-timeout + bridge.delivery.stop-timeout")
                .isGreaterThan(shutdown);
    }

    // --- reading ---

    private static JsonNode one(String kind) {
        Map<String, JsonNode> named = objects.getOrDefault(kind, Map.of());
        assertThat(named).as(kind + " in docs/deploy").hasSize(1);
        return named.values().iterator().next();
    }

    private static JsonNode container() {
        JsonNode containers =
                one("Deployment").path("spec").path("template").path("spec").path("containers");
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    /**
     * The settings the pod runs with: the files of its property locations layered as Camel layers them (the first that
     * sets a key wins), each the image's application.properties or a file mounted from a ConfigMap.
     */
    private static Properties podSettings() {
        String imageSettings =
                docker.workdirAtCommand() + "/" + BridgeApplication.PROPERTIES_LOCATION.substring("file:".length());
        List<String> locations = new ArrayList<>(settingsLocations(container()));
        Collections.reverse(locations);
        Properties layered = new Properties();
        for (String location : locations) {
            JsonNode mount = mountAt(location);
            if (mount != null) {
                layered.putAll(properties(configMapFile(mount)));
            } else {
                assertThat(location)
                        .as("a settings file neither mounted nor the image's")
                        .isEqualTo(imageSettings);
                layered.putAll(settings);
            }
        }
        return layered;
    }

    /**
     * The settings files the container's command reads, absolute: {@value #LOCATIONS_VARIABLE} (camel-main's), or the
     * bridge's {@code --settings} over the image's application.properties; the image's alone without either.
     */
    private static List<String> settingsLocations(JsonNode container) {
        String workdir = docker.workdirAtCommand();
        String imageSettings = BridgeApplication.PROPERTIES_LOCATION;
        List<String> locations = new ArrayList<>();
        for (JsonNode variable : container.path("env")) {
            if (variable.path("name").asText().equals(LOCATIONS_VARIABLE)) {
                Stream.of(variable.path("value").asText().split(","))
                        .map(String::trim)
                        .forEach(locations::add);
            }
        }
        List<String> arguments = new ArrayList<>();
        container.path("args").forEach(argument -> arguments.add(argument.asText()));
        int option = arguments.indexOf(TeamFiles.SETTINGS);
        if (option >= 0 && option + 1 < arguments.size()) {
            locations.add(0, "file:" + arguments.get(option + 1));
            if (locations.size() == 1) {
                locations.add(imageSettings);
            }
        }
        if (locations.isEmpty()) {
            locations.add(imageSettings);
        }
        return locations.stream()
                .map(location -> {
                    assertThat(location)
                            .as("a settings location on the container's file system")
                            .startsWith("file:");
                    return Path.of(workdir)
                            .resolve(location.substring("file:".length()))
                            .normalize()
                            .toString();
                })
                .toList();
    }

    /** The container's mount of a ConfigMap file at this absolute path, or null. */
    private static JsonNode mountAt(String path) {
        for (JsonNode mount : container().path("volumeMounts")) {
            JsonNode volume = volume(mount.path("name").asText());
            if (volume != null
                    && volume.has("configMap")
                    && mount.path("mountPath").asText().equals(path)) {
                return mount;
            }
        }
        return null;
    }

    /** The name of the volume mounted with this ConfigMap key as its subPath. */
    private static String mountAtSubPath(String key) {
        for (JsonNode mount : container().path("volumeMounts")) {
            if (mount.path("subPath").asText().equals(key)) {
                return mount.path("name").asText();
            }
        }
        throw new AssertionError("no mount of " + key);
    }

    /** The text of the ConfigMap file a mount puts in the container. */
    private static String configMapFile(JsonNode mount) {
        JsonNode volume = volume(mount.path("name").asText());
        return configMapData(volume.path("configMap").path("name").asText())
                .path(mount.path("subPath").asText())
                .asText();
    }

    private static JsonNode volume(String name) {
        for (JsonNode volume :
                one("Deployment").path("spec").path("template").path("spec").path("volumes")) {
            if (volume.path("name").asText().equals(name)) {
                return volume;
            }
        }
        return null;
    }

    private static JsonNode configMapData(String name) {
        JsonNode configMap = objects.getOrDefault("ConfigMap", Map.of()).get(name);
        assertThat(configMap).as("ConfigMap " + name + " in docs/deploy").isNotNull();
        return configMap.path("data");
    }

    private static JsonNode secretData(String name) {
        JsonNode secret = objects.getOrDefault("Secret", Map.of()).get(name);
        assertThat(secret).as("Secret " + name + " in docs/deploy").isNotNull();
        return secret.has("stringData") ? secret.path("stringData") : secret.path("data");
    }

    private static JsonNode secretOrConfigMap(JsonNode envFrom) {
        return envFrom.has("secretRef")
                ? secretData(envFrom.path("secretRef").path("name").asText())
                : configMapData(envFrom.path("configMapRef").path("name").asText());
    }

    private static Map<String, Integer> namedPorts(JsonNode container) {
        Map<String, Integer> ports = new HashMap<>();
        container
                .path("ports")
                .forEach(port -> ports.put(
                        port.path("name").asText(), port.path("containerPort").asInt()));
        return ports;
    }

    /** A port given by number or by the container port's name. */
    private static int resolve(JsonNode container, JsonNode port) {
        if (port.isInt()) {
            return port.asInt();
        }
        Integer named = namedPorts(container).get(port.asText());
        assertThat(named).as("a container port named " + port.asText()).isNotNull();
        return named;
    }

    /** A port setting's value in the pod: its environment variable when the Deployment sets it, else its default. */
    private static int port(JsonNode container, String key) {
        String value = podSettings().getProperty(key);
        assertThat(value).as(key + " in the pod's application.properties").isNotNull();
        Matcher env = ENV_PLACEHOLDER.matcher(value);
        assertThat(env.find()).as(key + " from an environment variable").isTrue();
        for (JsonNode variable : container.path("env")) {
            if (variable.path("name").asText().equals(env.group(1))) {
                return Integer.parseInt(variable.path("value").asText());
            }
        }
        return Integer.parseInt(env.group(2));
    }

    /** The default of a {@code {{env:NAME:default}}} setting of application.properties, or its plain value. */
    private static String defaultValue(String key) {
        String value = settings.getProperty(key).trim();
        Matcher env = ENV_PLACEHOLDER.matcher(value);
        return env.matches() ? env.group(2) : value;
    }

    /** {@code file:routes/*.camel.yaml}: {@code routes}. */
    private static String routesDirectory() {
        String pattern =
                settings.getProperty("camel.main.routes-include-pattern").trim();
        assertThat(pattern).matches("file:[^/*]+/\\*\\.camel\\.yaml");
        return pattern.substring("file:".length(), pattern.indexOf('/'));
    }

    private static Properties properties(String text) {
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(text));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return properties;
    }

    /** {@code 30} (Camel's seconds), {@code 20s}, {@code 500ms}, {@code 1m}, or ISO-8601. */
    private static long seconds(String value) {
        String text = value.trim();
        Matcher unit = Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(text);
        if (!unit.matches()) {
            return Duration.parse(text).toSeconds();
        }
        long amount = Long.parseLong(unit.group(1));
        return switch (unit.group(2) == null ? "s" : unit.group(2)) {
            case "ms" -> (amount + 999) / 1000;
            case "m" -> amount * 60;
            case "h" -> amount * 3600;
            default -> amount;
        };
    }

    private static String strip(String path) {
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /** The instructions of a Dockerfile, in order, continuation lines joined and comments left out. */
    private record Dockerfile(List<String[]> lines) {

        static Dockerfile read(Path file) throws IOException {
            List<String[]> lines = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String line : Files.readAllLines(file)) {
                String trimmed = line.trim();
                if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
                    continue;
                }
                current.append(' ')
                        .append(trimmed.endsWith("\\") ? trimmed.substring(0, trimmed.length() - 1) : trimmed);
                if (!trimmed.endsWith("\\")) {
                    String instruction = current.toString().trim();
                    int space = instruction.indexOf(' ');
                    lines.add(new String[] {
                        instruction.substring(0, space).toUpperCase(),
                        instruction.substring(space + 1).trim()
                    });
                    current.setLength(0);
                }
            }
            return new Dockerfile(lines);
        }

        List<String> instructions(String name) {
            return lines.stream()
                    .filter(line -> line[0].equals(name))
                    .map(line -> line[1])
                    .toList();
        }

        java.util.Optional<String> last(String name) {
            List<String> all = instructions(name);
            return all.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(all.get(all.size() - 1));
        }

        /** Each COPY's source (without a trailing /) and where it lands, as an absolute path without a trailing /. */
        Map<String, String> copies() {
            Map<String, String> copies = new LinkedHashMap<>();
            String workdir = "/";
            for (String[] line : lines) {
                if (line[0].equals("WORKDIR")) {
                    workdir = absolute(workdir, line[1]);
                } else if (line[0].equals("COPY") || line[0].equals("ADD")) {
                    assertThat(line[0])
                            .as("ADD fetches and unpacks; COPY copies")
                            .isEqualTo("COPY");
                    assertThat(line[1]).as("COPY in its plain form").doesNotStartWith("[");
                    List<String> words = Stream.of(line[1].split("\\s+"))
                            .filter(word -> !word.startsWith("--"))
                            .toList();
                    assertThat(words)
                            .as("COPY " + line[1] + ": one source and its destination")
                            .hasSize(2);
                    copies.put(strip(words.get(0)), absolute(workdir, words.get(1)));
                }
            }
            return copies;
        }

        /** The working directory the command runs in. */
        String workdirAtCommand() {
            String workdir = "/";
            for (String[] line : lines) {
                if (line[0].equals("WORKDIR")) {
                    workdir = absolute(workdir, line[1]);
                }
            }
            return workdir;
        }

        /** The CMD, or the ENTRYPOINT, in exec form (java is PID 1 and gets the SIGTERM itself). */
        List<String> command() throws IOException {
            assertThat(instructions("ENTRYPOINT").size() + instructions("CMD").size())
                    .as("one CMD or ENTRYPOINT")
                    .isEqualTo(1);
            String command = last("CMD").orElseGet(() -> last("ENTRYPOINT").orElseThrow());
            assertThat(command).as("exec form").startsWith("[");
            List<String> arguments = new ArrayList<>();
            new ObjectMapper().readTree(command).forEach(argument -> arguments.add(argument.asText()));
            return arguments;
        }

        private static String absolute(String workdir, String path) {
            String resolved = Path.of(workdir).resolve(strip(path)).normalize().toString();
            return resolved.equals("/") ? resolved : strip(resolved);
        }
    }

    /**
     * The rules of a {@code .dockerignore} as Docker applies them: patterns in Go's filepath.Match syntax ({@code *},
     * {@code ?}, {@code [..]}) plus {@code **}; a pattern matches a path or any directory above it; the last pattern
     * that matches decides, {@code !} making it an exception.
     */
    private record DockerIgnore(List<Map.Entry<Pattern, Boolean>> rules) {

        static DockerIgnore read(Path file) throws IOException {
            List<Map.Entry<Pattern, Boolean>> rules = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                String pattern = line.trim();
                if (pattern.isEmpty() || pattern.startsWith("#")) {
                    continue;
                }
                boolean exception = pattern.startsWith("!");
                pattern = strip(exception ? pattern.substring(1).trim() : pattern);
                rules.add(Map.entry(
                        Pattern.compile(regex(pattern.startsWith("/") ? pattern.substring(1) : pattern)), !exception));
            }
            return new DockerIgnore(rules);
        }

        boolean excludes(String path) {
            boolean excluded = false;
            for (Map.Entry<Pattern, Boolean> rule : rules) {
                for (String candidate = path;
                        candidate != null;
                        candidate =
                                candidate.contains("/") ? candidate.substring(0, candidate.lastIndexOf('/')) : null) {
                    if (rule.getKey().matcher(candidate).matches()) {
                        excluded = rule.getValue();
                        break;
                    }
                }
            }
            return excluded;
        }

        private static String regex(String glob) {
            StringBuilder regex = new StringBuilder();
            for (int i = 0; i < glob.length(); i++) {
                char c = glob.charAt(i);
                if (glob.startsWith("**/", i)) {
                    regex.append("(.*/)?");
                    i += 2;
                } else if (glob.startsWith("**", i)) {
                    regex.append(".*");
                    i++;
                } else if (c == '*') {
                    regex.append("[^/]*");
                } else if (c == '?') {
                    regex.append("[^/]");
                } else if (c == '[') {
                    int end = glob.indexOf(']', i);
                    regex.append(glob, i, end + 1);
                    i = end;
                } else {
                    regex.append(Pattern.quote(String.valueOf(c)));
                }
            }
            return regex.toString();
        }
    }

    /** What the pom says the build makes, with ${project.build.directory} as the relative target. */
    private record Pom(String directory, String finalName, String dependencyDirectory, String classpathPrefix) {

        static Pom read(Path file) throws Exception {
            Document pom =
                    DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
            XPath xpath = XPathFactory.newInstance().newXPath();
            String packaging = xpath.evaluate("/*[local-name()='project']/*[local-name()='packaging']", pom);
            assertThat(packaging).as("packaging").isIn("", "jar");
            String directory = "target";
            String finalName = xpath.evaluate(
                    "/*[local-name()='project']/*[local-name()='build']/*[local-name()='finalName']", pom);
            String plugins =
                    "/*[local-name()='project']/*[local-name()='build']/*[local-name()='plugins']/*[local-name()='plugin']";
            String dependencies = xpath.evaluate(
                    plugins + "[*[local-name()='artifactId']='maven-dependency-plugin']"
                            + "//*[local-name()='execution'][*[local-name()='goals']/*[local-name()='goal']='copy-dependencies']"
                            + "/*[local-name()='configuration']/*[local-name()='outputDirectory']",
                    pom);
            String prefix = xpath.evaluate(
                    plugins + "[*[local-name()='artifactId']='maven-jar-plugin']"
                            + "//*[local-name()='manifest']/*[local-name()='classpathPrefix']",
                    pom);
            assertThat(finalName).as("build/finalName").isNotBlank();
            assertThat(dependencies)
                    .as("the copy-dependencies outputDirectory")
                    .startsWith("${project.build.directory}/");
            assertThat(prefix).as("the manifest's classpathPrefix").isNotBlank();
            return new Pom(
                    directory,
                    finalName,
                    directory + dependencies.substring("${project.build.directory}".length()),
                    prefix);
        }
    }
}
