package io.carbridge.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbridge.benchmark.Figures.DeliveringIntake;
import io.carbridge.benchmark.Figures.Drain;
import io.carbridge.benchmark.Figures.EndToEnd;
import io.carbridge.benchmark.Figures.EngineOverhead;
import io.carbridge.benchmark.Figures.KafkaDelivery;
import io.carbridge.benchmark.Figures.LoadFigures;
import io.carbridge.benchmark.Figures.Reference;
import io.carbridge.benchmark.Figures.Setup;
import io.carbridge.benchmark.Figures.Storage;
import io.carbridge.benchmark.Targets.Target;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 21's targets of the benchmark's Kafka row, judged on made-up figures: the delivery to the topic (on H2 only),
 * against the HTTP destination's, and the intake meanwhile against its rate with no destination delivering.
 */
class KafkaRowTargetsTest {

    private static final String KAFKA_DELIVERY = "Delivery to a Kafka topic";
    private static final String AGAINST_HTTP = "Kafka delivery against the HTTP destination's";
    private static final String INTAKE_KEPT = "Intake while the Kafka destination drains";

    @Test
    void judgesTheKafkaDeliveryAgainstTwoThousandAndTheHttpDestinationsAndTheIntakeAgainstTheOfferedRate() {
        Setup setup =
                setup(Targets.H2, 1, drain(2_000), new KafkaDelivery(load(3_000), true, drain(2_500, load(950)), null));

        List<Target> targets = Targets.of(setup, null);

        assertThat(target(targets, KAFKA_DELIVERY).met()).isTrue();
        assertThat(target(targets, AGAINST_HTTP).value()).isEqualTo(1.25);
        assertThat(target(targets, AGAINST_HTTP).met()).isTrue();
        assertThat(target(targets, INTAKE_KEPT).value())
                .as("950/s of the 1,000/s it takes when paused at 3,000/s")
                .isEqualTo(0.95);
        assertThat(target(targets, INTAKE_KEPT).met()).isTrue();
    }

    @Test
    void anIntakeThatCannotTakeTheOfferedRateEvenPausedIsJudgedAgainstWhatItTakesPaused() {
        Setup setup =
                setup(Targets.H2, 1, drain(2_000), new KafkaDelivery(load(800), true, drain(1_500, load(700)), null));

        List<Target> targets = Targets.of(setup, null);

        assertThat(target(targets, INTAKE_KEPT).value()).isEqualTo(700.0 / 800);
        assertThat(target(targets, INTAKE_KEPT).met()).isFalse();
        assertThat(target(targets, KAFKA_DELIVERY).met()).isFalse();
        assertThat(target(targets, AGAINST_HTTP).met()).isFalse();
    }

    @Test
    void onPostgresqlTheKafkaDeliveryIsShownNotJudged() {
        Setup setup = setup(
                Targets.POSTGRESQL, 1, drain(800), new KafkaDelivery(load(3_000), true, drain(900, load(1_000)), null));

        List<Target> targets = Targets.of(setup, null);

        assertThat(target(targets, KAFKA_DELIVERY).judged()).isFalse();
        assertThat(target(targets, KAFKA_DELIVERY).met()).isNull();
        assertThat(target(targets, AGAINST_HTTP).met())
                .as("judged on every setup")
                .isTrue();
    }

    @Test
    void aSkippedRowIsNotJudgedAndARowThatFailedIsNotMeasured() {
        List<Target> skipped = Targets.of(
                setup(Targets.POSTGRESQL, 2, drain(800), KafkaDelivery.skipped("– (measured with one instance)")),
                null);
        List<Target> failed = Targets.of(
                setup(Targets.H2, 1, drain(2_000), KafkaDelivery.notMeasured("the broker did not start")), null);

        for (String measure : List.of(KAFKA_DELIVERY, AGAINST_HTTP, INTAKE_KEPT)) {
            assertThat(target(skipped, measure).judged()).isFalse();
            assertThat(target(skipped, measure).figure()).isEqualTo("– (measured with one instance)");
            assertThat(target(failed, measure).met()).isNull();
            assertThat(target(failed, measure).figure()).isEqualTo("not measured: the broker did not start");
        }
    }

    private static Target target(List<Target> targets, String measure) {
        return targets.stream()
                .filter(target -> target.measure().startsWith(measure))
                .findFirst()
                .orElseThrow();
    }

    private static Drain drain(double deliveredPerSecond) {
        return drain(deliveredPerSecond, load(1_000));
    }

    private static Drain drain(double deliveredPerSecond, LoadFigures intake) {
        return new Drain(10_000, deliveredPerSecond, 5, true, intake, null, null);
    }

    /** A load whose every request was answered 202. */
    private static LoadFigures load(double perSecond) {
        long requests = (long) perSecond * 20;
        return new LoadFigures(
                "a load",
                0,
                64,
                requests,
                requests,
                0,
                Map.of(SmartcarTraffic.ACCEPTED, requests),
                perSecond,
                1,
                2,
                3,
                4,
                1,
                null,
                0.5);
    }

    private static Setup setup(String database, int instances, Drain http, KafkaDelivery kafka) {
        Storage storage = new Storage(database, 3_000_000, 3_000_000, Map.of("webhook_event", 1_000_000L));
        Reference reference = new Reference(load(4_000), load(4_000), null, load(1_000), storage, 300);
        return new Setup(
                "a setup",
                database,
                instances,
                BridgeMeasurement.Build.THIS_BUILD,
                reference,
                load(20_000),
                load(100),
                EngineOverhead.notMeasured("not here"),
                List.of(load(1_000)),
                load(1_000),
                load(3_000),
                true,
                null,
                http,
                kafka,
                DeliveringIntake.notMeasured("not here"),
                new EndToEnd(null, null, null, 500, 0, 0, "none"),
                storage,
                List.of(400L));
    }
}
