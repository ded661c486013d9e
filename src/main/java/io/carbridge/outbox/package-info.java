/**
 * The {@code outbox} Camel component: the durable queue between the intake and the destinations. {@code to: outbox:all}
 * stores an event and, in the same transaction, one delivery for each destination that wants it (group commit: the
 * requests of a burst share one commit, and each is answered once its own is done). {@code from: outbox:<destination>}
 * claims the destination's due deliveries, one vehicle at a time, routes each as an exchange and records what it ended
 * with. Owns the tables {@code webhook_event}, {@code delivery}, {@code delivery_attempt} and
 * {@code destination_state}.
 */
package io.carbridge.outbox;
