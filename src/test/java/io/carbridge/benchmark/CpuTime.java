package io.carbridge.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time (user + system) a process has used, from {@code /proc/<pid>/stat}: how the machine's cores were shared
 * between the service and the load generator during a load.
 */
final class CpuTime {

    /** Linux reports CPU time in clock ticks of 1/100 s ({@code getconf CLK_TCK}). */
    private static final double SECONDS_PER_TICK = 0.01;

    private CpuTime() {
    }

    static double secondsOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // the command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * SECONDS_PER_TICK;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double ofThisProcess() {
        return secondsOf(ProcessHandle.current().pid());
    }
}
