package io.carbridge.check;

import io.carbridge.CamelPorts;
import io.carbridge.DeclaredSettings;
import io.carbridge.Settings;
import io.carbridge.StartupFailure;
import io.carbridge.http.ClientAddresses;
import io.carbridge.intake.ManagementTokens;
import io.carbridge.smartcar.ReconciliationSettings;
import io.carbridge.smartcar.SmartcarSettings;
import io.carbridge.storage.Database;
import io.carbridge.tracing.Tracing;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.CamelContext;

/**
 * The settings {@link io.carbridge.BridgeConfiguration} reads at start, read and checked the same way, part by part,
 * without what the start does with them: no port is bound, no database opened, no Smartcar called. Each part that fails
 * is one problem, so one run lists every mistake, not the first.
 *
 * <p>The groups of {@link DeclaredSettings} are bound onto their beans as at start, each a part; then the checks their
 * owners make beyond the declarations, by the owners' own methods that open nothing ({@link Database#url},
 * {@link ClientAddresses#from}, {@link SmartcarSettings#load}, ...) ({@code ConfigurationCheckCoverageTest} fails for a
 * setting of {@code application.properties} that this class does not read).
 */
final class StartupSettings {

    private StartupSettings() {}

    /** Every part's problems, in the order the service meets them at start. */
    static List<Problem> check(CamelContext camel) {
        List<String> read = new ArrayList<>();
        Settings settings = ReadKeys.settings(camel, read);
        List<Runnable> parts = new ArrayList<>();
        // BridgeConfiguration: the ports (that they are free is for the start to find)
        parts.add(() -> CamelPorts.of(settings));
        parts.add(settings::refuseUnknownKeys);
        DeclaredSettings.GROUPS.forEach(group -> parts.add(() -> settings.of(group.type())));
        parts.add(() -> ClientAddresses.from(settings));
        parts.add(() -> Database.url(settings));
        parts.add(() -> ManagementTokens.of(settings));
        // smartcar.Smartcar
        parts.add(() -> SmartcarSettings.load(settings));
        parts.add(() -> ReconciliationSettings.of(settings));
        parts.add(() -> Tracing.endpoint(settings));
        // a group that fails is reported once, though an owner's check binds it again
        Set<Problem> problems = new LinkedHashSet<>();
        parts.forEach(part -> run(part, read).ifPresent(problems::add));
        return new ArrayList<>(problems);
    }

    /**
     * The problem a part of the start stops at, if any: the setting and what is wrong with it. {@code read} holds the
     * keys the part read, in order: a value Camel cannot resolve (a {@code {{placeholder}}} of nothing) fails at the
     * last.
     */
    static Optional<Problem> run(Runnable part, List<String> read) {
        try {
            part.run();
            return Optional.empty();
        } catch (StartupFailure e) {
            return Optional.of(problemOf(e));
        } catch (RuntimeException e) {
            String key = read.isEmpty() ? "settings" : read.get(read.size() - 1);
            return Optional.of(new Problem(key, "cannot be read: " + e.getMessage()));
        }
    }

    /** A start failure's one line, which names the setting: {@code bridge.x is '...', ...}. */
    static Problem problemOf(StartupFailure failure) {
        String message = failure.getMessage().replaceFirst("^Configuration error: ", "");
        int space = message.indexOf(' ');
        if (failure instanceof Settings.InvalidSettingException && space > 0) {
            return new Problem(message.substring(0, space), message.substring(space + 1));
        }
        return new Problem("start", message);
    }
}
