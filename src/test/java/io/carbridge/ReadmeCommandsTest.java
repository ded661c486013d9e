package io.carbridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.testing.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's commands as a newcomer copies them: the heap the service is measured with, and the port it listens on.
 */
class ReadmeCommandsTest {

    @Test
    void everyCommandThatRunsTheServiceSetsTheHeapLimitOfTheBenchmark() throws Exception {
        List<String> runs = commands("java [^\\n`]*-jar target/smartcar-bridge\\.jar");

        assertThat(runs)
                .as("the two commands and Try it")
                .hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(command -> assertThat(command).contains("-Xmx" + ServiceProcess.MAX_HEAP));
        assertThat(runs).as("where a -D setting goes").anySatisfy(command -> assertThat(command)
                .containsPattern("java -Xmx\\S+ -D\\S+ -jar"));
    }

    @Test
    void everyUrlOfTheServiceFollowsHttpPort() throws Exception {
        assertThat(commands("https?://localhost:[^/\\s\"]*")).isNotEmpty().allSatisfy(url -> assertThat(url)
                .satisfiesAnyOf(u -> assertThat(u).endsWith("${HTTP_PORT:-8080}"), u -> assertThat(u)
                        .endsWith("localhost:9000")));
    }

    private static List<String> commands(String regex) throws Exception {
        String readme = Files.readString(Paths.get("README.md")).replace("\\\n", " ");
        Matcher matcher = Pattern.compile(regex).matcher(readme);
        List<String> found = new java.util.ArrayList<>();
        while (matcher.find()) {
            found.add(matcher.group().replaceAll("\\s+", " "));
        }
        return found;
    }
}
