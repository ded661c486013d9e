package io.carbridge.delivery;

import io.carbridge.Setting;
import java.util.List;

/**
 * {@code bridge.destinations}, the destinations on; each one's own settings are bound by {@link Destinations}, from
 * {@code bridge.destination.<name>.*}.
 */
public final class DestinationListSettings {

    @Setting(
            value = "Comma-separated destination names; empty: events are stored, nothing is forwarded",
            defaultText = "(empty)")
    List<String> destinations = List.of();

    public List<String> names() {
        return destinations;
    }
}
