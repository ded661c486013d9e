package io.carbridge.outbox;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** Lets a dispatcher sleep until there may be work: signals that arrive while it works are not lost, and coalesce. */
final class Wakeup {

    private final Semaphore signal = new Semaphore(0);

    void signal() {
        if (signal.availablePermits() == 0) {
            signal.release();
        }
    }

    void await(Duration atMost) throws InterruptedException {
        if (signal.tryAcquire(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            signal.drainPermits();
        }
    }
}
