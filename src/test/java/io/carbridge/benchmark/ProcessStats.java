package io.carbridge.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What Linux reports about a process in {@code /proc/<pid>}: the CPU time it used (how the cores were shared between
 * the service and the load generator during a load) and its peak resident size.
 */
final class ProcessStats {

    /** Linux reports CPU time in clock ticks of 1/100 s ({@code getconf CLK_TCK}). */
    private static final double SECONDS_PER_TICK = 0.01;

    private ProcessStats() {
    }

    /** CPU time (user + system) used so far, in seconds. */
    static double cpuSeconds(long pid) {
        String stat = read(pid, "stat");
        // the command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * SECONDS_PER_TICK;
    }

    static double cpuSecondsOfThisProcess() {
        return cpuSeconds(ProcessHandle.current().pid());
    }

    /** Peak resident set size (VmHWM) so far, in kB. */
    static long peakResidentKb(long pid) {
        return read(pid, "status").lines().filter(line -> line.startsWith("VmHWM:")).findFirst()
                .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")))
                .orElseThrow(() -> new IllegalStateException("no VmHWM in /proc/" + pid + "/status"));
    }

    private static String read(long pid, String file) {
        try {
            return Files.readString(Path.of("/proc", String.valueOf(pid), file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
