package io.carbridge.check;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.carbridge.Settings;
import io.carbridge.StartupFailure;
import io.carbridge.admin.AdminAccess;
import io.carbridge.http.ClientAddresses;
import io.carbridge.http.HttpServerGuard;
import io.carbridge.intake.ManagementTokens;
import io.carbridge.smartcar.Smartcar;
import io.carbridge.smartcar.SmartcarSettings;
import io.carbridge.state.VehicleState;
import io.carbridge.storage.Database;
import io.carbridge.tracing.Tracing;
import org.apache.camel.CamelContext;

/**
 * The settings {@link io.carbridge.BridgeConfiguration} reads at start, read and checked the same way, part by part,
 * without what the start does with them: no port is bound, no database opened, no Smartcar called. Each part that
 * fails is one problem, so one run lists every mistake, not the first.
 *
 * <p>Where a part's owner has a method that reads and checks its settings without opening anything, that method runs
 * here ({@link SmartcarSettings#load}, {@link HttpServerGuard.Limits#from}, ...). The settings the owners read one by one
 * in their constructors, whose other work needs the database, are read here with the same bounds; a change of those
 * bounds in their owner is to be made here too ({@code ConfigurationCheckTest} fails for a setting of
 * {@code application.properties} that this class does not read).
 */
final class StartupSettings {

    private StartupSettings() {
    }

    /** Every part's problems, in the order the service meets them at start. */
    static List<Problem> check(CamelContext camel) {
        List<String> read = new ArrayList<>();
        Settings settings = ReadKeys.settings(camel, read);
        Map<String, Runnable> parts = new LinkedHashMap<>();
        // BridgeConfiguration: the ports (that they are free is for the start to find), the HTTP servers, the admin API
        parts.put("ports", () -> {
            settings.integer("camel.server.port", 0, 0, 65_535);
            settings.integer("camel.management.port", 0, 0, 65_535);
        });
        parts.put("http", () -> {
            settings.integer("bridge.http.worker-threads", 64, 4, 1024);
            HttpServerGuard.Limits.from(settings);
            ClientAddresses.from(settings);
        });
        parts.put("admin", () -> {
            settings.optional(AdminAccess.PROPERTY);
            settings.integer("bridge.admin.failed-token-burst", 10, 1, 10_000);
            settings.positiveDuration("bridge.admin.failed-token-refill", Duration.ofMinutes(1));
        });
        // storage.Database and Storage, up to the connection
        parts.put("database", () -> {
            Database.durableUrl(settings.required("bridge.db.url", "set DB_URL to a JDBC URL"));
            settings.string("bridge.db.user", "");
            settings.string("bridge.db.password", "");
            settings.integer("bridge.db.pool-size", 16, 2, 500);
            settings.duration("bridge.db.connection-timeout", Duration.ofSeconds(5));
        });
        parts.put("intake counts", () -> {
            Duration flushInterval = settings.duration("bridge.intake.counts-flush-interval", Duration.ofSeconds(5));
            if (flushInterval.isNegative() || flushInterval.isZero()) {
                throw new Settings.InvalidSettingException("bridge.intake.counts-flush-interval", "must be a positive duration such as 5s");
            }
        });
        // delivery.Delivery, less the destinations (DestinationsCheck)
        parts.put("retention", () -> {
            settings.integer("bridge.retention.hours", 720, 168, 87_600);
            settings.timerPeriod("bridge.retention.interval", Duration.ofHours(1));
            settings.integer("bridge.retention.batch-size", 500, 1, 100_000);
        });
        parts.put("outbox", () -> {
            settings.integer("bridge.intake.max-batch", 256, 1, 10_000);
            settings.duration("bridge.intake.commit-timeout", Duration.ofSeconds(10));
            settings.duration("bridge.intake.min-commit-interval", Duration.ofMillis(5));
            settings.duration("bridge.delivery.poll-interval", Duration.ofSeconds(1));
            settings.duration("bridge.delivery.claim-margin", Duration.ofSeconds(60));
            settings.duration("bridge.delivery.min-commit-interval", Duration.ofMillis(5));
            settings.duration("bridge.delivery.stop-timeout", Duration.ofSeconds(20));
            settings.instanceId();
        });
        // intake.Intake
        parts.put("intake", () -> {
            ManagementTokens.parse(settings.optional(ManagementTokens.PROPERTY).orElse(null));
            settings.integer("bridge.intake.max-body-bytes", 65_536, 1_024, 10 * 1024 * 1024);
            settings.string("bridge.intake.path", "/webhooks/smartcar");
        });
        // state.VehicleState
        parts.put("state", () -> VehicleState.errorDedupeWindow(settings));
        // smartcar.Smartcar
        parts.put("smartcar", () -> {
            SmartcarSettings.load(settings);
            Smartcar.reconciliationSettings(settings);
            settings.integer("bridge.connect.client-burst", 10, 1, 10_000);
            settings.positiveDuration("bridge.connect.client-refill", Duration.ofSeconds(6));
            settings.integer("bridge.connect.max-open-states", 10_000, 1, 1_000_000);
        });
        // tracing.Tracing
        parts.put("tracing", () -> Tracing.endpoint(settings));
        List<Problem> problems = new ArrayList<>();
        parts.values().forEach(part -> run(part, read).ifPresent(problems::add));
        return problems;
    }

    /**
     * The problem a part of the start stops at, if any: the setting and what is wrong with it. {@code read} holds the
     * keys the part read, in order: a value Camel cannot resolve (a {@code {{placeholder}}} of nothing) fails at the last.
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
