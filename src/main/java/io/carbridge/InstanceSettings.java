package io.carbridge;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** The settings of the bridge as a whole, {@code bridge.<setting>}. */
public final class InstanceSettings {

    @Setting(
            value = "Names this instance in delivery and subscription-sync claims; unique per instance",
            defaultText = "(the host name)")
    String instanceId = hostName();

    public String instanceId() {
        return instanceId;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "bridge";
        }
    }
}
