package io.carbridge.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What Linux reports about a process in {@code /proc/<pid>}: the CPU time it used (how the cores were shared between
 * the service, the database server and the load generator during a load), the CPU time of some of its threads, and its
 * peak resident size.
 */
final class ProcessStats {

    /** Linux reports CPU time in clock ticks of 1/100 s ({@code getconf CLK_TCK}). */
    private static final double SECONDS_PER_TICK = 0.01;
    /** Linux keeps the first 15 bytes of a thread's name ({@code comm}); the JVM gives each thread its Java name. */
    private static final int THREAD_NAME_LENGTH = 15;

    /** CPU time of a process's threads of some names, and the names of the threads counted. */
    record ThreadCpu(double seconds, List<String> threads) {}

    private ProcessStats() {}

    /** CPU time (user + system) used so far, in seconds. */
    static double cpuSeconds(long pid) {
        return cpuSeconds(read(pid, "stat"));
    }

    /** CPU time of the processes, in seconds. */
    static double cpuSeconds(List<Long> pids) {
        return pids.stream().mapToDouble(ProcessStats::cpuSeconds).sum();
    }

    /** CPU time of a process and its descendants that are running now (a database server and its backends). */
    static double cpuSecondsWithDescendants(long pid) {
        return Stream.concat(
                        Stream.of(pid),
                        ProcessHandle.of(pid).stream()
                                .flatMap(ProcessHandle::descendants)
                                .map(ProcessHandle::pid))
                .mapToDouble(process -> {
                    try {
                        return cpuSeconds(process);
                    } catch (UncheckedIOException exited) {
                        return 0;
                    }
                })
                .sum();
    }

    /**
     * CPU time so far of the processes' threads named one of {@code names} (as Linux keeps them: the first 15 bytes),
     * read from {@code /proc/<pid>/task/<tid>/stat}.
     */
    static ThreadCpu threadCpuSeconds(List<Long> pids, Set<String> names) {
        Set<String> truncated = names.stream()
                .map(name -> name.length() > THREAD_NAME_LENGTH ? name.substring(0, THREAD_NAME_LENGTH) : name)
                .collect(Collectors.toSet());
        double seconds = 0;
        List<String> counted = new ArrayList<>();
        for (long pid : pids) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
                for (Path task : tasks.toList()) {
                    String stat;
                    try {
                        stat = Files.readString(task.resolve("stat"));
                    } catch (IOException exited) {
                        continue;
                    }
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    // Camel numbers its threads after their name ("outbox-sink 3"): any of them counts
                    if (truncated.contains(name.replaceFirst(" \\d+$", ""))) {
                        seconds += cpuSeconds(stat);
                        counted.add(name);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new ThreadCpu(seconds, counted.stream().sorted().toList());
    }

    /** User + system time of a {@code stat} line, in seconds. */
    private static double cpuSeconds(String stat) {
        // the command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * SECONDS_PER_TICK;
    }

    static double cpuSecondsOfThisProcess() {
        return cpuSeconds(ProcessHandle.current().pid());
    }

    /** Peak resident set size (VmHWM) so far, in kB. */
    static long peakResidentKb(long pid) {
        return read(pid, "status")
                .lines()
                .filter(line -> line.startsWith("VmHWM:"))
                .findFirst()
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
