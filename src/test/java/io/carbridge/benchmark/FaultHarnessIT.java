package io.carbridge.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The fault harness at {@link FaultHarness.Scale#QUICK} (seconds per scenario) on the packaged service; the full-scale
 * run is {@code mvn -B -Pfaults verify}.
 */
class FaultHarnessIT {

    private final FaultHarness harness = new FaultHarness(FaultHarness.Scale.QUICK);

    @Test
    void everyAcknowledgedEventSurvivesAKillDashNineUnderLoadAndReachesTheSink() throws Exception {
        assertPassed(harness.hardKillUnderLoad());
    }

    @Test
    void aDestinationOutageLosesNothingDoesNotSlowTheIntakeAndDrains() throws Exception {
        assertPassed(harness.destinationOutage());
    }

    @Test
    void aFloodOfBadRequestsGetsItsStatusesAndStoresOnlyTheValidEvents() throws Exception {
        assertPassed(harness.badInputFlood());
    }

    @Test
    void theIntakeAnswers503WhileTheDatabaseIsGoneAndRecoversByItself() throws Exception {
        assertPassed(harness.databaseUnavailable());
    }

    private static void assertPassed(FaultHarness.Verdict verdict) {
        System.out.println(verdict);
        assertThat(verdict.passed()).as(verdict.toString()).isTrue();
    }
}
