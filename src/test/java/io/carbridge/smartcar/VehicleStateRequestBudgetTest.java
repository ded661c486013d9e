package io.carbridge.smartcar;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The reconciliation's request budget: Smartcar's bucket of requests, a burst and then a steady rate. */
class VehicleStateRequestBudgetTest {

    private static final long MINUTE = Duration.ofMinutes(1).toNanos();

    @Test
    void aBurstGoesAtOnceAndThenTheRateSaysHowLongToWait() {
        RequestBudget budget = new RequestBudget(3, 2, 0);

        assertThat(budget.take(0)).isZero();
        assertThat(budget.take(0)).isZero();
        assertThat(budget.take(0)).isZero();
        assertThat(budget.take(0)).as("2 a minute: one every 30 s").isEqualTo(Duration.ofSeconds(30));
        assertThat(budget.take(0)).as("and the next after it").isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void theBucketRefillsAtTheRateUpToItsSize() {
        RequestBudget budget = new RequestBudget(2, 2, 0);
        budget.take(0);
        budget.take(0);

        assertThat(budget.take(MINUTE / 2))
                .as("one request refilled after 30 s")
                .isZero();
        assertThat(budget.take(MINUTE / 2)).isEqualTo(Duration.ofSeconds(30));
        assertThat(budget.take(100 * MINUTE))
                .as("an idle hour refills the burst, no more")
                .isZero();
        assertThat(budget.take(100 * MINUTE)).isZero();
        assertThat(budget.take(100 * MINUTE)).isEqualTo(Duration.ofSeconds(30));
    }
}
