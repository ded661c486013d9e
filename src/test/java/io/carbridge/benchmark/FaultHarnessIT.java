package io.carbridge.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The fault harness's database outage at {@link FaultHarness.Scale#QUICK} on the packaged service: the one scenario no
 * other test of the suite plays. Its others are the suite's own tests already (a kill -9 under load: DurabilityIT and
 * CrashDuplicatesIT; a destination outage: KafkaDestinationIT and DeliveryFlowTest; a flood of bad requests:
 * HostileProbeIT and WebhookIntakeRouteTest), and all four run at full scale with {@code mvn -B -Pfaults verify}.
 */
class FaultHarnessIT {

    private final FaultHarness harness = new FaultHarness(FaultHarness.Scale.QUICK);

    @Test
    void theIntakeAnswers503WhileTheDatabaseIsGoneAndRecoversByItself() throws Exception {
        assertPassed(harness.databaseUnavailable());
    }

    private static void assertPassed(FaultHarness.Verdict verdict) {
        System.out.println(verdict);
        assertThat(verdict.passed()).as(verdict.toString()).isTrue();
    }
}
