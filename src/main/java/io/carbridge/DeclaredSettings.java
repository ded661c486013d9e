package io.carbridge;

import io.carbridge.Settings.InvalidSettingException;
import io.carbridge.admin.AdminSettings;
import io.carbridge.delivery.DeliverySettings;
import io.carbridge.delivery.DestinationListSettings;
import io.carbridge.http.HttpSettings;
import io.carbridge.intake.IntakeSettings;
import io.carbridge.intake.ManagementTokenSettings;
import io.carbridge.smartcar.ConnectSettings;
import io.carbridge.smartcar.ReconciliationSettings;
import io.carbridge.smartcar.SmartcarClientSettings;
import io.carbridge.smartcar.SyncSettings;
import io.carbridge.smartcar.v2.V2Settings;
import io.carbridge.smartcar.v3.V3Settings;
import io.carbridge.storage.DatabaseSettings;
import io.carbridge.storage.RetentionSettings;
import io.carbridge.tracing.TracingSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code bridge.*} settings declared on settings beans ({@link Setting}): which bean declares the settings under
 * which prefix, the one list {@link Settings#of} binds from and the unknown-key check goes by. A group joins the check
 * by registering its bean here.
 */
public final class DeclaredSettings {

    /** The settings under {@code prefix} that a bean of {@code type} declares. */
    public record Group(String prefix, Class<?> type) {

        /** The group's keys in full ({@code bridge.db.pool-size}). */
        public List<String> keys() {
            return SettingsBinding.declared(type).stream()
                    .map(setting -> prefix + setting.key())
                    .toList();
        }
    }

    /** Every group declared, in the order of the settings reference. */
    public static final List<Group> GROUPS = List.of(
            new Group("bridge.db.", DatabaseSettings.class),
            new Group("bridge.http.", HttpSettings.class),
            new Group("bridge.admin.", AdminSettings.class),
            new Group("bridge.intake.", IntakeSettings.class),
            new Group("bridge.smartcar.", ManagementTokenSettings.class),
            new Group("bridge.delivery.", DeliverySettings.class),
            new Group("bridge.", InstanceSettings.class),
            new Group("bridge.tracing.", TracingSettings.class),
            new Group("bridge.retention.", RetentionSettings.class),
            new Group("bridge.smartcar.", SmartcarClientSettings.class),
            new Group("bridge.smartcar.", V3Settings.class),
            new Group("bridge.smartcar.", V2Settings.class),
            new Group("bridge.connect.", ConnectSettings.class),
            new Group("bridge.sync.", SyncSettings.class),
            new Group("bridge.reconcile.", ReconciliationSettings.class),
            new Group("bridge.", DestinationListSettings.class));

    /**
     * A destination's settings, bound by their owner on a bean of their own whose binding refuses an unknown key
     * ({@link io.carbridge.delivery.Destinations}): left out of the unknown-key check here.
     */
    private static final String BOUND_BY_THEIR_OWNER = "bridge.destination.";

    private DeclaredSettings() {}

    static Group groupOf(Class<?> type) {
        return GROUPS.stream()
                .filter(group -> group.type() == type)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(type + " is not a group of DeclaredSettings"));
    }

    /**
     * Stops the start at a {@code bridge.*} key that no bean declares, naming the nearest valid one, as Camel Main does
     * for {@code camel.*} keys: a misspelt key would otherwise be silently ignored, its default used.
     */
    static void refuseUnknownKeys(SettingsBinding binding) {
        List<String> valid = new ArrayList<>();
        GROUPS.forEach(group -> valid.addAll(group.keys()));
        Set<String> known = valid.stream().map(SettingsBinding::normalised).collect(Collectors.toSet());
        for (String key : binding.keysUnder("bridge.")) {
            if (known.contains(SettingsBinding.normalised(key)) || key.startsWith(BOUND_BY_THEIR_OWNER)) {
                continue;
            }
            throw new InvalidSettingException(
                    key,
                    "is not a setting of the bridge"
                            + Suggestions.nearest(key, valid)
                                    .map(near -> ": did you mean " + near + "?")
                                    .orElse(""));
        }
    }
}
