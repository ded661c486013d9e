package io.carbridge.http;

import io.carbridge.Settings;
import io.carbridge.Settings.InvalidSettingException;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import io.vertx.core.http.HttpServerRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

/**
 * Who sent a request, for the per-client limits: the address of the socket, or, when that socket belongs to a proxy
 * named in {@code bridge.http.trusted-proxies}, the address {@code X-Forwarded-For} says reached the proxies. The
 * header is read right to left, past the trusted proxies: the leftmost entries are whatever the client wrote, the entry
 * a trusted proxy appended is the client it saw. Without trusted proxies the header is never believed.
 */
public final class ClientAddresses {

    /** The setting: addresses or CIDR ranges ({@code 10.0.0.0/8}) of the proxies in front of the bridge. */
    public static final String PROPERTY = "bridge.http.trusted-proxies";

    private final List<IpSubnetFilterRule> trustedProxies;

    ClientAddresses(List<IpSubnetFilterRule> trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    public static ClientAddresses from(Settings settings) {
        List<IpSubnetFilterRule> proxies = new ArrayList<>();
        for (String entry : settings.of(HttpSettings.class).trustedProxies) {
            proxies.add(rule(entry));
        }
        return new ClientAddresses(List.copyOf(proxies));
    }

    private static IpSubnetFilterRule rule(String entry) {
        String[] parts = entry.split("/", 2);
        if (!NetUtil.isValidIpV4Address(parts[0]) && !NetUtil.isValidIpV6Address(parts[0])) {
            throw new InvalidSettingException(
                    PROPERTY, "names '" + entry + "': write IP addresses or CIDR ranges such as 10.0.0.0/8");
        }
        boolean v4 = NetUtil.isValidIpV4Address(parts[0]);
        int prefix;
        try {
            prefix = parts.length == 1 ? (v4 ? 32 : 128) : Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (prefix < 0 || prefix > (v4 ? 32 : 128)) {
            throw new InvalidSettingException(
                    PROPERTY, "names '" + entry + "': the prefix length of a CIDR range is 0 to " + (v4 ? 32 : 128));
        }
        return new IpSubnetFilterRule(parts[0], prefix, IpFilterRuleType.ACCEPT);
    }

    /** The client of the HTTP request that started this exchange; "unknown" when it did not come from one. */
    public String of(Exchange exchange) {
        HttpMessage message = exchange.getIn(HttpMessage.class);
        if (message == null
                || message.getRequest() == null
                || message.getRequest().remoteAddress() == null) {
            return "unknown";
        }
        return of(message.getRequest());
    }

    private String of(HttpServerRequest request) {
        return of(request.remoteAddress().hostAddress(), request.headers().getAll("X-Forwarded-For"));
    }

    /** The client, from the address of the socket and the {@code X-Forwarded-For} headers of the request. */
    String of(String socketAddress, List<String> forwardedForHeaders) {
        String client = socketAddress;
        if (!isTrustedProxy(client)) {
            return client;
        }
        List<String> forwarded = forwardedForHeaders.stream()
                .flatMap(header -> List.of(header.split(",")).stream())
                .map(ClientAddresses::withoutPort)
                .toList();
        for (int hop = forwarded.size() - 1; hop >= 0; hop--) {
            String address = forwarded.get(hop);
            if (!NetUtil.isValidIpV4Address(address) && !NetUtil.isValidIpV6Address(address)) {
                return client; // not written by a proxy we trust: the last trusted one is the client we know
            }
            if (!isTrustedProxy(address)) {
                return address;
            }
            client = address;
        }
        return client;
    }

    /** Some proxies write {@code 203.0.113.7:51234} or {@code [2001:db8::1]:51234}: the address alone. */
    private static String withoutPort(String hop) {
        String address = hop.trim();
        if (address.startsWith("[") && address.indexOf(']') > 0) {
            return address.substring(1, address.indexOf(']'));
        }
        int colon = address.indexOf(':');
        return colon > 0 && colon == address.lastIndexOf(':') ? address.substring(0, colon) : address;
    }

    private boolean isTrustedProxy(String address) {
        if (trustedProxies.isEmpty()) {
            return false;
        }
        InetSocketAddress socket = new InetSocketAddress(toInetAddress(address), 0);
        return trustedProxies.stream().anyMatch(rule -> rule.matches(socket));
    }

    private static InetAddress toInetAddress(String literal) {
        try {
            return InetAddress.getByAddress(NetUtil.createByteArrayFromIpAddressString(literal));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + literal, e);
        }
    }
}
