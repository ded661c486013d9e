package io.carbridge.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The sockets listening on this machine, from /proc/net/tcp and /proc/net/tcp6 (Linux). */
public final class ListeningSockets {

    private ListeningSockets() {}

    /**
     * The local addresses of the sockets listening on the port: {@code 127.0.0.1}, {@code 0.0.0.0} (also for "::"), ...
     */
    public static List<String> addresses(int port) {
        List<String> addresses = new ArrayList<>();
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] fields = line.trim().split("\\s+");
                    // local address, remote address, state 0A (LISTEN)
                    if (fields.length > 3 && fields[1].endsWith(hexPort) && fields[3].equals("0A")) {
                        addresses.add(ipv4(fields[1].substring(0, fields[1].indexOf(':'))));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return addresses;
    }

    /** The IPv4 address of a /proc/net entry (little-endian hex), also of an IPv4-mapped IPv6 one; "::" is 0.0.0.0. */
    private static String ipv4(String hex) {
        if (hex.length() == 32 && !hex.startsWith("0000000000000000FFFF0000") && !hex.equals("0".repeat(32))) {
            return "IPv6 " + hex;
        }
        long value = Long.parseLong(hex.length() == 32 ? hex.substring(24) : hex, 16);
        return (value & 0xFF) + "." + (value >> 8 & 0xFF) + "." + (value >> 16 & 0xFF) + "." + (value >> 24 & 0xFF);
    }
}
