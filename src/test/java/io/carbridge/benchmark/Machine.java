package io.carbridge.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine a figure was measured on; every figure is printed with it.
 *
 * @param loadAverage the 1, 5 and 15 minute load averages when the run started: other work on the machine shows here
 */
record Machine(int cores, long memoryMb, String cpu, String jdk, String os, String loadAverage) {

    static Machine describe() {
        return new Machine(
                Runtime.getRuntime().availableProcessors(),
                procValue("/proc/meminfo", "MemTotal:") / 1024,
                procLine("/proc/cpuinfo", "model name").replaceFirst("^model name\\s*:\\s*", ""),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                loadAverageNow());
    }

    static String loadAverageNow() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return cores + " cores (" + cpu + "), " + memoryMb + " MB memory, " + jdk + ", " + os + ", load average "
                + loadAverage;
    }

    private static long procValue(String file, String prefix) {
        return Long.parseLong(procLine(file, prefix).replaceAll("[^0-9]", ""));
    }

    private static String procLine(String file, String prefix) {
        try {
            return Files.readAllLines(Path.of(file)).stream()
                    .filter(line -> line.startsWith(prefix))
                    .findFirst()
                    .orElse("unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
