package io.carbridge.outbox;

import java.time.Instant;

/**
 * What one attempt did and what becomes of its delivery.
 *
 * @param statusCode the destination's HTTP status, or null when there was no answer
 * @param error a short description of the failure (never a secret), or null
 * @param nextAttemptAt when a retried or paused delivery is due again; null otherwise
 */
record AttemptOutcome(
        long deliveryId,
        int attempt,
        Instant startedAt,
        Instant finishedAt,
        Integer statusCode,
        String error,
        Result result,
        Instant nextAttemptAt) {

    enum Result {
        /** 2xx. */
        DELIVERED("DELIVERED"),
        /** Failed, will be tried again at {@code nextAttemptAt}. */
        RETRY("PENDING"),
        /** Failed for good (permanent failure, or no attempts left): kept as a dead letter. */
        DEAD("DEAD"),
        /** 410 Gone: the destination is paused; the delivery waits, its attempt is not counted. */
        PAUSED("PENDING");

        private final String deliveryStatus;

        Result(String deliveryStatus) {
            this.deliveryStatus = deliveryStatus;
        }

        String deliveryStatus() {
            return deliveryStatus;
        }

        /** Whether the delivery is finished: delivered, or dead. */
        boolean isFinal() {
            return this == DELIVERED || this == DEAD;
        }
    }
}
