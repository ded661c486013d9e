package io.carbridge.benchmark;

import static io.carbridge.benchmark.Targets.decimal;
import static io.carbridge.benchmark.Targets.megabytes;
import static io.carbridge.benchmark.Targets.number;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.carbridge.benchmark.Figures.DatabaseActivity;
import io.carbridge.benchmark.Figures.EndToEnd;
import io.carbridge.benchmark.Figures.KafkaDelivery;
import io.carbridge.benchmark.Figures.LoadFigures;
import io.carbridge.benchmark.Figures.LockWaits;
import io.carbridge.benchmark.Figures.Run;
import io.carbridge.benchmark.Figures.Setup;
import io.carbridge.benchmark.Figures.StatementFigures;
import io.carbridge.benchmark.Figures.TableFigures;
import io.carbridge.benchmark.Targets.Target;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The benchmark's report: the targets table of the median over the runs (when there are several), then each run's
 * targets, loads, the SQL of each load on PostgreSQL, the database's cost per delivery while the backlog drains and its
 * busiest statements; printed, and written to {@code results.md}, {@code results.json} and {@code latency.png}.
 */
final class BenchmarkReport {

    /** One color per setup: its p50 dashed, its p99 solid. */
    private static final Color[] SETUP_COLORS = {
        new Color(0x1F77B4),
        new Color(0xD62728),
        new Color(0x2CA02C),
        new Color(0x9467BD),
        new Color(0xFF7F0E),
        new Color(0x8C564B)
    };
    /** The busiest statements shown per setup. */
    private static final int BUSIEST = 8;

    private static final String TARGETS_TITLE = "Issue 23's and issue 21's targets (and issue 13's that still hold)";

    private BenchmarkReport() {}

    /** Every run, with the machine and the settings they ran with. */
    record Report(Machine machine, Map<String, String> settings, List<Run> runs) {

        /** Setup names in the order they ran. */
        List<String> setupNames() {
            return runs.get(0).setups().stream().map(Setup::name).toList();
        }

        /** One setup's targets in every run. */
        List<List<Target>> targets(String setup) {
            return runs.stream()
                    .map(run -> Targets.of(
                            run,
                            run.setups().stream()
                                    .filter(s -> s.name().equals(setup))
                                    .findFirst()
                                    .orElseThrow()))
                    .toList();
        }

        Map<String, List<Target>> medianTargets() {
            Map<String, List<Target>> median = new LinkedHashMap<>();
            setupNames().forEach(setup -> median.put(setup, Targets.median(targets(setup))));
            return median;
        }
    }

    static void write(Report report, Path directory) throws IOException {
        Files.createDirectories(directory);
        String markdown = markdown(report);
        System.out.println();
        System.out.println(markdown);
        Files.writeString(directory.resolve("results.md"), markdown);
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("machine", report.machine());
        document.put("settings", report.settings());
        document.put("medianTargets", report.medianTargets());
        List<Map<String, Object>> runs = new ArrayList<>();
        for (Run run : report.runs()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("run", run);
            Map<String, List<Target>> targets = new LinkedHashMap<>();
            run.setups().forEach(setup -> targets.put(setup.name(), Targets.of(run, setup)));
            entry.put("targets", targets);
            Map<String, Map<String, String>> cost = new LinkedHashMap<>();
            Map<String, List<StatementFigures>> busiest = new LinkedHashMap<>();
            drains(run).forEach((setup, activity) -> {
                cost.put(setup, costPerDelivery(activity));
                busiest.put(setup, activity == null ? List.of() : activity.busiest(BUSIEST));
            });
            entry.put("databaseCostPerDeliveryWhileDraining", cost);
            entry.put("busiestStatementsWhileDraining", busiest);
            runs.add(entry);
        }
        document.put("runs", runs);
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(directory.resolve("results.json").toFile(), document);
        chart(report, directory.resolve("latency.png"));
        System.out.println("Written: " + directory.resolve("results.md") + ", results.json, latency.png");
    }

    static String markdown(Report report) {
        StringBuilder md = new StringBuilder();
        List<Run> runs = report.runs();
        md.append("# Benchmark, ")
                .append(runs.size())
                .append(runs.size() == 1 ? " run" : " runs")
                .append(" from ")
                .append(runs.get(0).started())
                .append("\n\nMachine: ")
                .append(report.machine())
                .append(".\n\n");
        if (runs.size() > 1) {
            md.append("## ")
                    .append(TARGETS_TITLE)
                    .append(", median of ")
                    .append(runs.size())
                    .append(" runs\n\n");
            md.append("Load average at the start of each run: ")
                    .append(runs.stream().map(Run::loadAverageAtStart).collect(Collectors.joining("; ")))
                    .append(".\n\n");
            targetsTable(md, report.medianTargets());
            md.append("\n## Loads, median of ").append(runs.size()).append(" runs\n\n");
            loadsTable(md, medianLoads(runs), false);
        }
        for (Run run : runs) {
            md.append("\n## Run ")
                    .append(run.number())
                    .append(", ")
                    .append(run.started())
                    .append(", load average ")
                    .append(run.loadAverageAtStart())
                    .append(" at the start, ")
                    .append(run.loadAverageAtEnd())
                    .append(" at the end\n\n");
            Map<String, List<Target>> targets = new LinkedHashMap<>();
            run.setups().forEach(setup -> targets.put(setup.name(), Targets.of(run, setup)));
            md.append("### ").append(TARGETS_TITLE).append("\n\n");
            targetsTable(md, targets);
            md.append("\n### Loads\n\n");
            loadsTable(md, loads(run), true);
            for (Setup setup : run.setups()) {
                details(md, setup);
            }
            sql(md, run);
        }
        md.append("\n## Settings\n\n");
        report.settings()
                .forEach((key, value) ->
                        md.append("- ").append(key).append(": ").append(value).append("\n"));
        return md.toString();
    }

    private static void targetsTable(StringBuilder md, Map<String, List<Target>> targets) {
        md.append("| Measure | Target |");
        targets.keySet().forEach(setup -> md.append(" ").append(setup).append(" | Met |"));
        md.append("\n|---|---|").append("---|---|".repeat(targets.size())).append("\n");
        List<List<Target>> columns = new ArrayList<>(targets.values());
        for (int row = 0; row < columns.get(0).size(); row++) {
            Target first = columns.get(0).get(row);
            md.append("| ")
                    .append(first.measure())
                    .append(" | ")
                    .append(first.goal())
                    .append(" |");
            for (List<Target> column : columns) {
                Target target = column.get(row);
                md.append(" ")
                        .append(target.figure())
                        .append(" | ")
                        .append(target.met() == null ? "–" : target.met() ? "yes" : "**no**")
                        .append(" |");
            }
            md.append("\n");
        }
    }

    /** Each PostgreSQL setup's drain, by setup name: what the database did meanwhile (null when not measured). */
    private static Map<String, DatabaseActivity> drains(Run run) {
        Map<String, DatabaseActivity> drains = new LinkedHashMap<>();
        run.setups().stream()
                .filter(setup -> setup.database().equals(Targets.POSTGRESQL))
                .forEach(setup -> drains.put(setup.name(), setup.drain().database()));
        return drains;
    }

    /**
     * On PostgreSQL: the SQL of each load that was a window of {@link SqlActivity}, the database's cost per delivery
     * while the backlog drains, and the busiest statements meanwhile.
     */
    private static void sql(StringBuilder md, Run run) {
        Map<String, DatabaseActivity> drains = drains(run);
        if (drains.isEmpty()) {
            return;
        }
        md.append("\n### SQL per load (PostgreSQL)\n\n")
                .append(
                        "From pg_stat_statements, reset for the service's database as the load starts and read as it ends. A round trip is ")
                .append(
                        "a statement's execution (a JDBC batch counts one per row) or a transaction's BEGIN or COMMIT; transactions are ")
                .append(
                        "counted by their BEGIN. Statements go to the intake or the delivery by their text; in a load with the ")
                .append(
                        "destination delivering, the transactions that are not the intake's (one per run of its duplicate check) ")
                .append("are the delivery's.\n\n")
                .append(
                        "| Setup | Load | Accepted | Delivered | Intake round trips per event | Delivery round trips per delivery "
                                + "| Transactions, intake / delivery | Execution ms, intake / delivery / other | Samples with a lock wait |\n")
                .append("|---|---|---|---|---|---|---|---|---|\n");
        String database = null;
        for (Setup setup : run.setups()) {
            if (!setup.database().equals(Targets.POSTGRESQL)) {
                continue;
            }
            if (!setup.database().equals(database)) {
                database = setup.database();
                sqlRow(md, "minimal intake", setup.reference().saturationDatabase());
            }
            sqlRow(md, setup.name(), setup.saturationDatabase());
            sqlRow(md, setup.name(), setup.drain().database());
            sqlRow(md, setup.name(), setup.delivering().database());
            if (setup.kafka().drain() != null) {
                sqlRow(
                        md,
                        setup.name() + ", Kafka destination",
                        setup.kafka().drain().database());
            }
        }

        md.append("\n### Database cost per delivery while the backlog drains (PostgreSQL)\n\n")
                .append("Over the drain's window: from the resume until the ")
                .append(number(BridgeMeasurement.TARGET_RATE))
                .append(" events/s load ended. The delivery's statements are apart from the intake's, which took ")
                .append(number(BridgeMeasurement.TARGET_RATE))
                .append(" events/s meanwhile; the table counts and the lock samples ")
                .append(
                        "are the whole database's. pg_stat_statements' execution time leaves out a commit's wait for its WAL flush.\n\n");
        md.append("| Per delivery |");
        drains.keySet().forEach(setup -> md.append(" ").append(setup).append(" |"));
        md.append("\n|---|").append("---|".repeat(drains.size())).append("\n");
        List<Map<String, String>> columns =
                drains.values().stream().map(BenchmarkReport::costPerDelivery).toList();
        for (String row : columns.get(0).keySet()) {
            md.append("| ").append(row).append(" |");
            columns.forEach(
                    column -> md.append(" ").append(cell(column.get(row))).append(" |"));
            md.append("\n");
        }

        drains.forEach((setup, activity) -> {
            md.append("\n#### Busiest statements while the backlog drains, ")
                    .append(setup)
                    .append("\n\n");
            if (activity == null) {
                md.append("Not measured.\n");
                return;
            }
            double total = activity.statements().stream()
                    .mapToDouble(StatementFigures::totalMs)
                    .sum();
            md.append("By execution time, of ")
                    .append(decimal(total))
                    .append(" ms in all.\n\n")
                    .append(
                            "| Side | Statement | Calls | Rows | Mean ms | % of the time |\n|---|---|---|---|---|---|\n");
            for (StatementFigures statement : activity.busiest(BUSIEST)) {
                md.append("| ")
                        .append(statement.side())
                        .append(" | ")
                        .append(cell(SqlActivity.shortened(statement.query())))
                        .append(" | ")
                        .append(number(statement.calls()))
                        .append(" | ")
                        .append(number(statement.rows()))
                        .append(" | ")
                        .append(
                                statement.calls() == 0
                                        ? "–"
                                        : String.format(Locale.ROOT, "%.3f", statement.totalMs() / statement.calls()))
                        .append(" | ")
                        .append(
                                total == 0
                                        ? "–"
                                        : String.format(Locale.ROOT, "%.1f", 100 * statement.totalMs() / total))
                        .append(" |\n");
            }
        });
    }

    private static void sqlRow(StringBuilder md, String setup, DatabaseActivity activity) {
        if (activity == null) {
            return;
        }
        md.append("| ")
                .append(setup)
                .append(" | ")
                .append(activity.load())
                .append(" | ")
                .append(number(activity.acceptedEvents()))
                .append(" | ")
                .append(number(activity.deliveries()))
                .append(" | ")
                .append(activity.roundTripsPerEvent() == null ? "–" : decimal(activity.roundTripsPerEvent()))
                .append(" | ")
                .append(
                        activity.roundTripsPerDelivery() == null
                                ? (activity.note() == null ? "–" : cell(activity.note()))
                                : decimal(activity.roundTripsPerDelivery()))
                .append(" | ")
                .append(number(activity.intake().transactions()))
                .append(" / ")
                .append(number(activity.delivery().transactions()))
                .append(" | ")
                .append(number(activity.intake().executionMs()))
                .append(" / ")
                .append(number(activity.delivery().executionMs()))
                .append(" / ")
                .append(number(activity.other().executionMs()))
                .append(" | ")
                .append(percent(activity.lockWaits().lockWaitFraction()))
                .append(" of ")
                .append(number(activity.lockWaits().samples()))
                .append(" |\n");
    }

    /**
     * The database's cost per delivery while the backlog drains, row by row, as printed; also written to
     * {@code results.json}.
     */
    static Map<String, String> costPerDelivery(DatabaseActivity activity) {
        Map<String, String> rows = new LinkedHashMap<>();
        String deliveries = "Deliveries in the window (events accepted meanwhile)";
        if (activity == null) {
            rows.put(deliveries, "not measured");
            return rows;
        }
        long n = activity.deliveries();
        rows.put(
                deliveries,
                number(n) + " in " + decimal(activity.seconds()) + " s (" + number(activity.acceptedEvents()) + ")");
        if (n == 0) {
            return rows;
        }
        rows.put(
                "SQL round trips of the delivery: statements, and BEGIN and COMMIT",
                activity.roundTripsPerDelivery() == null
                        ? "not measured: " + activity.note()
                        : decimal(activity.roundTripsPerDelivery()));
        rows.put(
                "Statements of the delivery, BEGIN and COMMIT apart",
                per(activity.delivery().statements(), n));
        rows.put("Transactions of the delivery", per(activity.delivery().transactions(), n));
        rows.put(
                "Rows the delivery's statements returned or changed",
                per(activity.delivery().rows(), n));
        rows.put(
                "Shared buffers of the delivery's statements: hit / read",
                per(activity.delivery().sharedBlocksHit(), n) + " / "
                        + per(activity.delivery().sharedBlocksRead(), n));
        rows.put(
                "Execution time of the delivery's statements",
                String.format(Locale.ROOT, "%.3f ms", activity.delivery().executionMs() / n));
        rows.put(
                "The whole database (the intake's " + number(BridgeMeasurement.TARGET_RATE)
                        + " events/s included): statements, " + "transactions, execution time",
                per(activity.all().statements(), n) + ", " + per(activity.all().transactions(), n) + ", "
                        + String.format(Locale.ROOT, "%.3f ms", activity.all().executionMs() / n));
        rows.put("Rows by table (pg_stat_user_tables, the whole database)", tables(activity.tables(), n));
        LockWaits locks = activity.lockWaits();
        rows.put(
                "Samples with a backend waiting on a lock (every " + locks.sampleMillis() + " ms)",
                percent(locks.lockWaitFraction())
                        + " of " + number(locks.samples()) + "; on average "
                        + String.format(
                                Locale.ROOT,
                                "%.2f",
                                locks.samples() == 0 ? 0.0 : (double) locks.backendsWaitingOnLocks() / locks.samples())
                        + " backends waiting, of "
                        + String.format(
                                Locale.ROOT,
                                "%.2f",
                                locks.samples() == 0 ? 0.0 : (double) locks.activeBackends() / locks.samples())
                        + " active"
                        + (locks.failure() == null ? "" : "; sampling stopped: " + locks.failure()));
        rows.put(
                "Samples with a lock not granted (pg_locks)",
                percent(locks.samples() == 0 ? 0 : (double) locks.samplesWithUngrantedLock() / locks.samples())
                        + (locks.ungrantedLocks().isEmpty() ? "" : "; " + counts(locks.ungrantedLocks(), 4, "")));
        rows.put(
                "Statements waiting on a lock (backend samples)",
                locks.waitingStatements().isEmpty() ? "none" : counts(locks.waitingStatements(), 3, ""));
        long active = locks.activeBackends();
        rows.put(
                "What the active backends waited on (share of backend samples)",
                active == 0
                        ? "no active backend sampled"
                        : locks.waitEvents().entrySet().stream()
                                .sorted(Map.Entry.<String, Long>comparingByValue()
                                        .reversed())
                                .limit(5)
                                .map(e -> e.getKey() + " " + percent((double) e.getValue() / active))
                                .collect(Collectors.joining(", ")));
        return rows;
    }

    /** Each table's rows per delivery: inserted, updated (of which HOT), deleted, read by index and sequentially. */
    private static String tables(Map<String, TableFigures> tables, long n) {
        if (tables.isEmpty()) {
            return "none";
        }
        List<String> each = new ArrayList<>();
        tables.forEach((table, rows) -> {
            List<String> figures = new ArrayList<>();
            if (rows.inserted() > 0) {
                figures.add(per(rows.inserted(), n) + " inserted");
            }
            if (rows.updated() > 0) {
                figures.add(per(rows.updated(), n) + " updated (" + per(rows.hotUpdated(), n) + " HOT)");
            }
            if (rows.deleted() > 0) {
                figures.add(per(rows.deleted(), n) + " deleted");
            }
            if (rows.indexFetched() > 0) {
                figures.add(per(rows.indexFetched(), n) + " fetched by index");
            }
            if (rows.sequentiallyRead() > 0) {
                figures.add(per(rows.sequentiallyRead(), n) + " read sequentially");
            }
            each.add(table + " " + String.join(", ", figures));
        });
        return String.join("; ", each);
    }

    private static String counts(Map<String, Long> counts, int most, String suffix) {
        return counts.entrySet().stream()
                        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                        .limit(most)
                        .map(e -> e.getKey() + ": " + number(e.getValue()) + suffix)
                        .collect(Collectors.joining("; "))
                + (counts.size() > most ? "; and " + (counts.size() - most) + " more" : "");
    }

    private static String per(long count, long n) {
        return String.format(Locale.ROOT, "%.2f", (double) count / n);
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f %%", 100 * fraction);
    }

    /** A markdown table cell: pipes (SQL's ||) escaped. */
    private static String cell(String text) {
        return text == null ? "–" : text.replace("|", "\\|");
    }

    /** A load of one service on one database, for the loads table. */
    private record Row(String database, String service, LoadFigures load) {}

    /** Every load of a run in the order they ran: per database, the minimal intake's first, then the bridge's. */
    private static List<Row> loads(Run run) {
        List<Row> rows = new ArrayList<>();
        String database = null;
        for (Setup setup : run.setups()) {
            if (!setup.database().equals(database)) {
                database = setup.database();
                for (LoadFigures load : List.of(
                        setup.reference().saturation(),
                        setup.reference().get(),
                        setup.reference().atTargetRate())) {
                    rows.add(new Row(database, "minimal intake", load));
                }
            }
            String service = (setup.instances() == 1 ? "bridge" : "bridge, " + setup.instances() + " instances")
                    + (setup.build().equals(BridgeMeasurement.Build.BASELINE) ? ", baseline" : "");
            List<LoadFigures> loads = new ArrayList<>();
            loads.add(setup.saturation());
            if (setup.drain().intake() != null) {
                loads.add(setup.drain().intake());
            }
            if (setup.delivering().intake() != null) {
                loads.add(setup.delivering().intake());
            }
            if (setup.get() != null) {
                loads.add(setup.get());
            }
            loads.add(setup.lowLoad());
            loads.addAll(setup.fixedRates());
            loads.add(setup.duplicates());
            loads.forEach(load -> rows.add(new Row(setup.database(), service, load)));
            KafkaDelivery kafka = setup.kafka();
            if (kafka.saturation() != null) {
                rows.add(new Row(setup.database(), service + ", Kafka destination", kafka.saturation()));
            }
            if (kafka.drain() != null && kafka.drain().intake() != null) {
                rows.add(new Row(
                        setup.database(),
                        service + ", Kafka destination",
                        kafka.drain().intake()));
            }
        }
        return rows;
    }

    /** Each row's numbers as the median over the runs (rows matched by database, service and load). */
    private static List<Row> medianLoads(List<Run> runs) {
        List<Row> median = new ArrayList<>();
        for (Row row : loads(runs.get(0))) {
            List<LoadFigures> each = runs.stream()
                    .flatMap(run -> loads(run).stream())
                    .filter(other -> other.database().equals(row.database())
                            && other.service().equals(row.service())
                            && sameLoad(other.load(), row.load()))
                    .map(Row::load)
                    .toList();
            LoadFigures first = row.load();
            Double databaseCores = first.databaseCores() == null ? null : median(each, LoadFigures::databaseCores);
            median.add(new Row(
                    row.database(),
                    row.service(),
                    new LoadFigures(
                            first.load(),
                            first.offeredPerSecond(),
                            first.concurrency(),
                            0,
                            0,
                            0,
                            Map.of(),
                            median(each, LoadFigures::achievedPerSecond),
                            median(each, LoadFigures::p50Ms),
                            median(each, LoadFigures::p99Ms),
                            median(each, LoadFigures::p999Ms),
                            median(each, LoadFigures::maxMs),
                            median(each, LoadFigures::serviceCores),
                            databaseCores,
                            median(each, LoadFigures::benchmarkCores))));
        }
        return median;
    }

    /** The drain's load names its backlog, which differs between runs. */
    private static boolean sameLoad(LoadFigures one, LoadFigures other) {
        return one.load().replaceAll("[0-9,]+ drains$", "").equals(other.load().replaceAll("[0-9,]+ drains$", ""));
    }

    private static double median(List<LoadFigures> loads, ToDoubleFunction<LoadFigures> figure) {
        double[] values = loads.stream().mapToDouble(figure).sorted().toArray();
        return values.length % 2 == 1
                ? values[values.length / 2]
                : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
    }

    private static void loadsTable(StringBuilder md, List<Row> rows, boolean counts) {
        md.append("| Database | Service | Load | Offered |")
                .append(counts ? " Sent | 2xx | Other answers | No answer |" : "")
                .append(
                        " Achieved/s | p50 ms | p99 ms | p99.9 ms | max ms | Service cores | Service CPU µs/request | Database cores "
                                + "| Generator+sink cores |\n|---|---|---|---|")
                .append(counts ? "---|---|---|---|" : "")
                .append("---|---|---|---|---|---|---|---|---|\n");
        for (Row row : rows) {
            LoadFigures load = row.load();
            md.append("| ")
                    .append(row.database())
                    .append(" | ")
                    .append(row.service())
                    .append(" | ")
                    .append(load.load())
                    .append(" | ")
                    .append(
                            load.concurrency() > 0
                                    ? load.concurrency() + " in flight"
                                    : number(load.offeredPerSecond()) + "/s");
            if (counts) {
                md.append(" | ")
                        .append(load.sent())
                        .append(" | ")
                        .append(load.successes())
                        .append(" | ")
                        .append(otherAnswers(load.statuses()))
                        .append(" | ")
                        .append(load.failed());
            }
            md.append(" | ")
                    .append(number(load.achievedPerSecond()))
                    .append(" | ")
                    .append(decimal(load.p50Ms()))
                    .append(" | ")
                    .append(decimal(load.p99Ms()))
                    .append(" | ")
                    .append(decimal(load.p999Ms()))
                    .append(" | ")
                    .append(decimal(load.maxMs()))
                    .append(" | ")
                    .append(decimal(load.serviceCores()))
                    .append(" | ")
                    .append(number(load.serviceCpuMicrosPerRequest()))
                    .append(" | ")
                    .append(load.databaseCores() == null ? "in the service" : decimal(load.databaseCores()))
                    .append(" | ")
                    .append(decimal(load.benchmarkCores()))
                    .append(" |\n");
        }
    }

    private static void details(StringBuilder md, Setup setup) {
        md.append("\n").append(setup.name()).append(": ");
        EndToEnd e2e = setup.endToEnd();
        md.append("receipt to sink at ")
                .append(e2e.atRate())
                .append(" events/s ")
                .append(
                        e2e.receiptToSinkP99Ms() == null
                                ? "not measured"
                                : "p50 " + decimal(e2e.receiptToSinkP50Ms()) + " ms, p99 "
                                        + decimal(e2e.receiptToSinkP99Ms()) + " ms, max "
                                        + decimal(e2e.receiptToSinkMaxMs()) + " ms")
                .append("; ")
                .append(number(e2e.delivered()))
                .append(" events delivered, ")
                .append(number(e2e.deliveredTwice()))
                .append(" deliveries of an event the sink already had; ")
                .append(e2e.note())
                .append(". ")
                .append(setup.storage().kind())
                .append(" at the end ")
                .append(megabytes(setup.storage().onDiskBytes()))
                .append(" for ")
                .append(megabytes(setup.storage().totalDataBytes()))
                .append(" of data (")
                .append(setup.storage().dataBytes().entrySet().stream()
                        .filter(table -> table.getValue() > 0)
                        .map(table -> table.getKey() + " " + megabytes(table.getValue()))
                        .collect(Collectors.joining(", ")))
                .append(").\n");
    }

    /** Intake latency against offered load: p50 and p99 of the bridge on each setup, the median over the runs. */
    private static void chart(Report report, Path png) throws IOException {
        XYChart chart = new XYChartBuilder()
                .width(900)
                .height(560)
                .title("Intake latency to the 2xx against offered load ("
                        + report.runs().get(0).started() + ")")
                .xAxisTitle("offered load, events/s (open loop)")
                .yAxisTitle("latency, ms (log scale)")
                .build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        double[] offered = null;
        int series = 0;
        for (String setup : report.setupNames()) {
            List<List<LoadFigures>> byRate = new ArrayList<>();
            List<Setup> each = report.runs().stream()
                    .map(run -> run.setups().stream()
                            .filter(s -> s.name().equals(setup))
                            .findFirst()
                            .orElseThrow())
                    .toList();
            for (int i = 0; i < each.get(0).fixedRates().size(); i++) {
                int index = i;
                byRate.add(each.stream().map(s -> s.fixedRates().get(index)).toList());
            }
            offered = byRate.stream()
                    .mapToDouble(loads -> loads.get(0).offeredPerSecond())
                    .toArray();
            Color color = SETUP_COLORS[series++ % SETUP_COLORS.length];
            XYSeries p50 = chart.addSeries(
                    setup + ", p50",
                    offered,
                    byRate.stream()
                            .mapToDouble(loads -> Math.max(0.01, median(loads, LoadFigures::p50Ms)))
                            .toArray());
            p50.setMarker(SeriesMarkers.CIRCLE)
                    .setLineStyle(SeriesLines.DASH_DASH)
                    .setLineColor(color);
            p50.setMarkerColor(color);
            XYSeries p99 = chart.addSeries(
                    setup + ", p99",
                    offered,
                    byRate.stream()
                            .mapToDouble(loads -> Math.max(0.01, median(loads, LoadFigures::p99Ms)))
                            .toArray());
            p99.setMarker(SeriesMarkers.DIAMOND).setLineColor(color);
            p99.setMarkerColor(color);
        }
        if (offered != null && offered.length > 0) {
            chart.addSeries(
                            "p99 target at " + number(BridgeMeasurement.TARGET_RATE) + " events/s",
                            new double[] {offered[0], offered[offered.length - 1]},
                            new double[] {Targets.MAX_P99_MS, Targets.MAX_P99_MS})
                    .setMarker(SeriesMarkers.NONE)
                    .setLineColor(Color.GRAY);
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static String otherAnswers(Map<Integer, Long> statuses) {
        List<String> others = statuses.entrySet().stream()
                .filter(e -> e.getKey() / 100 != 2)
                .map(e -> e.getValue() + " x " + e.getKey())
                .toList();
        return others.isEmpty() ? "0" : String.join(", ", others);
    }
}
