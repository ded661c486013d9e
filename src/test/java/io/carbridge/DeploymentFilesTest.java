package io.carbridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * The top-level {@code Dockerfile} agrees with the build and with the bridge. No image is built (the build machines
 * reach no registry): the file is read.
 *
 * <p>A surefire test, so it runs before {@code package} and on a clean checkout: what the Dockerfile copies from
 * {@code target/} is checked against the pom that makes it (the jar's {@code finalName}, the directory the runtime
 * dependencies are copied to, the manifest's classpath prefix), and what it copies from the repository must exist.
 * Ports come from {@code application.properties}.
 */
class DeploymentFilesTest {

    private static final Path DOCKERFILE = Path.of("Dockerfile");
    private static final Path DOCKERIGNORE = Path.of(".dockerignore");
    private static final Pattern ENV_PLACEHOLDER = Pattern.compile("\\{\\{env:([A-Za-z0-9_]+)(?::([^}]*))?}}");

    private static Dockerfile docker;
    private static Pom pom;
    private static Properties settings;

    @BeforeAll
    static void read() throws Exception {
        docker = Dockerfile.read(DOCKERFILE);
        pom = Pom.read(Path.of("pom.xml"));
        settings = properties(Files.readString(Path.of("application.properties")));
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
        assertThat(copied.keySet()).as("what the Dockerfile copies").containsExactlyInAnyOrder(jar, lib, routes, properties);
        // what the build does not make is in the repository
        assertThat(Path.of(routes)).isDirectoryContaining(file -> file.toString().endsWith(".camel.yaml"));
        assertThat(Path.of(properties)).isRegularFile();

        String workdir = docker.workdirAtCommand();
        assertThat(copied).as("where each lands, from the working directory " + workdir)
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
        assertThat(sent).allSatisfy(path -> assertThat(ignore.excludes(path)).as(".dockerignore leaves out " + path).isFalse());
        assertThat(ignore.excludes("src/main/java/io/carbridge/BridgeApplication.java")).as("sources stay out of the context").isTrue();
        assertThat(ignore.excludes("data/bridge.mv.db")).as("a local database stays out of the context").isTrue();
    }

    @Test
    void theImageRunsTheReadmesCommandAsAUserThatIsNotRoot() throws IOException {
        String user = docker.last("USER").orElseThrow(() -> new AssertionError("the Dockerfile sets no USER: it would run as root"));
        String name = user.split(":")[0];
        assertThat(name).as("USER").isNotIn("root", "0");
        if (!name.matches("\\d+")) {
            assertThat(docker.instructions("RUN")).as("a RUN creating the user " + name).anySatisfy(run -> assertThat(run).containsPattern("(useradd|adduser).*\\b" + name + "\\b"));
        }

        // the README's command, with -Xmx replaced by a share of the container's memory, and the jar where it was copied
        String commands = Files.readString(Path.of("README.md")).split("## The two commands", 2)[1];
        Matcher readme = Pattern.compile("java ((?:-\\S+ )*)-jar (\\S+)").matcher(commands);
        assertThat(readme.find()).as("the README's start command, under \"The two commands\"").isTrue();
        List<String> expected = new ArrayList<>(List.of("java"));
        Stream.of(readme.group(1).trim().split(" ")).filter(flag -> !flag.startsWith("-Xmx")).forEach(expected::add);
        expected.addAll(List.of("-jar", Path.of(readme.group(2)).getFileName().toString()));
        List<String> command = docker.command();
        assertThat(command).as("CMD").anySatisfy(argument -> assertThat(argument).matches("-XX:MaxRAMPercentage=\\d+(\\.\\d+)?"))
                .noneSatisfy(argument -> assertThat(argument).startsWith("-Xmx"));
        assertThat(command.stream().filter(argument -> !argument.startsWith("-XX:MaxRAMPercentage=")).toList()).as("CMD")
                .isEqualTo(expected);
        // run from the directory the jar, application.properties and routes/ were copied to
        assertThat(docker.workdirAtCommand() + "/" + command.get(command.indexOf("-jar") + 1)).isIn(docker.copies().values());
    }

    @Test
    void theImageDeclaresItsDataDirectoryAsAVolumeAndExposesBothPorts() {
        // jdbc:h2:file:./data/bridge: the default database is under ./data of the working directory
        String database = defaultValue("bridge.db.url");
        Matcher h2 = Pattern.compile("jdbc:h2:file:\\./([^/]+)/.*").matcher(database);
        assertThat(h2.matches()).as(database).isTrue();
        String data = docker.workdirAtCommand() + "/" + h2.group(1);
        assertThat(docker.instructions("VOLUME")).as("VOLUME").anySatisfy(volume -> assertThat(volume.replaceAll("[\\[\\]\"]", "").split("[ ,]+")).contains(data));
        assertThat(docker.instructions("RUN")).as("the data directory given to the service's user")
                .anySatisfy(run -> assertThat(run).containsPattern("chown .*\\b" + h2.group(1) + "\\b"));

        assertThat(docker.instructions("EXPOSE").stream().flatMap(expose -> Stream.of(expose.split("\\s+"))))
                .containsExactlyInAnyOrder(defaultValue("camel.server.port"), defaultValue("camel.management.port"));
    }

    // --- reading ---

    /** The default of a {@code {{env:NAME:default}}} setting of application.properties, or its plain value. */
    private static String defaultValue(String key) {
        String value = settings.getProperty(key).trim();
        Matcher env = ENV_PLACEHOLDER.matcher(value);
        return env.matches() ? env.group(2) : value;
    }

    /** {@code file:routes/*.camel.yaml}: {@code routes}. */
    private static String routesDirectory() {
        String pattern = settings.getProperty("camel.main.routes-include-pattern").trim();
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
                current.append(' ').append(trimmed.endsWith("\\") ? trimmed.substring(0, trimmed.length() - 1) : trimmed);
                if (!trimmed.endsWith("\\")) {
                    String instruction = current.toString().trim();
                    int space = instruction.indexOf(' ');
                    lines.add(new String[] {instruction.substring(0, space).toUpperCase(), instruction.substring(space + 1).trim()});
                    current.setLength(0);
                }
            }
            return new Dockerfile(lines);
        }

        List<String> instructions(String name) {
            return lines.stream().filter(line -> line[0].equals(name)).map(line -> line[1]).toList();
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
                    assertThat(line[0]).as("ADD fetches and unpacks; COPY copies").isEqualTo("COPY");
                    assertThat(line[1]).as("COPY in its plain form").doesNotStartWith("[");
                    List<String> words = Stream.of(line[1].split("\\s+")).filter(word -> !word.startsWith("--")).toList();
                    assertThat(words).as("COPY " + line[1] + ": one source and its destination").hasSize(2);
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
            assertThat(instructions("ENTRYPOINT").size() + instructions("CMD").size()).as("one CMD or ENTRYPOINT").isEqualTo(1);
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
                rules.add(Map.entry(Pattern.compile(regex(pattern.startsWith("/") ? pattern.substring(1) : pattern)), !exception));
            }
            return new DockerIgnore(rules);
        }

        boolean excludes(String path) {
            boolean excluded = false;
            for (Map.Entry<Pattern, Boolean> rule : rules) {
                for (String candidate = path; candidate != null; candidate = candidate.contains("/") ? candidate.substring(0, candidate.lastIndexOf('/')) : null) {
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
            Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
            XPath xpath = XPathFactory.newInstance().newXPath();
            String packaging = xpath.evaluate("/*[local-name()='project']/*[local-name()='packaging']", pom);
            assertThat(packaging).as("packaging").isIn("", "jar");
            String directory = "target";
            String finalName = xpath.evaluate("/*[local-name()='project']/*[local-name()='build']/*[local-name()='finalName']", pom);
            String plugins = "/*[local-name()='project']/*[local-name()='build']/*[local-name()='plugins']/*[local-name()='plugin']";
            String dependencies = xpath.evaluate(plugins + "[*[local-name()='artifactId']='maven-dependency-plugin']"
                    + "//*[local-name()='execution'][*[local-name()='goals']/*[local-name()='goal']='copy-dependencies']"
                    + "/*[local-name()='configuration']/*[local-name()='outputDirectory']", pom);
            String prefix = xpath.evaluate(plugins + "[*[local-name()='artifactId']='maven-jar-plugin']"
                    + "//*[local-name()='manifest']/*[local-name()='classpathPrefix']", pom);
            assertThat(finalName).as("build/finalName").isNotBlank();
            assertThat(dependencies).as("the copy-dependencies outputDirectory").startsWith("${project.build.directory}/");
            assertThat(prefix).as("the manifest's classpathPrefix").isNotBlank();
            return new Pom(directory, finalName, directory + dependencies.substring("${project.build.directory}".length()), prefix);
        }
    }
}
